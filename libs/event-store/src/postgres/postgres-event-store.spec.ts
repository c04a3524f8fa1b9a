import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { describeEventStoreContract, newEvent } from '../testing';
import type { StoredEvent } from '../event-store.port';
import { PostgresEventStore } from './postgres-event-store';

const url = process.env.VEGVISION_DATABASE_URL;
const TIMEOUT = 120_000;
const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
let counter = 0;

function uniqueSchema(): string {
  return `vv_es_test_${runId}_${counter++}`;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

if (!url) {
  console.warn('SKIPPED: PostgreSQL event store contract suite — VEGVISION_DATABASE_URL not set');
  describe.skip('PostgresEventStore (VEGVISION_DATABASE_URL not set)', () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  const connectionString = url;

  describeEventStoreContract('PostgresEventStore', async () => {
    const schema = uniqueSchema();
    const open = () => PostgresEventStore.open({ connectionString, schema, poolSize: 4, pollIntervalMs: 200 });
    return { store: await open(), reopen: open, cleanup: () => dropSchema(schema) };
  });

  describe('PostgresEventStore specifics', () => {
    let schema: string;
    const stores: PostgresEventStore[] = [];
    const openStore = async (): Promise<PostgresEventStore> => {
      const store = await PostgresEventStore.open({ connectionString, schema, poolSize: 3, pollIntervalMs: 200 });
      stores.push(store);
      return store;
    };

    beforeEach(() => {
      schema = uniqueSchema();
    });

    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
      await dropSchema(schema);
    }, TIMEOUT);

    it('migrate() is idempotent and safe to run concurrently', async () => {
      const store = await openStore();
      await Promise.all([store.migrate(), store.migrate(), (await openStore()).migrate()]);
      await store.append('s', [newEvent()]);
      await store.migrate();
      expect(await store.readStream('s')).toHaveLength(1);
    }, TIMEOUT);

    it('rejects a schema name that is not a plain identifier', () => {
      expect(() => new PostgresEventStore({ connectionString, schema: 'bad"; drop' })).toThrow(
        expect.objectContaining({ code: 'EVENT_STORE_INVALID_ARGUMENT' }),
      );
    });

    it('a subscriber on one instance sees every event of concurrent writers on two instances, in order, exactly once', async () => {
      const reader = await openStore();
      const writerA = await openStore();
      const writerB = await openStore();
      const received: StoredEvent[] = [];
      let resolveAll!: () => void;
      const all = new Promise<void>((resolve) => (resolveAll = resolve));
      let failed: unknown;
      const sub = reader.subscribeToAll(
        { from: 'start', onError: (e) => (failed = e) },
        async (e) => {
          received.push(e);
          if (received.length === 120) resolveAll();
        },
      );
      await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? writerA : writerB).append(`stream-${i % 7}`, [newEvent('A'), newEvent('B')])),
      );
      await all;
      await sub.stop();
      expect(failed).toBeUndefined();
      const stored: StoredEvent[] = [];
      for await (const e of reader.readAll()) stored.push(e);
      expect(received).toEqual(stored);
      for (let i = 1; i < stored.length; i++) expect(stored[i].position).toBeGreaterThan(stored[i - 1].position);
    }, TIMEOUT);

    it('concurrent appends with the same expected revision from two instances: exactly one wins', async () => {
      const a = await openStore();
      const b = await openStore();
      await a.append('s', [newEvent()]);
      const results = await Promise.allSettled([
        a.append('s', [newEvent()], { expectedRevision: 0 }),
        b.append('s', [newEvent()], { expectedRevision: 0 }),
        a.append('s', [newEvent()], { expectedRevision: 0 }),
        b.append('s', [newEvent()], { expectedRevision: 0 }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await a.readStream('s')).toHaveLength(2);
    }, TIMEOUT);

    it('an event id stored in another stream is an EventIdConflictError', async () => {
      const store = await openStore();
      const e = newEvent();
      await store.append('s', [e]);
      await expect(store.append('t', [e])).rejects.toHaveProperty('code', 'EVENT_ID_CONFLICT');
      expect(await store.readStream('t')).toEqual([]);
    }, TIMEOUT);
  });
}
