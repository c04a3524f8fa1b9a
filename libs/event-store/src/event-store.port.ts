// The event store port. Every adapter (file, PostgreSQL, KurrentDB) implements it and
// passes the one contract suite in ./testing/event-store.contract.ts.
import type { JsonObject } from '@bufbuild/protobuf';

/** An event to append: opaque JSON payload and metadata (see @vegvision/contracts). */
export interface NewEvent {
  /** UUID. Appending an event id that the stream already holds is a no-op. */
  eventId: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

export interface StoredEvent extends NewEvent {
  streamId: string;
  /** 0-based revision of the event within its stream. */
  revision: number;
  /** Global, strictly increasing position in the store (ordering of the $all stream). */
  position: number;
  /** When the store recorded it, RFC 3339. */
  recordedAt: string;
}

/**
 * Optimistic concurrency for appends:
 * - 'any': no check;
 * - 'no_stream': the stream must not exist;
 * - 'stream_exists': the stream must exist;
 * - n: the stream's last revision must be n.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  nextExpectedRevision: number;
  /** Position of the last event of the stream after the append. */
  position: number;
  /** False when every event of the batch was already stored (idempotent retry). */
  written: boolean;
}

export interface AllSubscription {
  /**
   * Stops delivery; resolves once the handler in flight (if any) has finished. Called from inside
   * the handler it resolves at once (no deadlock); no further event is delivered either way.
   */
  stop(): Promise<void>;
  /**
   * Resolves when the subscription has delivered every event stored when it started (handlers
   * included). Rejects when the subscription ends before that (error, or stop()).
   */
  readonly caughtUp: Promise<void>;
}

export interface SubscribeToAllOptions {
  /** Checkpoint: deliver only events with position > from. 'start' delivers everything. */
  from: number | 'start';
  /**
   * Called once when the handler or the store fails and the subscription ends. Without it the
   * failure is reported with process.emitWarning.
   */
  onError?: (error: unknown) => void;
}

export interface EventStore {
  /**
   * Appends events atomically to one stream.
   * Idempotent: when every event id of the batch is already stored in the stream, nothing
   * is written and the call succeeds (written: false) whatever expectedRevision says.
   * @throws WrongExpectedRevisionError when the expectation fails.
   */
  append(streamId: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;

  /** Events of one stream in revision order; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: { fromRevision?: number }): Promise<StoredEvent[]>;

  /** Every event of the store in position order, from (exclusive) a checkpoint. */
  readAll(options?: { from?: number | 'start'; maxCount?: number }): AsyncIterable<StoredEvent>;

  /**
   * Catch-up subscription to all events: delivers stored events after the checkpoint,
   * then live ones, in position order, one at a time (the next waits for the handler).
   */
  subscribeToAll(options: SubscribeToAllOptions, handler: (event: StoredEvent) => Promise<void>): AllSubscription;

  /** Position of the last stored event, or -1 when the store is empty. */
  headPosition(): Promise<number>;

  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION' as const;
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`wrong expected revision on stream "${streamId}": expected ${expected}, actual ${actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/**
 * A batch that mixes already stored and new event ids, or reuses an id with another payload
 * (or, for the file and PostgreSQL adapters, an id already stored in another stream).
 */
export class EventIdConflictError extends Error {
  readonly code = 'EVENT_ID_CONFLICT' as const;
  constructor(readonly streamId: string, readonly eventIds: string[]) {
    super(`event ids already used on stream "${streamId}" in another batch: ${eventIds.join(', ')}`);
    this.name = 'EventIdConflictError';
  }
}
