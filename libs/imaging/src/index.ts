// Image decoding and validation with sharp
export * from './errors';
export * from './sniff';
export * from './limits';
export * from './decode';
export * from './hash';
