import type { KeyStore } from './key-store.port';
import { InvalidKeyStoreArgumentError } from './errors';
import { FileKeyStore } from './file/file-key-store';
import { PostgresKeyStore } from './postgres/postgres-key-store';
import { SqliteKeyStore } from './sqlite/sqlite-key-store';

export type KeyStoreConfig =
  | { kind: 'file'; dir: string }
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; schema?: string };

/** Opens the configured adapter (PostgreSQL runs migrate()). */
export async function createKeyStore(config: KeyStoreConfig): Promise<KeyStore> {
  switch (config.kind) {
    case 'file':
      return FileKeyStore.open({ dir: config.dir });
    case 'sqlite':
      return SqliteKeyStore.open({ path: config.path });
    case 'postgres':
      return PostgresKeyStore.open({ connectionString: config.url, schema: config.schema });
    default:
      throw new InvalidKeyStoreArgumentError(`unknown key store kind: ${(config as { kind?: unknown }).kind}`);
  }
}
