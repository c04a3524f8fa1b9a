// Key store in PostgreSQL (pg): table "<schema>".data_keys(id primary key, key bytea,
// created_at), created by migrate() (run by open) under an advisory lock, so that several services
// can start at once. create() is one insert that keeps an existing row (every caller gets the key
// that won), destroy() one delete (autocommit: durable once it resolved). PostgreSQL keeps a
// deleted row's bytes until VACUUM reclaims the page, and in its WAL and backups until those age out.
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import type { KeyStore } from '../key-store.port';
import { DATA_KEY_BYTES } from '../key-store.port';
import { InvalidKeyStoreArgumentError, KeyStoreClosedError } from '../errors';
import { assertKeyId, checkedKey } from '../internal/validation';

export const DEFAULT_KEY_SCHEMA = 'vegvision_keys';

export interface PostgresKeyStoreOptions {
  connectionString: string;
  /** Schema of the key table (default vegvision_keys). */
  schema?: string;
  /** Connections of the pool (default 2). */
  poolSize?: number;
  /** Create the schema and table on open (default true). */
  migrate?: boolean;
}

export class PostgresKeyStore implements KeyStore {
  private closed = false;
  private readonly table: string;

  private constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {
    this.table = `"${schema}".data_keys`;
  }

  static async open(options: PostgresKeyStoreOptions): Promise<PostgresKeyStore> {
    const schema = options.schema ?? DEFAULT_KEY_SCHEMA;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new InvalidKeyStoreArgumentError(`invalid schema name "${schema}"`);
    const pool = new Pool({ connectionString: options.connectionString, max: options.poolSize ?? 2, application_name: 'vegvision-keys' });
    pool.on('error', () => undefined); // an idle client's error: the next query reconnects
    const store = new PostgresKeyStore(pool, schema);
    try {
      if (options.migrate !== false) await store.migrate();
      return store;
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  /** Creates the schema and the table when missing. Idempotent, safe to run concurrently. */
  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`vegvision_keys:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (id text PRIMARY KEY, key bytea NOT NULL CHECK (octet_length(key) = ${DATA_KEY_BYTES}), created_at timestamptz NOT NULL DEFAULT now())`,
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async get(id: string): Promise<Buffer | undefined> {
    if (this.closed) throw new KeyStoreClosedError();
    assertKeyId(id);
    const { rows } = await this.pool.query<{ key: Buffer }>(`SELECT key FROM ${this.table} WHERE id = $1`, [id]);
    return rows.length ? checkedKey(rows[0].key, id) : undefined;
  }

  async create(id: string): Promise<Buffer> {
    if (this.closed) throw new KeyStoreClosedError();
    assertKeyId(id);
    // The no-op update makes RETURNING yield the stored row when it exists (also one inserted by a
    // concurrent transaction that committed first).
    const { rows } = await this.pool.query<{ key: Buffer }>(
      `INSERT INTO ${this.table} (id, key) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET id = excluded.id RETURNING key`,
      [id, randomBytes(DATA_KEY_BYTES)],
    );
    return checkedKey(rows[0].key, id);
  }

  async destroy(id: string): Promise<void> {
    if (this.closed) throw new KeyStoreClosedError();
    assertKeyId(id);
    await this.pool.query(`DELETE FROM ${this.table} WHERE id = $1`, [id]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
