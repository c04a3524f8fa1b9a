// Reads the file event store's log from the first byte to the last in fixed-size chunks (memory
// does not grow with the log), checks every batch against its commit line and reports the
// committed events with their byte offsets.
//
// A batch is committed only when its commit line is complete and its checksum matches. The scan
// stops at the first line that is neither: if no complete commit line follows, that is a torn
// write (validLength says where to truncate); if one does, the log is damaged and the scan throws
// EventStoreCorruptError.
import { createHash, type Hash } from 'node:crypto';
import type { promises as fsp } from 'node:fs';
import { EventStoreCorruptError } from '../errors';
import { isEventRecord, type CommitRecord, type EventRecord } from './log-records';

/** Where an event lives in the log, and the keys the index looks it up by. */
export interface IndexEntry {
  position: number;
  /** Byte offset of the event's line. */
  offset: number;
  /** Byte length of the line, newline included. */
  length: number;
  streamId: string;
  revision: number;
  eventId: string;
}

export interface ScanResult {
  /** Byte length of the committed part of the log (where a torn tail starts). */
  validLength: number;
  /** Number of committed events (positions 0 .. events - 1). */
  events: number;
}

const NEWLINE = 0x0a;

export async function scanLog(
  handle: fsp.FileHandle,
  /** Called per committed batch with its events and the byte offset just after its commit line. */
  onCommitted: (batch: IndexEntry[], end: number) => void,
  chunkSize = 1 << 20,
): Promise<ScanResult> {
  let committed = 0;
  let validLength = 0;
  let pending: IndexEntry[] = [];
  let hash: Hash | undefined;
  let damagedAt: number | undefined;

  const line = (bytes: Buffer, offset: number): void => {
    // bytes: one complete line, newline included
    let record: EventRecord | CommitRecord | undefined;
    try {
      record = JSON.parse(bytes.subarray(0, bytes.length - 1).toString('utf8')) as EventRecord | CommitRecord;
    } catch {
      record = undefined;
    }
    if (damagedAt === undefined && record?.kind === 'event' && isEventRecord(record, committed + pending.length)) {
      if (pending.length === 0) hash = createHash('sha256');
      hash!.update(bytes);
      pending.push({
        position: record.position,
        offset,
        length: bytes.length,
        streamId: record.streamId,
        revision: record.revision,
        eventId: record.eventId,
      });
      return;
    }
    if (
      damagedAt === undefined &&
      record?.kind === 'commit' &&
      pending.length > 0 &&
      record.count === pending.length &&
      record.lastPosition === pending[pending.length - 1].position &&
      record.checksum === hash!.digest('hex')
    ) {
      validLength = offset + bytes.length;
      onCommitted(pending, validLength);
      committed += pending.length;
      pending = [];
      return;
    }
    damagedAt ??= offset;
    // A complete commit line at or after the damage (a batch that no longer matches its checksum,
    // or batches committed after a damaged line) means this is not a torn write at the end.
    if (record?.kind === 'commit' && typeof record.checksum === 'string') {
      throw new EventStoreCorruptError(
        `the event log is damaged at byte ${damagedAt} and committed batches follow: refusing to open (not a torn write at the end)`,
      );
    }
  };

  const chunk = Buffer.allocUnsafe(chunkSize);
  let carry: Buffer = Buffer.alloc(0); // the start of a line that continues in the next chunk
  let carryOffset = 0; // its byte offset in the log
  let filePosition = 0;
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, chunkSize, filePosition);
    if (bytesRead === 0) break;
    filePosition += bytesRead;
    const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
    let start = 0;
    for (let nl = data.indexOf(NEWLINE, start); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
      line(data.subarray(start, nl + 1), carryOffset + start);
      start = nl + 1;
    }
    // copy: `chunk` is reused by the next read
    carry = Buffer.from(data.subarray(start));
    carryOffset += start;
  }
  // What is left is half a line (no newline): never committed, a torn write at the end.
  return { validLength, events: committed };
}
