// The NestJS HTTP API.
export * from './problem';
export * from './http-app';
export { ImagesController } from './images.controller';
export { HealthController } from './health.controller';
