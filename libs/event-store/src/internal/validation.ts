// Input validation and the idempotency / optimistic-concurrency rules shared by every adapter,
// so that all of them accept, reject and deduplicate exactly the same way.
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import {
  EventIdConflictError,
  WrongExpectedRevisionError,
  type ExpectedRevision,
  type NewEvent,
} from '../event-store.port';
import { InvalidEventStoreArgumentError } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A NUL character or a lone UTF-16 surrogate cannot be stored by PostgreSQL jsonb (nor encoded as
// UTF-8 faithfully), so the port rejects them everywhere.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const MAX_STREAM_ID_LENGTH = 1000;
export const MAX_EVENT_TYPE_LENGTH = 500;

export function assertStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidEventStoreArgumentError('streamId must be a non-empty string');
  }
  if (streamId.length > MAX_STREAM_ID_LENGTH) {
    throw new InvalidEventStoreArgumentError(`streamId is longer than ${MAX_STREAM_ID_LENGTH} characters`);
  }
  if (UNSTORABLE.test(streamId)) {
    throw new InvalidEventStoreArgumentError('streamId contains a NUL character or a lone surrogate');
  }
}

function assertJsonValue(value: unknown, path: string, seen: Set<object>): void {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidEventStoreArgumentError(`${path} is not a finite number`);
    return;
  }
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value)) {
      throw new InvalidEventStoreArgumentError(`${path} contains a NUL character or a lone surrogate`);
    }
    return;
  }
  if (typeof value !== 'object') {
    throw new InvalidEventStoreArgumentError(`${path} is a ${typeof value}, not a JSON value`);
  }
  if (seen.has(value)) throw new InvalidEventStoreArgumentError(`${path} is a circular reference`);
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (item === undefined) throw new InvalidEventStoreArgumentError(`${path}[${i}] is undefined`);
      assertJsonValue(item, `${path}[${i}]`, seen);
    });
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidEventStoreArgumentError(`${path} is not a plain object (${proto?.constructor?.name ?? 'unknown'})`);
    }
    for (const [key, item] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) {
        throw new InvalidEventStoreArgumentError(`${path} has a key with a NUL character or a lone surrogate`);
      }
      // undefined properties are dropped, exactly as JSON does
      if (item !== undefined) assertJsonValue(item, `${path}.${key}`, seen);
    }
  }
  seen.delete(value);
}

function assertJsonObject(value: unknown, path: string): asserts value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidEventStoreArgumentError(`${path} must be a JSON object`);
  }
  assertJsonValue(value, path, new Set());
}

/** Validates an append and returns a normalised copy (lower-case ids, JSON-cloned payloads). */
export function normaliseAppend(
  streamId: unknown,
  events: unknown,
  options: { expectedRevision?: unknown } | undefined,
): { streamId: string; events: NewEvent[]; expected: ExpectedRevision } {
  assertStreamId(streamId);
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidEventStoreArgumentError('events must be a non-empty array');
  }
  const ids = new Set<string>();
  const normalised = events.map((event: unknown, i): NewEvent => {
    if (event === null || typeof event !== 'object') {
      throw new InvalidEventStoreArgumentError(`events[${i}] must be an object`);
    }
    const { eventId, type, data, metadata } = event as Record<string, unknown>;
    if (typeof eventId !== 'string' || !UUID.test(eventId)) {
      throw new InvalidEventStoreArgumentError(`events[${i}].eventId must be a UUID`);
    }
    const id = eventId.toLowerCase();
    if (ids.has(id)) throw new InvalidEventStoreArgumentError(`events[${i}].eventId ${id} appears twice in the batch`);
    ids.add(id);
    if (typeof type !== 'string' || type.length === 0 || type.length > MAX_EVENT_TYPE_LENGTH) {
      throw new InvalidEventStoreArgumentError(`events[${i}].type must be a string of 1..${MAX_EVENT_TYPE_LENGTH} characters`);
    }
    if (UNSTORABLE.test(type)) {
      throw new InvalidEventStoreArgumentError(`events[${i}].type contains a NUL character or a lone surrogate`);
    }
    assertJsonObject(data, `events[${i}].data`);
    assertJsonObject(metadata, `events[${i}].metadata`);
    return {
      eventId: id,
      type,
      data: JSON.parse(JSON.stringify(data)) as JsonObject,
      metadata: JSON.parse(JSON.stringify(metadata)) as JsonObject,
    };
  });
  const expected = options?.expectedRevision ?? 'any';
  if (
    expected !== 'any' &&
    expected !== 'no_stream' &&
    expected !== 'stream_exists' &&
    !(typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0)
  ) {
    throw new InvalidEventStoreArgumentError(
      `expectedRevision must be 'any', 'no_stream', 'stream_exists' or a non-negative integer, got ${String(expected)}`,
    );
  }
  return { streamId, events: normalised, expected: expected as ExpectedRevision };
}

export function normaliseFromRevision(options: { fromRevision?: unknown } | undefined): number {
  const from = options?.fromRevision ?? 0;
  if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 0) {
    throw new InvalidEventStoreArgumentError('fromRevision must be a non-negative integer');
  }
  return from;
}

/** The checkpoint as a number (-1 for 'start'): events with position > it are wanted. */
export function normaliseCheckpoint(from: unknown): number {
  if (from === undefined || from === 'start') return -1;
  if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < -1) {
    throw new InvalidEventStoreArgumentError(`checkpoint must be 'start' or an integer >= -1, got ${String(from)}`);
  }
  return from;
}

export function normaliseReadAll(options: { from?: unknown; maxCount?: unknown } | undefined): {
  after: number;
  maxCount: number;
} {
  const after = normaliseCheckpoint(options?.from);
  const maxCount = options?.maxCount ?? Number.POSITIVE_INFINITY;
  if (maxCount !== Number.POSITIVE_INFINITY && (typeof maxCount !== 'number' || !Number.isSafeInteger(maxCount) || maxCount < 0)) {
    throw new InvalidEventStoreArgumentError('maxCount must be a non-negative integer');
  }
  return { after, maxCount: maxCount as number };
}

export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
}

/** What the store already holds for one event id of a batch. */
export interface StoredIdentity {
  streamId: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

/**
 * The idempotency rule. Returns 'duplicate' when every event of the batch is already stored in
 * this stream with the same payload (the append is a no-op), 'new' when none is stored anywhere;
 * throws EventIdConflictError otherwise (mixed batch, other payload, id used in another stream).
 */
export function classifyBatch(
  streamId: string,
  events: readonly NewEvent[],
  stored: ReadonlyMap<string, StoredIdentity>,
): 'new' | 'duplicate' {
  const known = events.filter((e) => stored.has(e.eventId));
  if (known.length === 0) return 'new';
  const conflicting = known.filter((e) => {
    const s = stored.get(e.eventId)!;
    return s.streamId !== streamId || s.type !== e.type || !jsonEqual(s.data, e.data) || !jsonEqual(s.metadata, e.metadata);
  });
  if (known.length === events.length && conflicting.length === 0) return 'duplicate';
  throw new EventIdConflictError(streamId, (conflicting.length > 0 ? conflicting : known).map((e) => e.eventId));
}

/** Throws WrongExpectedRevisionError unless `current` (-1: no stream) satisfies `expected`. */
export function checkExpectedRevision(streamId: string, expected: ExpectedRevision, current: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === -1) ||
    (expected === 'stream_exists' && current >= 0) ||
    (typeof expected === 'number' && expected === current);
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, current === -1 ? 'no_stream' : current);
}

/** Converts a bigint / int8 string position to a number, refusing values beyond 2^53 - 1. */
export function toSafeNumber(value: bigint | string | number, onOverflow: (v: bigint | string) => Error): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw onOverflow(typeof value === 'number' ? String(value) : value);
  return n;
}
