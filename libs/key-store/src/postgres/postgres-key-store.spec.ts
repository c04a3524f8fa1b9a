import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { describeKeyStoreContract } from '../testing';
import { PostgresKeyStore } from './postgres-key-store';

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
  console.warn('SKIPPED: PostgreSQL key store contract suite — VEGVISION_DATABASE_URL not set');
  describe.skip('PostgresKeyStore (VEGVISION_DATABASE_URL not set)', () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  const connectionString = url;

  describeKeyStoreContract('PostgresKeyStore', async () => {
    const schema = `vv_keys_test_${runId}_${counter++}`;
    const open = () => PostgresKeyStore.open({ connectionString, schema });
    return { store: await open(), reopen: open, cleanup: () => dropSchema(connectionString, schema) };
  });

  describe('PostgresKeyStore specifics', () => {
    it('migrate() is idempotent and safe to run concurrently; instances agree on one key', async () => {
      const schema = `vv_keys_test_${runId}_${counter++}`;
      const stores = await Promise.all([1, 2, 3].map(() => PostgresKeyStore.open({ connectionString, schema })));
      try {
        await Promise.all(stores.map((s) => s.migrate()));
        const keys = await Promise.all(stores.map((s) => s.create('img')));
        for (const k of keys) expect(k.equals(keys[0])).toBe(true);
        await stores[1].destroy('img');
        expect(await stores[2].get('img')).toBeUndefined();
      } finally {
        for (const s of stores) await s.close();
        await dropSchema(connectionString, schema);
      }
    }, 60_000);

    it('refuses a schema name that is not a plain identifier', async () => {
      await expect(PostgresKeyStore.open({ connectionString, schema: 'x"; DROP TABLE y; --' })).rejects.toHaveProperty('code', 'KEY_STORE_INVALID_ARGUMENT');
    });
  });
}
