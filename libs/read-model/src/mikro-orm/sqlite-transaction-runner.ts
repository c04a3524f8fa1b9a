// SqlTransactionRunner on a pooled libSQL connection (the embedded read model). The knex pool of
// a SQLite database holds one connection, so a transaction here never runs beside the ORM's own
// or a read; `begin immediate` takes the database's write lock first, which serialises this
// process with other processes on the same file (busy_timeout makes the second one wait).
import type { SqlRow, SqlTransaction, SqlTransactionRunner } from './sql-transaction';

/** A libSQL statement and connection, as far as the runner uses them. */
interface LibSqlStatement {
  all(params: unknown[]): unknown[];
  get(params: unknown[]): unknown;
  run(params: unknown[]): unknown;
}
interface LibSqlConnection {
  prepare(sql: string): LibSqlStatement;
  exec(sql: string): unknown;
  readonly inTransaction: boolean;
}

/** The ORM's knex client, as far as the runner uses it. */
export interface SqliteKnexPool {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

/** Statements prepared per pooled connection (the pool replaces connections, these go with them). */
const PREPARED = new WeakMap<LibSqlConnection, Map<string, LibSqlStatement>>();
const MAX_PREPARED = 256;

function prepared(conn: LibSqlConnection, sql: string): LibSqlStatement {
  let statements = PREPARED.get(conn);
  if (!statements) PREPARED.set(conn, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) {
    if (statements.size >= MAX_PREPARED) statements.clear();
    statement = conn.prepare(sql);
    statements.set(sql, statement);
  }
  return statement;
}

export class SqliteTransactionRunner implements SqlTransactionRunner {
  readonly lockClause = '';

  constructor(private readonly pool: SqliteKnexPool) {}

  async read(sql: string, params: unknown[]): Promise<SqlRow[]> {
    const conn = (await this.pool.acquireConnection()) as LibSqlConnection;
    try {
      return prepared(conn, sql).all(params) as SqlRow[];
    } finally {
      await this.pool.releaseConnection(conn);
    }
  }

  async transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    const conn = (await this.pool.acquireConnection()) as LibSqlConnection;
    try {
      const tx: SqlTransaction = {
        all: async (sql, params) => prepared(conn, sql).all(params) as SqlRow[],
        get: async (sql, params) => prepared(conn, sql).get(params) as SqlRow | undefined,
        run: async (sql, params) => {
          prepared(conn, sql).run(params);
        },
      };
      conn.exec('begin immediate');
      try {
        const result = await work(tx);
        conn.exec('commit');
        return result;
      } catch (error) {
        if (conn.inTransaction) conn.exec('rollback');
        throw error;
      }
    } finally {
      await this.pool.releaseConnection(conn);
    }
  }

  time(at: Date): unknown {
    return at.getTime();
  }

  json(value: unknown): unknown {
    return JSON.stringify(value);
  }

  bool(value: boolean): unknown {
    return value ? 1 : 0;
  }
}
