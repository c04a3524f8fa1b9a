// Builds the MikroORM read model for the embedded (SQLite via libSQL) or the distributed
// (PostgreSQL) deployment.
import path from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { ReadModelConfigError, ReadModelError } from './errors';
import { READ_MODEL_ENTITIES } from './mikro-orm/entities';
import { MikroOrmReadModel } from './mikro-orm/mikro-orm-read-model';
import { READ_MODEL_MIGRATIONS } from './migrations';

export const DEFAULT_POSTGRES_SCHEMA = 'vegvision_read';

/** Name of the table in which the migrator records applied migrations. */
export const READ_MODEL_MIGRATIONS_TABLE = 'read_model_migrations';

export interface SqliteReadModelConfig {
  kind: 'sqlite';
  /** Database file (its folder is created when missing), or ':memory:' (tests). */
  path: string;
  /** Run pending migrations before returning. Default false. */
  migrate?: boolean;
  /** How long a writer waits for another process's write lock, in ms. Default 10000. */
  busyTimeoutMs?: number;
  /**
   * 'full' (default): every commit is durable on its own (an fsync each). 'normal': commits are
   * atomic and survive a crash of the process, and `sync()` makes them durable against a power
   * loss, for a caller that can replay what a power loss takes back (the embedded relay, which
   * calls it before its checkpoint moves: WAL mode's synchronous=NORMAL).
   */
  synchronous?: 'full' | 'normal';
}

export interface PostgresReadModelConfig {
  kind: 'postgres';
  /** postgres://user:password@host:port/database */
  url: string;
  /** Schema holding the tables (created by `migrate`). Default "vegvision_read". */
  schema?: string;
  /** Run pending migrations before returning. Default false. */
  migrate?: boolean;
  /** Largest number of pooled connections. Default 10. */
  poolMax?: number;
}

export type ReadModelConfig = SqliteReadModelConfig | PostgresReadModelConfig;

/** The database could not be reached when the read model was created. */
export class ReadModelUnavailableError extends ReadModelError {
  constructor(where: string, cause: unknown) {
    super(
      'read_model_unavailable',
      `cannot reach the read-model database (${where}): ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'ReadModelUnavailableError';
  }
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Connects (and, with `migrate: true`, migrates); the returned model is ready to use. */
export async function createReadModel(config: ReadModelConfig): Promise<MikroOrmReadModel> {
  const readModel = config?.kind === 'postgres' ? await openPostgres(config) : await openSqlite(config);
  if (config.migrate) {
    try {
      await readModel.migrate();
    } catch (error) {
      await readModel.close();
      throw error;
    }
  }
  return readModel;
}

function common(): Partial<Options> {
  return {
    entities: READ_MODEL_ENTITIES,
    extensions: [Migrator],
    migrations: {
      migrationsList: READ_MODEL_MIGRATIONS,
      tableName: READ_MODEL_MIGRATIONS_TABLE,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    discovery: { requireEntitiesArray: true, disableDynamicFileAccess: true, warnWhenNoEntities: false },
    // Tables come from the migrations only.
    ensureDatabase: false,
    allowGlobalContext: false,
    debug: false,
  };
}

async function openSqlite(config: SqliteReadModelConfig): Promise<MikroOrmReadModel> {
  if (config?.kind !== 'sqlite') {
    throw new ReadModelConfigError(`read-model kind must be "sqlite" or "postgres", got ${String(config?.kind)}`);
  }
  if (typeof config.path !== 'string' || config.path.trim() === '') {
    throw new ReadModelConfigError('sqlite read model needs a file path (or ":memory:")');
  }
  const busyTimeout = config.busyTimeoutMs ?? 10_000;
  if (!Number.isSafeInteger(busyTimeout) || busyTimeout < 0) {
    throw new ReadModelConfigError(`busyTimeoutMs must be a non-negative integer, got ${String(busyTimeout)}`);
  }
  const synchronous = config.synchronous ?? 'full';
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new ReadModelConfigError(`synchronous must be "full" or "normal", got ${String(synchronous)}`);
  }
  const memory = config.path === ':memory:';
  let orm: MikroORM;
  try {
    orm = await MikroORM.init({
      ...common(),
      driver: LibSqlDriver,
      dbName: config.path,
      pool: {
        // Per-connection settings (the libSQL dialect recycles file connections).
        afterCreate: (conn: { exec(sql: string): unknown }, done: (err: unknown, conn: unknown) => void) => {
          try {
            conn.exec(`pragma busy_timeout = ${busyTimeout}`);
            conn.exec('pragma foreign_keys = on');
            conn.exec(`pragma synchronous = ${synchronous}`);
            done(null, conn);
          } catch (error) {
            done(error, conn);
          }
        },
      },
    });
  } catch (error) {
    throw new ReadModelUnavailableError(`sqlite ${config.path}`, error);
  }
  const readModel = new MikroOrmReadModel(orm, 'sqlite', undefined, !memory && synchronous === 'normal' ? `${path.resolve(config.path)}-wal` : undefined);
  try {
    const connection = orm.em.fork().getConnection();
    // WAL: readers never block the projector and the projector never blocks readers.
    if (!memory) await connection.execute('pragma journal_mode = wal');
    await readModel.ping();
  } catch (error) {
    await readModel.close();
    throw new ReadModelUnavailableError(`sqlite ${config.path}`, error);
  }
  return readModel;
}

async function openPostgres(config: PostgresReadModelConfig): Promise<MikroOrmReadModel> {
  if (typeof config.url !== 'string' || !/^postgres(ql)?:\/\//.test(config.url)) {
    throw new ReadModelConfigError('postgres read model needs a postgres:// URL');
  }
  const schema = config.schema ?? DEFAULT_POSTGRES_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new ReadModelConfigError(`schema must match ${SCHEMA_NAME}, got "${schema}"`);
  }
  const poolMax = config.poolMax ?? 10;
  if (!Number.isSafeInteger(poolMax) || poolMax < 2) {
    throw new ReadModelConfigError(`poolMax must be an integer of at least 2, got ${String(poolMax)}`);
  }
  const where = describeUrl(config.url);
  let orm: MikroORM;
  try {
    orm = await MikroORM.init({
      ...common(),
      driver: PostgreSqlDriver,
      clientUrl: config.url,
      schema,
      pool: { min: 0, max: poolMax },
    });
  } catch (error) {
    throw new ReadModelUnavailableError(where, error);
  }
  const readModel = new MikroOrmReadModel(orm, 'postgres', schema);
  try {
    await readModel.ping();
  } catch (error) {
    await readModel.close();
    throw new ReadModelUnavailableError(where, error);
  }
  return readModel;
}

/** host:port/database of a URL, without credentials (for error messages). */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres ${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres (unparsable URL)';
  }
}
