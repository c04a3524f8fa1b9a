// The NestJS HTTP API.
export * from './problem';
export * from './http-app';
export { ImagesController } from './images.controller';
export { CatalogController } from './catalog.controller';
export { HealthController } from './health.controller';
export { TokenBucketLimiter, uploadLimits, MULTIPART_OVERHEAD_BYTES, type RateDecision } from './upload-limits';
