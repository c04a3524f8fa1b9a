// What the read model's plain SQL (the projection's writes, the read path) needs of a database: one transaction on one connection, plain SQL
// with `?` placeholders, each statement prepared once per connection. Adapters:
// SqliteTransactionRunner (a pooled libSQL connection) and PostgresTransactionRunner (a pooled
// node-postgres client); both take their connection from the ORM's knex pool, so they share it
// with the ORM's own transactions (migrate, reset) and never run beside them on SQLite.

/** A row as the database returns it (column names, engine types). */
export type SqlRow = Record<string, unknown>;

export interface SqlTransaction {
  /** Every row the statement returns. */
  all(sql: string, params: unknown[]): Promise<SqlRow[]>;
  /** The first row, or undefined. */
  get(sql: string, params: unknown[]): Promise<SqlRow | undefined>;
  /** A statement whose rows (if any) are not needed. */
  run(sql: string, params: unknown[]): Promise<void>;
}

export interface SqlTransactionRunner {
  /**
   * A read-only statement outside any transaction, on a pooled connection, prepared once per
   * connection. Not to be called inside `work` (on SQLite it would wait for that connection).
   */
  read(sql: string, params: unknown[]): Promise<SqlRow[]>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it rejects. */
  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /** The SQL after the checkpoint's `select` that locks the row until commit ('' where the engine serialises writers itself). */
  readonly lockClause: string;
  /** A timestamp parameter as the ORM stores it (SQLite: epoch ms; PostgreSQL: the Date). */
  time(at: Date): unknown;
  /** A JSON column's parameter (text on both engines; PostgreSQL casts it to jsonb). */
  json(value: unknown): unknown;
  /** A boolean column's parameter (SQLite: 0/1). */
  bool(value: boolean): unknown;
}
