// Domain of vegvision: the image aggregate, its commands and invariants.
export * from './kinds';
export * from './ids';
export * from './errors';
export * from './image.aggregate';
export * from './colour-measure';
export * from './model-disagreement';
