// Small helpers that let one migration class emit the right DDL on SQLite (libSQL) and on
// PostgreSQL: column types differ, and on PostgreSQL every table lives in the configured schema.
import type { Configuration } from '@mikro-orm/core';
import { BaseSqlitePlatform, type AbstractSqlDriver } from '@mikro-orm/knex';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';
import { ReadModelError } from '../errors';

export interface Dialect {
  name: 'sqlite' | 'postgres';
  /** Schema-qualified, quoted table name. */
  table(name: string): string;
  /** Quoted index name (index names are schema-scoped on PostgreSQL, so they are never qualified). */
  index(name: string): string;
  types: { text: string; int: string; bigint: string; double: string; timestamp: string; json: string; bool: string };
  /** Literals of `bool` columns. */
  truth: { true: string; false: string };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function dialectOf(driver: AbstractSqlDriver, config: Configuration): Dialect {
  const platform = driver.getPlatform();
  // SQLite first: the PostgreSQL platform's package is loaded only where it is used (tools/ts-loader).
  if (platform instanceof BaseSqlitePlatform) {
    return {
      name: 'sqlite',
      table: quoteIdent,
      index: quoteIdent,
      // MikroORM stores datetimes on SQLite as epoch milliseconds and JSON as text; "text" and
      // "integer" keep SQLite's type affinity from converting either.
      types: { text: 'text', int: 'integer', bigint: 'integer', double: 'real', timestamp: 'datetime', json: 'text', bool: 'integer' },
      truth: { true: '1', false: '0' },
    };
  }
  if (platform instanceof PostgreSqlPlatform) {
    const schema = config.get('schema') ?? 'public';
    return {
      name: 'postgres',
      table: (name) => `${quoteIdent(schema)}.${quoteIdent(name)}`,
      index: quoteIdent,
      types: {
        text: 'text',
        int: 'integer',
        bigint: 'bigint',
        double: 'double precision',
        timestamp: 'timestamptz',
        json: 'jsonb',
        bool: 'boolean',
      },
      truth: { true: 'true', false: 'false' },
    };
  }
  throw new ReadModelError(
    'read_model_unsupported_database',
    `read-model migrations support SQLite and PostgreSQL, not ${platform.constructor.name}`,
  );
}
