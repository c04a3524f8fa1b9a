import type { CheckpointStore } from './checkpoint-store.port';
import { InvalidCheckpointArgumentError } from './errors';
import { FileCheckpointStore } from './file/file-checkpoint-store';
import { PostgresCheckpointStore } from './postgres/postgres-checkpoint-store';
import { SqliteCheckpointStore } from './sqlite/sqlite-checkpoint-store';

export type CheckpointStoreConfig =
  | { kind: 'file'; dir: string }
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; schema?: string };

/** Opens the configured adapter (PostgreSQL runs migrate()). */
export async function createCheckpointStore(config: CheckpointStoreConfig): Promise<CheckpointStore> {
  switch (config.kind) {
    case 'file':
      return FileCheckpointStore.open({ dir: config.dir });
    case 'sqlite':
      return SqliteCheckpointStore.open({ path: config.path });
    case 'postgres':
      return PostgresCheckpointStore.open({ connectionString: config.url, schema: config.schema });
    default:
      throw new InvalidCheckpointArgumentError(`unknown checkpoint store kind: ${(config as { kind?: unknown }).kind}`);
  }
}
