import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { describeCheckpointStoreContract } from '../testing';
import { PostgresCheckpointStore } from './postgres-checkpoint-store';

const url = process.env.VEGVISION_DATABASE_URL;
const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
let counter = 0;

async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

if (!url) {
  console.warn('SKIPPED: PostgreSQL checkpoint store contract suite — VEGVISION_DATABASE_URL not set');
  describe.skip('PostgresCheckpointStore (VEGVISION_DATABASE_URL not set)', () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  const connectionString = url;

  describeCheckpointStoreContract('PostgresCheckpointStore', async () => {
    const schema = `vv_cp_test_${runId}_${counter++}`;
    const open = () => PostgresCheckpointStore.open({ connectionString, schema });
    return { store: await open(), reopen: open, cleanup: () => dropSchema(connectionString, schema) };
  });

  describe('PostgresCheckpointStore specifics', () => {
    it('migrate() is idempotent and safe to run concurrently', async () => {
      const schema = `vv_cp_test_${runId}_${counter++}`;
      const stores = await Promise.all([1, 2, 3].map(() => PostgresCheckpointStore.open({ connectionString, schema })));
      try {
        await Promise.all(stores.map((s) => s.migrate()));
        await stores[0].save('relay', 3);
        expect(await stores[2].load('relay')).toBe(3);
      } finally {
        for (const s of stores) await s.close();
        await dropSchema(connectionString, schema);
      }
    }, 60_000);

    it('refuses a schema name that is not a plain identifier', async () => {
      await expect(PostgresCheckpointStore.open({ connectionString, schema: 'x"; DROP TABLE y; --' })).rejects.toHaveProperty('code', 'CHECKPOINT_INVALID_ARGUMENT');
    });
  });
}
