// KurrentDB (EventStoreDB) event store over gRPC, via @eventstore/db-client 6.
//
// Positions: the port's position is the event's *prepare* position in the transaction log
// (a bigint byte offset). The commit position can be shared by the events of one append, the
// prepare position is unique per event and, since KurrentDB writes each append contiguously,
// ordered like $all. Positions beyond Number.MAX_SAFE_INTEGER (2^53 - 1 bytes, ~9 PB of log)
// are refused with PositionOutOfRangeError. Positions of stream reads need KurrentDB/EventStoreDB
// >= 22.6 (older servers do not send them).
//
// Stream names: `streamPrefix` is prepended to every stream id and stripped from what is read;
// readAll, subscribeToAll and headPosition only see streams with that prefix (and never system
// streams/events), so several stores (e.g. test runs) can share one database.
//
// Idempotency and expected revisions: the adapter reads the stream before appending, applies the
// port's rules (every id stored → written:false whatever the expected revision; mixed batch →
// EventIdConflictError), then appends with the revision it observed as the server-side
// expectation, so a concurrent writer makes the server reject the append and the adapter
// re-evaluates. Event ids are only checked within the stream (KurrentDB has no global id index).
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  EventStoreDBClient,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { JsonObject } from '@bufbuild/protobuf';
import {
  WrongExpectedRevisionError,
  type AllSubscription,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type StoredEvent,
  type SubscribeToAllOptions,
} from '../event-store.port';
import { EventStoreClosedError, EventStoreCorruptError, PositionOutOfRangeError, SubscriptionStoppedError } from '../errors';
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
import { DEFAULT_KURRENT_PAGE_SIZE, KurrentPagedReader } from './kurrent-paged-reader';

export interface KurrentEventStoreOptions {
  /** e.g. esdb://localhost:2113?tls=false (kurrentdb:// URLs are accepted and rewritten). */
  connectionString: string;
  /** Prepended to every stream id; reads and subscriptions only see streams with it. Default ''. */
  streamPrefix?: string;
  /** Attempts of an append that races with other writers before giving up (default 20). */
  maxAppendAttempts?: number;
  /** Events per gRPC read (the server-side maxCount); reads page through $all and streams (default 500). */
  readPageSize?: number;
  /** How long close() waits for the client's gRPC calls to finish before giving up, logged (default 10 s). */
  closeTimeoutMs?: number;
}

type RecordedEvent = NonNullable<ResolvedEvent['event']>;

function positionOf(event: { position?: { prepare: bigint } }): number {
  const prepare = event.position?.prepare;
  if (prepare === undefined) {
    throw new EventStoreCorruptError('the KurrentDB server sent an event without its log position (needs server >= 22.6)');
  }
  const n = Number(prepare);
  if (!Number.isSafeInteger(n)) throw new PositionOutOfRangeError(prepare);
  return n;
}

function asJsonObject(value: unknown, what: string): JsonObject {
  let v = value;
  if (v instanceof Uint8Array) v = v.length === 0 ? {} : JSON.parse(Buffer.from(v).toString('utf8'));
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new EventStoreCorruptError(`${what} of a KurrentDB event is not a JSON object`);
  return v as JsonObject;
}

const insideHandler = new AsyncLocalStorage<object>();

export class KurrentEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly prefix: string;
  private readonly reader: KurrentPagedReader;
  private readonly subscriptions = new Set<AllSubscription>();
  private closed = false;

  constructor(private readonly options: KurrentEventStoreOptions) {
    const connectionString = options.connectionString.replace(/^kurrent(db)?(\+discover)?:\/\//, (_m, _db, discover) =>
      discover ? 'esdb+discover://' : 'esdb://',
    );
    this.client = EventStoreDBClient.connectionString(connectionString);
    this.prefix = options.streamPrefix ?? '';
    this.reader = new KurrentPagedReader(this.client, options.readPageSize ?? DEFAULT_KURRENT_PAGE_SIZE);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }

  private name(streamId: string): string {
    return this.prefix + streamId;
  }

  private isOurs(event: { streamId: string; type: string } | undefined): boolean {
    return (
      event !== undefined && !event.streamId.startsWith('$') && !event.type.startsWith('$') && event.streamId.startsWith(this.prefix)
    );
  }

  private toStored(event: RecordedEvent | NonNullable<AllStreamResolvedEvent['event']>): StoredEvent {
    return {
      streamId: event.streamId.slice(this.prefix.length),
      revision: Number(event.revision),
      position: positionOf(event),
      eventId: event.id.toLowerCase(),
      type: event.type,
      data: asJsonObject(event.data, 'data'),
      metadata: asJsonObject(event.metadata, 'metadata'),
      recordedAt: event.created.toISOString(),
    };
  }

  /** Every event of a (prefixed) stream; [] when it does not exist. */
  private async readRaw(streamName: string, fromRevision = 0): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    try {
      for await (const resolved of this.reader.stream(streamName, fromRevision)) {
        if (resolved.event) out.push(this.toStored(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return out;
  }

  append(streamId: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
    try {
      this.assertOpen();
      const input = normaliseAppend(streamId, events, options);
      return this.appendNow(input.streamId, input.events, input.expected);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async appendNow(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const streamName = this.name(streamId);
    const maxAttempts = this.options.maxAppendAttempts ?? 20;
    for (let attempt = 1; ; attempt++) {
      const stream = await this.readRaw(streamName);
      const current = stream.length - 1;
      const stored = new Map<string, StoredIdentity>(stream.map((e) => [e.eventId, e]));
      if (classifyBatch(streamId, events, stored) === 'duplicate') {
        return { nextExpectedRevision: current, position: stream[current].position, written: false };
      }
      checkExpectedRevision(streamId, expected, current);
      // The server checks the revision we based our decision on: a concurrent writer fails it.
      const serverExpectation: AppendExpectedRevision = current === -1 ? NO_STREAM : BigInt(current);
      try {
        const result = await this.client.appendToStream(
          streamName,
          events.map((e) => jsonEvent({ id: e.eventId, type: e.type, data: e.data, metadata: e.metadata })),
          { expectedRevision: serverExpectation },
        );
        const next = Number(result.nextExpectedRevision);
        const [last] = await this.readRaw(streamName, next);
        if (!last) throw new EventStoreCorruptError(`the event appended to ${streamName} at revision ${next} cannot be read back`);
        return { nextExpectedRevision: next, position: last.position, written: true };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // Someone else wrote meanwhile. With a fixed caller expectation the next round fails (or
        // finds our ids: idempotent); with 'any'/'stream_exists' it retries on the new revision.
        if (attempt >= maxAttempts) {
          const actual = error.actualVersion === NO_STREAM ? 'no_stream' : Number(error.actualVersion);
          throw new WrongExpectedRevisionError(streamId, expected, actual);
        }
      }
    }
  }

  async readStream(streamId: string, options?: { fromRevision?: number }): Promise<StoredEvent[]> {
    this.assertOpen();
    assertStreamId(streamId);
    return this.readRaw(this.name(streamId), normaliseFromRevision(options));
  }

  private fromPosition(after: number): ReadPosition {
    return after < 0 ? START : { commit: BigInt(after), prepare: BigInt(after) };
  }

  readAll(options?: { from?: number | 'start'; maxCount?: number }): AsyncIterable<StoredEvent> {
    return { [Symbol.asyncIterator]: () => this.iterateAll(options) };
  }

  private async *iterateAll(options?: { from?: number | 'start'; maxCount?: number }): AsyncGenerator<StoredEvent> {
    this.assertOpen();
    const { after, maxCount } = normaliseReadAll(options);
    if (maxCount === 0) return;
    let count = 0;
    // Leaving early is safe: the paged reader has read its current page to the end already.
    for await (const resolved of this.reader.allForwards(after)) {
      const event = resolved.event;
      if (!event || !this.isOurs(event)) continue;
      const stored = this.toStored(event);
      if (stored.position <= after) continue;
      yield stored;
      if (++count >= maxCount) return;
    }
  }

  subscribeToAll(options: SubscribeToAllOptions, handler: (event: StoredEvent) => Promise<void>): AllSubscription {
    this.assertOpen();
    const after = normaliseCheckpoint(options.from);
    const token = {};
    let stopped = false;
    let settled = false;
    let resolveCaughtUp!: () => void;
    let rejectCaughtUp!: (e: unknown) => void;
    const caughtUp = new Promise<void>((resolve, reject) => {
      resolveCaughtUp = () => {
        settled = true;
        resolve();
      };
      rejectCaughtUp = (e) => {
        settled = true;
        reject(e);
      };
    });
    caughtUp.catch(() => undefined);
    const filter = this.prefix ? streamNameFilter({ prefixes: [this.prefix] }) : excludeSystemEvents();
    const subscription = this.client.subscribeToAll({ fromPosition: this.fromPosition(after), filter });

    const run = async (): Promise<void> => {
      const headAtStart = await this.headPosition();
      if (headAtStart <= after) resolveCaughtUp();
      try {
        for await (const resolved of subscription) {
          if (stopped) break;
          const event = resolved.event;
          if (!event || !this.isOurs(event)) continue;
          const stored = this.toStored(event);
          if (stored.position <= after) continue;
          await insideHandler.run(token, () => handler(stored));
          if (!settled && stored.position >= headAtStart) resolveCaughtUp();
          if (stopped) break;
        }
      } catch (error) {
        if (!stopped) throw error; // the stream ends abruptly when stop() destroys it
      }
    };
    const loop = run().then(
      () => {
        if (!settled) rejectCaughtUp(new SubscriptionStoppedError());
      },
      (error: unknown) => {
        stopped = true;
        if (!settled) rejectCaughtUp(error);
        if (options.onError) {
          try {
            options.onError(error);
          } catch {
            // ignore
          }
        } else {
          process.emitWarning(`event store subscription ended: ${error instanceof Error ? error.message : String(error)}`);
        }
      },
    );
    const finished = loop.finally(() => {
      this.subscriptions.delete(handle);
      return subscription.unsubscribe().catch(() => undefined);
    });
    const handle: AllSubscription = {
      caughtUp,
      stop: async () => {
        if (!stopped) {
          stopped = true;
          await subscription.unsubscribe().catch(() => undefined);
          subscription.destroy(); // ends a for-await waiting for the next event
        }
        if (insideHandler.getStore() === token) return;
        await finished;
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  /** Position of the last event of this store's streams: pages $all backwards to the newest one. */
  async headPosition(): Promise<number> {
    this.assertOpen();
    for await (const resolved of this.reader.allBackwards()) {
      if (resolved.event && this.isOurs(resolved.event)) return positionOf(resolved.event);
    }
    return -1;
  }

  /**
   * Stops the subscriptions and disposes the client. The client waits for every gRPC call it
   * tracks to finish; that wait is bounded by closeTimeoutMs and a timeout is logged (it would
   * mean a call left open, which the paged reads never do).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    const timeoutMs = this.options.closeTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([this.client.dispose().then(() => 'disposed' as const), timedOut]);
      if (outcome === 'timeout') {
        process.emitWarning(
          `KurrentDB event store: the client did not close within ${timeoutMs} ms (a gRPC call is still open); closed without waiting for it`,
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
