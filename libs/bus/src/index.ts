export * from './bus.port';
export * from './errors';
export { backoffDelay, type BusLogger } from './shared';
export { InProcessBus, type InProcessBusOptions, type DeadLetter } from './in-process-bus';
export { DEFAULT_KAFKA_PARTITIONS, KafkaBus, type KafkaBusOptions } from './kafka-bus';
export { createBus, type BusConfig } from './create-bus';
