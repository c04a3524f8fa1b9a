// Minimal typings for the parts of `pg` (node-postgres 8) this library uses: the repository
// has no @types/pg. Remove this file once @types/pg is added to devDependencies.
declare module 'pg' {
  import { EventEmitter } from 'node:events';

  export interface QueryResult<R = Record<string, unknown>> {
    rows: R[];
    rowCount: number | null;
  }

  export interface Notification {
    processId: number;
    channel: string;
    payload?: string;
  }

  export interface ClientConfig {
    connectionString?: string;
    application_name?: string;
  }

  export interface PoolConfig extends ClientConfig {
    max?: number;
    idleTimeoutMillis?: number;
    connectionTimeoutMillis?: number;
  }

  export interface Queryable {
    query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
  }

  export interface PoolClient extends Queryable {
    release(error?: Error | boolean): void;
    on(event: 'error', listener: (error: Error) => void): this;
    off(event: 'error', listener: (error: Error) => void): this;
  }

  export class Pool extends EventEmitter implements Queryable {
    constructor(config?: PoolConfig);
    query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
    connect(): Promise<PoolClient>;
    end(): Promise<void>;
  }

  export class Client extends EventEmitter implements Queryable {
    constructor(config?: ClientConfig);
    connect(): Promise<void>;
    query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
    end(): Promise<void>;
    on(event: 'notification', listener: (message: Notification) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'end', listener: () => void): this;
  }

  const pg: { Pool: typeof Pool; Client: typeof Client };
  export default pg;
}
