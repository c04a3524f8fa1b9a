export * from './read-model.port';
export * from './errors';
export {
  createReadModel,
  DEFAULT_POSTGRES_SCHEMA,
  READ_MODEL_MIGRATIONS_TABLE,
  ReadModelUnavailableError,
  type PostgresReadModelConfig,
  type ReadModelConfig,
  type SqliteReadModelConfig,
} from './create-read-model';
export { MikroOrmReadModel, MAX_SAMPLE_COUNT, type DumpRow, type ReadModelEngine } from './mikro-orm/mikro-orm-read-model';
export { READ_MODEL_ENTITIES, type ImageRow, type ClassificationRow, type CheckpointRow } from './mikro-orm/entities';
export { READ_MODEL_MIGRATIONS } from './migrations';
