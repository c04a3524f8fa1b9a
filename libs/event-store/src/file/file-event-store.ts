// Embedded event store: an append-only JSON Lines log in one directory, indexed on disk.
//
// Layout of <dir>:
//   events.jsonl  one line per event ({"kind":"event",...}), each batch followed by a commit line
//                 {"kind":"commit","count":n,"lastPosition":p,"checksum":sha256(batch's event lines)}
//   index.sqlite  (+ -wal, -shm) where each event's line is, by position, stream/revision and event
//                 id (see log-index.ts); derived from the log, rebuilt when missing or stale
//   LOCK          pid of the process that has the store open
//
// A batch is committed only when its commit line is complete and its checksum matches. On open,
// the whole log is checked in fixed-size chunks: an incomplete tail (a crash mid-append: half a
// line, event lines without their commit) is truncated; anything damaged before the last valid
// commit is reported as EventStoreCorruptError and nothing is truncated. Events are read from the
// log on demand, so memory does not grow with the number of events.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type {
  AllSubscription,
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  StoredEvent,
  SubscribeToAllOptions,
} from '../event-store.port';
import { EventStoreClosedError, EventStoreCorruptError, EventStoreFailedError, EventStoreLockedError } from '../errors';
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
import { LogIndex } from './log-index';
import { LogTail } from './log-tail';
import { checksum, toStoredEvent, type CommitRecord, type EventRecord } from './log-records';
import { scanLog, type IndexEntry } from './log-scanner';

export interface FileEventStoreOptions {
  /** Directory holding the log and the lock file (created when missing). */
  path: string;
  /** 'fsync' (default): an append resolves once the batch is on disk. 'none': skip fsync (benchmarks, tests). */
  durability?: 'fsync' | 'none';
  /** Events per batch handed to subscriptions (default 256). */
  subscriptionBatchSize?: number;
}

export const LOG_FILE = 'events.jsonl';
export const LOCK_FILE = 'LOCK';
export const INDEX_FILE = 'index.sqlite';

/** Lock paths held by FileEventStore instances of this process. */
const heldLocks = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquireLock(lockPath: string): Promise<void> {
  if (heldLocks.has(lockPath)) throw new EventStoreLockedError(lockPath, process.pid);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await fsp.open(lockPath, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      heldLocks.add(lockPath);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner: number | undefined;
    try {
      const text = (await fsp.readFile(lockPath, 'utf8')).trim();
      owner = /^\d+$/.test(text) ? Number(text) : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: retry
      throw error;
    }
    // A lock with our own pid that this process does not hold is stale (e.g. a container restart
    // that reused the pid); so is one of a dead process or an unreadable one.
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw new EventStoreLockedError(lockPath, owner);
    await fsp.rm(lockPath, { force: true }); // stale: take it over
  }
  throw new EventStoreLockedError(lockPath, undefined);
}

async function releaseLock(lockPath: string): Promise<void> {
  heldLocks.delete(lockPath);
  try {
    const text = (await fsp.readFile(lockPath, 'utf8')).trim();
    if (text === String(process.pid)) await fsp.rm(lockPath, { force: true });
  } catch {
    // already gone
  }
}

/** Committed events handed to the index per transaction while the log is scanned on open. */
const REINDEX_BATCH = 10_000;

export class FileEventStore implements EventStore {
  private readonly signal = new ChangeSignal();
  private readonly subscriptions = new Set<AllSubscription>();
  private readonly reads = new Set<Promise<unknown>>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private failure: Error | undefined;
  /** The newest bytes of the log, as appended: most reads are of what was just recorded. */
  private readonly tail = new LogTail();

  private constructor(
    private readonly dir: string,
    private readonly handle: fsp.FileHandle,
    private readonly index: LogIndex,
    private size: number,
    private head: number,
    private readonly durability: 'fsync' | 'none',
    private readonly batchSize: number,
  ) {}

  /**
   * Opens (creating when missing) the store in options.path; takes the process lock, checks the
   * log, truncates a torn tail and brings the index up to date with the log (building it for a
   * store written before the index existed).
   */
  static async open(options: FileEventStoreOptions): Promise<FileEventStore> {
    const dir = path.resolve(options.path);
    await fsp.mkdir(dir, { recursive: true });
    const lockPath = path.join(dir, LOCK_FILE);
    await acquireLock(lockPath);
    let handle: fsp.FileHandle | undefined;
    let index: LogIndex | undefined;
    try {
      // 'a+' creates the log when missing; r+ for positional writes ('a+' appends regardless of the offset)
      await (await fsp.open(path.join(dir, LOG_FILE), 'a+')).close();
      handle = await fsp.open(path.join(dir, LOG_FILE), 'r+');
      index = await LogIndex.open(path.join(dir, INDEX_FILE));
      const { validLength, events } = await FileEventStore.reconcile(handle, index);
      const { size } = await handle.stat();
      if (validLength < size) {
        await handle.truncate(validLength);
        await handle.sync();
      }
      return new FileEventStore(dir, handle, index, validLength, events - 1, options.durability ?? 'fsync', options.subscriptionBatchSize ?? 256);
    } catch (error) {
      index?.close();
      await handle?.close().catch(() => undefined);
      await releaseLock(lockPath);
      throw error;
    }
  }

  /**
   * Scans the whole log (in chunks) and indexes the committed events the index lacks. An index
   * that does not match the log (its last event is not where it says, or it holds events the log
   * lost) is cleared and rebuilt.
   */
  private static async reconcile(handle: fsp.FileHandle, index: LogIndex): Promise<{ validLength: number; events: number }> {
    for (let attempt = 0; ; attempt++) {
      let indexed = index.head();
      if (indexed >= 0 && !(await FileEventStore.indexMatches(handle, index, indexed))) {
        index.clear();
        indexed = -1;
      }
      const buffer: IndexEntry[] = [];
      let bufferEnd = 0;
      const flush = (): void => {
        if (buffer.length) index.insert(buffer.splice(0), bufferEnd);
      };
      const result = await scanLog(handle, (batch, end) => {
        if (batch[batch.length - 1].position <= indexed) return;
        for (const e of batch) if (e.position > indexed) buffer.push(e);
        bufferEnd = end;
        if (buffer.length >= REINDEX_BATCH) flush();
      });
      flush();
      if (result.events - 1 >= indexed) return result;
      if (attempt > 0) throw new EventStoreCorruptError('the event store index cannot be rebuilt from the log');
      index.clear(); // the index holds events the log no longer has: rebuild it
    }
  }

  /** Whether the index's last event is the event line at the byte range it records. */
  private static async indexMatches(handle: fsp.FileHandle, index: LogIndex, position: number): Promise<boolean> {
    const entry = index.entry(position);
    if (!entry) return false;
    const bytes = Buffer.alloc(entry.length);
    const { bytesRead } = await handle.read(bytes, 0, entry.length, entry.offset);
    if (bytesRead !== entry.length || bytes[entry.length - 1] !== 0x0a) return false;
    try {
      const r = JSON.parse(bytes.toString('utf8', 0, entry.length - 1)) as EventRecord;
      return r.kind === 'event' && r.position === position && r.eventId === entry.eventId && r.streamId === entry.streamId && r.revision === entry.revision;
    } catch {
      return false;
    }
  }

  /** The directory of the store. */
  get location(): string {
    return this.dir;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }

  /** Runs a read of the log; close() waits for the reads in flight before closing the file. */
  private track<T>(read: () => Promise<T>): Promise<T> {
    this.assertOpen();
    const run = read();
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.reads.add(settled);
    void settled.then(() => this.reads.delete(settled));
    return run;
  }

  private async readBytes(offset: number, length: number): Promise<Buffer> {
    const held = this.tail.read(offset, length);
    if (held) return held;
    const bytes = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await this.handle.read(bytes, read, length - read, offset + read);
      if (bytesRead === 0) throw new EventStoreCorruptError(`the event log ends before byte ${offset + length}: it was changed while open`);
      read += bytesRead;
    }
    return bytes;
  }

  /** The event lines of a byte range of the log (commit lines skipped), parsed afresh: callers get their own copies. */
  private async readEvents(offset: number, length: number): Promise<StoredEvent[]> {
    const bytes = await this.readBytes(offset, length);
    const events: StoredEvent[] = [];
    let start = 0;
    for (let nl = bytes.indexOf(0x0a, start); nl !== -1; nl = bytes.indexOf(0x0a, start)) {
      const record = JSON.parse(bytes.toString('utf8', start, nl)) as EventRecord | CommitRecord;
      if (record.kind === 'event') events.push(toStoredEvent(record));
      start = nl + 1;
    }
    return events;
  }

  /** Up to `max` events with position > after, in position order. */
  private fetchAfter(after: number, max: number): Promise<StoredEvent[]> {
    return this.track(async () => {
      const to = Math.min(this.head, after + max);
      if (to <= after) return [];
      const span = this.index.span(after + 1, to);
      return this.readEvents(span.offset, span.length);
    });
  }

  append(streamId: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
    try {
      this.assertOpen();
      const input = normaliseAppend(streamId, events, options);
      const run = this.queue.then(() => this.appendNow(input.streamId, input.events, input.expected));
      this.queue = run.catch(() => undefined);
      return run;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // Runs serialised on this.queue. Appends accepted before close() still complete.
  private async appendNow(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.failure) throw new EventStoreFailedError('the file event store failed earlier and refuses appends', { cause: this.failure });
    const current = this.index.streamHead(streamId);
    const stored = new Map<string, StoredIdentity>();
    for (const e of events) {
      const range = this.index.byEventId(e.eventId);
      if (range) stored.set(e.eventId, (await this.readEvents(range.offset, range.length))[0]);
    }
    if (classifyBatch(streamId, events, stored) === 'duplicate') {
      return { nextExpectedRevision: current.revision, position: current.position, written: false };
    }
    checkExpectedRevision(streamId, expected, current.revision);

    const recordedAt = new Date().toISOString();
    const records: EventRecord[] = events.map((e, i) => ({
      kind: 'event',
      streamId,
      revision: current.revision + 1 + i,
      position: this.head + 1 + i,
      eventId: e.eventId,
      type: e.type,
      data: e.data,
      metadata: e.metadata,
      recordedAt,
    }));
    const lines = records.map((r) => Buffer.from(JSON.stringify(r) + '\n', 'utf8'));
    const body = Buffer.concat(lines);
    const commit: CommitRecord = {
      kind: 'commit',
      count: records.length,
      lastPosition: records[records.length - 1].position,
      checksum: checksum(body),
    };
    const bytes = Buffer.concat([body, Buffer.from(JSON.stringify(commit) + '\n', 'utf8')]);
    try {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, written, bytes.length - written, this.size + written);
        written += bytesWritten;
      }
      if (this.durability === 'fsync') await this.handle.datasync();
    } catch (error) {
      // Roll the partial batch back so that the next append does not follow a torn record.
      try {
        await this.handle.truncate(this.size);
      } catch (truncateError) {
        this.failure = truncateError as Error;
      }
      throw error;
    }
    let offset = this.size;
    const entries: IndexEntry[] = records.map((r, i) => {
      const entry = { position: r.position, offset, length: lines[i].length, streamId, revision: r.revision, eventId: r.eventId };
      offset += lines[i].length;
      return entry;
    });
    try {
      this.index.insert(entries, this.size + bytes.length);
    } catch (error) {
      // The batch is in the log (and indexed on the next open) but this instance cannot find it.
      this.failure = error as Error;
      throw new EventStoreFailedError('the batch was written to the log but could not be indexed; reopen the store', { cause: error });
    }
    this.tail.append(this.size, bytes);
    this.size += bytes.length;
    this.head = records[records.length - 1].position;
    this.signal.bump();
    const last = records[records.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position, written: true };
  }

  async readStream(streamId: string, options?: { fromRevision?: number }): Promise<StoredEvent[]> {
    this.assertOpen();
    assertStreamId(streamId);
    const from = normaliseFromRevision(options);
    return this.track(async () => {
      const ranges = this.index.stream(streamId, from);
      return (await Promise.all(ranges.map((r) => this.readEvents(r.offset, r.length)))).flat();
    });
  }

  readAll(options?: { from?: number | 'start'; maxCount?: number }): AsyncIterable<StoredEvent> {
    // Errors (closed store, bad options) surface on iteration, like the other adapters' reads.
    return { [Symbol.asyncIterator]: () => this.iterateAll(options) };
  }

  private async *iterateAll(options?: { from?: number | 'start'; maxCount?: number }): AsyncGenerator<StoredEvent> {
    this.assertOpen();
    const { after, maxCount } = normaliseReadAll(options);
    // The head when the read starts: events appended during the iteration are not included.
    const end = Math.min(this.head, after + maxCount);
    for (let from = after; from < end; ) {
      const batch = await this.fetchAfter(from, Math.min(this.batchSize, end - from));
      for (const e of batch) yield e;
      from = batch[batch.length - 1].position;
    }
  }

  subscribeToAll(options: SubscribeToAllOptions, handler: (event: StoredEvent) => Promise<void>): AllSubscription {
    this.assertOpen();
    const after = normaliseCheckpoint(options.from);
    const subscription = startCatchUpSubscription(
      {
        signal: this.signal,
        head: async () => this.head,
        fetch: (from) => this.fetchAfter(from, this.batchSize),
        onEnd: () => this.subscriptions.delete(subscription),
      },
      after,
      handler,
      options.onError,
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.head;
  }

  /** Stops the subscriptions, waits for pending appends and reads, closes the log and the index, releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.queue;
    await Promise.all([...this.reads]);
    this.index.close();
    await this.handle.close();
    await releaseLock(path.join(this.dir, LOCK_FILE));
  }
}
