// The two kinds of line of the file event store's log (events.jsonl) and their checks.
import { createHash } from 'node:crypto';
import type { JsonObject } from '@bufbuild/protobuf';
import type { StoredEvent } from '../event-store.port';

export interface EventRecord {
  kind: 'event';
  streamId: string;
  revision: number;
  position: number;
  eventId: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  recordedAt: string;
}

export interface CommitRecord {
  kind: 'commit';
  count: number;
  lastPosition: number;
  /** SHA-256 (hex) of the batch's event lines, newlines included. */
  checksum: string;
}

export function checksum(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A well-formed event line at the position the log expects next. */
export function isEventRecord(r: EventRecord, expectedPosition: number): boolean {
  return (
    typeof r.streamId === 'string' &&
    Number.isInteger(r.revision) &&
    r.position === expectedPosition &&
    typeof r.eventId === 'string' &&
    typeof r.type === 'string' &&
    r.data !== null &&
    typeof r.data === 'object' &&
    r.metadata !== null &&
    typeof r.metadata === 'object' &&
    typeof r.recordedAt === 'string'
  );
}

/** The stored event of an event line (a fresh object: callers may keep or mutate it). */
export function toStoredEvent(record: EventRecord): StoredEvent {
  return {
    streamId: record.streamId,
    revision: record.revision,
    position: record.position,
    eventId: record.eventId,
    type: record.type,
    data: record.data,
    metadata: record.metadata,
    recordedAt: record.recordedAt,
  };
}
