// Checkpoint store in PostgreSQL (pg): table "<schema>".checkpoints(name primary key, position
// bigint, updated_at), created by migrate() (run by open) under an advisory lock, so that several
// services can start at once. A save is one upsert (autocommit: durable once it resolved).
import { Pool } from 'pg';
import type { CheckpointStore } from '../checkpoint-store.port';
import { CheckpointStoreClosedError, InvalidCheckpointArgumentError } from '../errors';
import { assertCheckpointName, assertCheckpointPosition } from '../internal/validation';

export const DEFAULT_CHECKPOINT_SCHEMA = 'vegvision_checkpoints';

export interface PostgresCheckpointStoreOptions {
  connectionString: string;
  /** Schema of the checkpoint table (default vegvision_checkpoints). */
  schema?: string;
  /** Connections of the pool (default 2). */
  poolSize?: number;
  /** Create the schema and table on open (default true). */
  migrate?: boolean;
}

export class PostgresCheckpointStore implements CheckpointStore {
  private closed = false;
  private readonly table: string;

  private constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {
    this.table = `"${schema}".checkpoints`;
  }

  static async open(options: PostgresCheckpointStoreOptions): Promise<PostgresCheckpointStore> {
    const schema = options.schema ?? DEFAULT_CHECKPOINT_SCHEMA;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new InvalidCheckpointArgumentError(`invalid schema name "${schema}"`);
    const pool = new Pool({ connectionString: options.connectionString, max: options.poolSize ?? 2, application_name: 'vegvision-checkpoints' });
    pool.on('error', () => undefined); // an idle client's error: the next query reconnects
    const store = new PostgresCheckpointStore(pool, schema);
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
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`vegvision_checkpoints:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (name text PRIMARY KEY, position bigint NOT NULL CHECK (position >= 0), updated_at timestamptz NOT NULL DEFAULT now())`,
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async load(name: string): Promise<number | 'start'> {
    if (this.closed) throw new CheckpointStoreClosedError();
    assertCheckpointName(name);
    const { rows } = await this.pool.query<{ position: string }>(`SELECT position FROM ${this.table} WHERE name = $1`, [name]);
    return rows.length ? Number(rows[0].position) : 'start';
  }

  async save(name: string, position: number): Promise<void> {
    if (this.closed) throw new CheckpointStoreClosedError();
    assertCheckpointName(name);
    assertCheckpointPosition(position);
    await this.pool.query(
      `INSERT INTO ${this.table} (name, position, updated_at) VALUES ($1, $2, now()) ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()`,
      [name, String(position)],
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
