export * from './event-store.port';
export * from './errors';
export { FileEventStore, type FileEventStoreOptions } from './file/file-event-store';
export { PostgresEventStore, DEFAULT_POSTGRES_SCHEMA, type PostgresEventStoreOptions } from './postgres/postgres-event-store';
export { KurrentEventStore, type KurrentEventStoreOptions } from './kurrent/kurrent-event-store';
export { createEventStore, type EventStoreConfig } from './factory';
