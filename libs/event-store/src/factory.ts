import type { EventStore } from './event-store.port';
import { InvalidEventStoreArgumentError } from './errors';
import { FileEventStore } from './file/file-event-store';
import { KurrentEventStore } from './kurrent/kurrent-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';

export type EventStoreConfig =
  | { kind: 'file'; path: string; durability?: 'fsync' | 'none' }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number; pollIntervalMs?: number }
  | { kind: 'kurrentdb'; connectionString: string; streamPrefix?: string };

/** Opens the configured adapter (the file store takes its lock; PostgreSQL runs migrate()). */
export async function createEventStore(config: EventStoreConfig): Promise<EventStore> {
  switch (config.kind) {
    case 'file':
      return FileEventStore.open({ path: config.path, durability: config.durability });
    case 'postgres':
      return PostgresEventStore.open({
        connectionString: config.url,
        schema: config.schema,
        poolSize: config.poolSize,
        pollIntervalMs: config.pollIntervalMs,
      });
    case 'kurrentdb':
      return new KurrentEventStore({ connectionString: config.connectionString, streamPrefix: config.streamPrefix });
    default:
      throw new InvalidEventStoreArgumentError(`unknown event store kind: ${(config as { kind?: unknown }).kind}`);
  }
}
