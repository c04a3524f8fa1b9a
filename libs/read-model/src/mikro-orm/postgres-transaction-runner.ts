// SqlTransactionRunner on a pooled node-postgres client (the distributed read model): `?`
// placeholders become $1..$n, and each statement is a named prepared statement, parsed and
// planned once per connection by the server (the read path's and the projection's alike).
import type { SqlRow, SqlTransaction, SqlTransactionRunner } from './sql-transaction';

/** A node-postgres client, as far as the runner uses it. */
interface PgClient {
  query(query: string | { name: string; text: string; values: unknown[] }): Promise<{ rows: SqlRow[] }>;
}

/** The ORM's knex client, as far as the runner uses it. */
export interface PostgresKnexPool {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

/** SQL text → [statement name, text with $n placeholders]; names are unique per text in this process. */
const STATEMENTS = new Map<string, [string, string]>();

function statementOf(sql: string): [string, string] {
  let statement = STATEMENTS.get(sql);
  if (!statement) {
    let n = 0;
    statement = [`vegvision_${STATEMENTS.size + 1}`, sql.replace(/\?/g, () => `$${++n}`)];
    STATEMENTS.set(sql, statement);
  }
  return statement;
}

export class PostgresTransactionRunner implements SqlTransactionRunner {
  readonly lockClause = ' for update';

  constructor(private readonly pool: PostgresKnexPool) {}

  async read(sql: string, params: unknown[]): Promise<SqlRow[]> {
    const client = (await this.pool.acquireConnection()) as PgClient;
    try {
      const [name, text] = statementOf(sql);
      return (await client.query({ name, text, values: params })).rows;
    } finally {
      await this.pool.releaseConnection(client);
    }
  }

  async transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    const client = (await this.pool.acquireConnection()) as PgClient;
    const all = async (sql: string, params: unknown[]) => {
      const [name, text] = statementOf(sql);
      return (await client.query({ name, text, values: params })).rows;
    };
    const tx: SqlTransaction = {
      all,
      get: async (sql, params) => (await all(sql, params))[0],
      run: async (sql, params) => {
        await all(sql, params);
      },
    };
    try {
      await client.query('begin');
      try {
        const result = await work(tx);
        await client.query('commit');
        return result;
      } catch (error) {
        // A broken connection fails the rollback too; the server rolls back when it goes.
        await client.query('rollback').catch(() => undefined);
        throw error;
      }
    } finally {
      await this.pool.releaseConnection(client);
    }
  }

  time(at: Date): unknown {
    return at;
  }

  json(value: unknown): unknown {
    return JSON.stringify(value);
  }

  bool(value: boolean): unknown {
    return value;
  }
}
