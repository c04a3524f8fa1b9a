export * from './key-store.port';
export * from './errors';
export { FileKeyStore, type FileKeyStoreOptions } from './file/file-key-store';
export { SqliteKeyStore, type SqliteKeyStoreOptions } from './sqlite/sqlite-key-store';
export { PostgresKeyStore, DEFAULT_KEY_SCHEMA, type PostgresKeyStoreOptions } from './postgres/postgres-key-store';
export { createKeyStore, type KeyStoreConfig } from './factory';
