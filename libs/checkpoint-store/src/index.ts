export * from './checkpoint-store.port';
export * from './errors';
export { FileCheckpointStore, type FileCheckpointStoreOptions } from './file/file-checkpoint-store';
export { SqliteCheckpointStore, type SqliteCheckpointStoreOptions } from './sqlite/sqlite-checkpoint-store';
export { PostgresCheckpointStore, DEFAULT_CHECKPOINT_SCHEMA, type PostgresCheckpointStoreOptions } from './postgres/postgres-checkpoint-store';
export { createCheckpointStore, type CheckpointStoreConfig } from './factory';
