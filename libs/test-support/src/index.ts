// Helpers shared by tests and benchmarks.
export * from './sse';
