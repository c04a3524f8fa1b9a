// ONNX vegetable classifier: model cards, canonical preprocessing, onnxruntime inference, rejection.
export { KINDS, NOT_A_VEGETABLE, type Kind, type Label } from '@vegvision/domain';
export * from './errors';
export * from './model-card';
export * from './preprocess';
export * from './rejection';
export * from './classifier';
export * from './registry';
export { ConcurrencyLimiter } from './limiter';
export { pillowResizeLanczosRgb, pillowFitLanczosRgb, pillowFitBox, type ResampleBox } from './pillow-resample';
export * from './verified-model';
