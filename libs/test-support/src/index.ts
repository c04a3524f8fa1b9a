// Helpers shared by tests and benchmarks.
export * from './sse';
export * from './image-fixtures';
export * from './free-port';
