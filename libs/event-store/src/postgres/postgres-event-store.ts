// PostgreSQL event store.
//
// One table <schema>.events; `position` is a bigserial. Appends run in a transaction that first
// takes a transaction-level advisory lock (one per schema), so appends are serialised and commit
// in position order: a reader that sees position p has also seen every position below p, and a
// subscriber that reads `position > checkpoint` can never miss a lower position committed later.
// (Positions may have gaps: a rolled back append consumes sequence values.)
// Live subscriptions wake up on LISTEN/NOTIFY (pg_notify in the append transaction, delivered on
// commit) and poll every pollIntervalMs as a fallback.
import { Client, Pool, type PoolClient, type QueryResult } from 'pg';
import type { JsonObject } from '@bufbuild/protobuf';
import {
  EventIdConflictError,
  WrongExpectedRevisionError,
  type AllSubscription,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type StoredEvent,
  type SubscribeToAllOptions,
} from '../event-store.port';
import { EventStoreClosedError, InvalidEventStoreArgumentError, PositionOutOfRangeError } from '../errors';
import { ChangeSignal, startCatchUpSubscription } from '../internal/catch-up';
import {
  assertStreamId,
  checkExpectedRevision,
  classifyBatch,
  normaliseAppend,
  normaliseCheckpoint,
  normaliseFromRevision,
  normaliseReadAll,
  type StoredIdentity,
} from '../internal/validation';

export interface PostgresEventStoreOptions {
  /** postgres://user:password@host:port/database */
  connectionString: string;
  /** Schema of the tables (default 'vegvision_events'); lower-case letters, digits and _ only. */
  schema?: string;
  /** Connections in the pool (default 10); the LISTEN connection comes on top. */
  poolSize?: number;
  /** Fallback poll interval of subscriptions when no notification arrives (default 500 ms). */
  pollIntervalMs?: number;
  /** Rows per query of readAll and subscriptions (default 500). */
  batchSize?: number;
  /** Run migrate() when opening (default true). */
  migrate?: boolean;
}

export const DEFAULT_POSTGRES_SCHEMA = 'vegvision_events';
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;
// First key of the advisory locks of this library ('vevs'); the second one is hashtext(schema).
const LOCK_CLASS = 0x76657673;

interface EventRow {
  position: string;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  recorded_at: Date;
}

const EVENT_COLUMNS = 'position::text AS position, stream_id, revision, event_id::text AS event_id, type, data, metadata, recorded_at';

function toPosition(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new PositionOutOfRangeError(value);
  return n;
}

function toStored(row: EventRow): StoredEvent {
  return {
    streamId: row.stream_id,
    revision: row.revision,
    position: toPosition(row.position),
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at.toISOString(),
  };
}

export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly schema: string;
  private readonly table: string;
  private readonly channel: string;
  private readonly signal = new ChangeSignal();
  private readonly subscriptions = new Set<AllSubscription>();
  private readonly pending = new Set<Promise<unknown>>();
  private listener: Promise<Client> | undefined;
  private closed = false;

  constructor(private readonly options: PostgresEventStoreOptions) {
    if (!options.connectionString) throw new InvalidEventStoreArgumentError('connectionString is required');
    this.schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
    if (!SCHEMA_PATTERN.test(this.schema)) {
      throw new InvalidEventStoreArgumentError(`schema must match ${SCHEMA_PATTERN}, got "${this.schema}"`);
    }
    this.table = `"${this.schema}".events`;
    this.channel = `${this.schema}_events`;
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      application_name: 'vegvision-event-store',
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', (error: Error) => process.emitWarning(`event store pool client error: ${error.message}`));
  }

  /** Creates the store and (unless options.migrate is false) its tables. */
  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(options);
    if (options.migrate ?? true) {
      try {
        await store.migrate();
      } catch (error) {
        await store.close();
        throw error;
      }
    }
    return store;
  }

  /** Creates the schema and table when missing. Idempotent, safe to run concurrently. */
  async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, `migrate:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table} (
          position    bigserial   PRIMARY KEY,
          stream_id   text        NOT NULL,
          revision    integer     NOT NULL CHECK (revision >= 0),
          event_id    uuid        NOT NULL,
          type        text        NOT NULL,
          data        jsonb       NOT NULL,
          metadata    jsonb       NOT NULL,
          recorded_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT events_event_id_key UNIQUE (event_id),
          CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
        )`);
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client is not covered by the pool's error handler: if the server drops the
    // connection between two queries of the transaction (e.g. PostgreSQL shutting down), the
    // client emits 'error', which would crash the process without a listener.
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error; // the connection is unusable: drop it from the pool
      }
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken ?? false);
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const done = (): void => {
      this.pending.delete(promise);
    };
    promise.then(done, done);
    return promise;
  }

  append(streamId: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
    try {
      this.assertOpen();
      const input = normaliseAppend(streamId, events, options);
      return this.track(this.appendNow(input.streamId, input.events, input.expected));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async appendNow(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    let result: AppendResult;
    try {
      result = await this.transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, this.schema]);
        const known: QueryResult<Pick<EventRow, 'event_id' | 'stream_id' | 'type' | 'data' | 'metadata'>> = await client.query(
          `SELECT event_id::text AS event_id, stream_id, type, data, metadata FROM ${this.table} WHERE event_id = ANY($1::uuid[])`,
          [events.map((e) => e.eventId)],
        );
        const last: QueryResult<{ revision: number; position: string }> = await client.query(
          `SELECT e.revision, e.position::text AS position FROM ${this.table} e WHERE e.stream_id = $1 ORDER BY e.revision DESC LIMIT 1`,
          [streamId],
        );
        const current = last.rows.length > 0 ? last.rows[0].revision : -1;
        const stored = new Map<string, StoredIdentity>(
          known.rows.map((r) => [r.event_id, { streamId: r.stream_id, type: r.type, data: r.data, metadata: r.metadata }]),
        );
        if (classifyBatch(streamId, events, stored) === 'duplicate') {
          return { nextExpectedRevision: current, position: toPosition(last.rows[0].position), written: false };
        }
        checkExpectedRevision(streamId, expected, current);
        const inserted: QueryResult<{ position: string; revision: number }> = await client.query(
          `INSERT INTO ${this.table} (stream_id, revision, event_id, type, data, metadata)
           SELECT $1, $2::integer + (x.i - 1)::integer, (x.e->>'eventId')::uuid, x.e->>'type', x.e->'data', x.e->'metadata'
           FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS x(e, i)
           ORDER BY x.i
           RETURNING position::text AS position, revision`,
          [streamId, current + 1, JSON.stringify(events)],
        );
        const lastRow = inserted.rows.reduce((a, b) => (b.revision > a.revision ? b : a));
        await client.query('SELECT pg_notify($1, $2)', [this.channel, lastRow.position]);
        return { nextExpectedRevision: lastRow.revision, position: toPosition(lastRow.position), written: true };
      });
    } catch (error) {
      throw await this.translate(error, streamId, events, expected);
    }
    if (result.written) this.signal.bump();
    return result;
  }

  /** Unique violations can only come from writers that bypass the lock; map them to port errors. */
  private async translate(error: unknown, streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<unknown> {
    const pgError = error as { code?: string; constraint?: string };
    if (pgError.code !== '23505') return error;
    if (pgError.constraint === 'events_event_id_key') return new EventIdConflictError(streamId, events.map((e) => e.eventId));
    const stream = await this.readStream(streamId).catch(() => []);
    return new WrongExpectedRevisionError(streamId, expected, stream.length === 0 ? 'no_stream' : stream.length - 1);
  }

  async readStream(streamId: string, options?: { fromRevision?: number }): Promise<StoredEvent[]> {
    this.assertOpen();
    assertStreamId(streamId);
    const from = normaliseFromRevision(options);
    const result: QueryResult<EventRow> = await this.pool.query(
      `SELECT ${EVENT_COLUMNS} FROM ${this.table} e WHERE e.stream_id = $1 AND e.revision >= $2 ORDER BY e.revision`,
      [streamId, from],
    );
    return result.rows.map(toStored);
  }

  private async fetchAfter(after: number, limit: number): Promise<StoredEvent[]> {
    const result: QueryResult<EventRow> = await this.pool.query(
      // e.position: ORDER BY position would sort by the text output column of the same name
      `SELECT ${EVENT_COLUMNS} FROM ${this.table} e WHERE e.position > $1 ORDER BY e.position LIMIT $2`,
      [after, limit],
    );
    return result.rows.map(toStored);
  }

  readAll(options?: { from?: number | 'start'; maxCount?: number }): AsyncIterable<StoredEvent> {
    return { [Symbol.asyncIterator]: () => this.iterateAll(options) };
  }

  private async *iterateAll(options?: { from?: number | 'start'; maxCount?: number }): AsyncGenerator<StoredEvent> {
    this.assertOpen();
    const { after, maxCount } = normaliseReadAll(options);
    const batchSize = this.options.batchSize ?? 500;
    let checkpoint = after;
    let left = maxCount;
    while (left > 0) {
      const batch = await this.fetchAfter(checkpoint, Math.min(batchSize, left));
      for (const event of batch) yield event;
      if (batch.length < Math.min(batchSize, left)) return;
      left -= batch.length;
      checkpoint = batch[batch.length - 1].position;
    }
  }

  subscribeToAll(options: SubscribeToAllOptions, handler: (event: StoredEvent) => Promise<void>): AllSubscription {
    this.assertOpen();
    const after = normaliseCheckpoint(options.from);
    this.ensureListener();
    const subscription = startCatchUpSubscription(
      {
        signal: this.signal,
        pollIntervalMs: this.options.pollIntervalMs ?? 500,
        head: () => this.headPosition(),
        fetch: (from) => {
          this.ensureListener();
          return this.fetchAfter(from, this.options.batchSize ?? 500);
        },
        onEnd: () => this.subscriptions.delete(subscription),
      },
      after,
      handler,
      options.onError,
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Starts the LISTEN connection when there is none (again after a failure); never throws. */
  private ensureListener(): void {
    if (this.listener || this.closed) return;
    const client = new Client({ connectionString: this.options.connectionString, application_name: 'vegvision-event-store-listen' });
    const drop = (): void => {
      if (this.listener === started) this.listener = undefined;
      client.end().catch(() => undefined);
    };
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.signal.bump();
    });
    client.on('error', drop);
    client.on('end', () => {
      if (this.listener === started) this.listener = undefined;
    });
    const started = (async () => {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      this.signal.bump(); // events committed while we were not listening are fetched now
      return client;
    })();
    this.listener = started;
    started.catch(drop);
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    const result: QueryResult<{ head: string }> = await this.pool.query(
      `SELECT coalesce(max(position), -1)::text AS head FROM ${this.table}`,
    );
    return toPosition(result.rows[0].head);
  }

  /** Stops the subscriptions, waits for appends in flight, closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await Promise.allSettled([...this.pending]);
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await listener.then((c) => c.end()).catch(() => undefined);
    await this.pool.end();
  }
}
