// Embedded event store: an append-only JSON Lines log in one directory, indexed in memory.
//
// Layout of <dir>:
//   events.jsonl  one line per event ({"kind":"event",...}), each batch followed by a commit line
//                 {"kind":"commit","count":n,"lastPosition":p,"checksum":sha256(batch's event lines)}
//   LOCK          pid of the process that has the store open
//
// A batch is committed only when its commit line is complete and its checksum matches. On open,
// an incomplete tail (a crash mid-append: half a line, event lines without their commit) is
// truncated; anything damaged before the last valid commit is reported as EventStoreCorruptError
// and nothing is truncated.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { JsonObject } from '@bufbuild/protobuf';
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

interface EventRecord {
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

interface CommitRecord {
  kind: 'commit';
  count: number;
  lastPosition: number;
  checksum: string;
}

/** Lock paths held by FileEventStore instances of this process. */
const heldLocks = new Set<string>();

function checksum(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

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

export class FileEventStore implements EventStore {
  private readonly events: StoredEvent[] = []; // index = position
  private readonly streams = new Map<string, number[]>(); // stream -> positions by revision
  private readonly byId = new Map<string, number>(); // event id -> position
  private readonly signal = new ChangeSignal();
  private readonly subscriptions = new Set<AllSubscription>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private failure: Error | undefined;

  private constructor(
    private readonly dir: string,
    private handle: fsp.FileHandle,
    private size: number,
    private readonly durability: 'fsync' | 'none',
    private readonly batchSize: number,
  ) {}

  /** Opens (creating when missing) the store in options.path; takes the process lock. */
  static async open(options: FileEventStoreOptions): Promise<FileEventStore> {
    const dir = path.resolve(options.path);
    await fsp.mkdir(dir, { recursive: true });
    const lockPath = path.join(dir, LOCK_FILE);
    await acquireLock(lockPath);
    let handle: fsp.FileHandle | undefined;
    try {
      handle = await fsp.open(path.join(dir, LOG_FILE), 'a+');
      const content = await handle.readFile();
      const { records, validLength } = parseLog(content);
      if (validLength < content.length) {
        await handle.truncate(validLength);
        await handle.sync();
      }
      // 'a+' appends regardless of the offset; reopen r+ for positional writes
      await handle.close();
      handle = await fsp.open(path.join(dir, LOG_FILE), 'r+');
      const store = new FileEventStore(dir, handle, validLength, options.durability ?? 'fsync', options.subscriptionBatchSize ?? 256);
      for (const record of records) store.index(record);
      return store;
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await releaseLock(lockPath);
      throw error;
    }
  }

  /** The directory of the store. */
  get location(): string {
    return this.dir;
  }

  private index(record: EventRecord): void {
    const event: StoredEvent = {
      streamId: record.streamId,
      revision: record.revision,
      position: record.position,
      eventId: record.eventId,
      type: record.type,
      data: record.data,
      metadata: record.metadata,
      recordedAt: record.recordedAt,
    };
    this.events.push(event);
    let positions = this.streams.get(event.streamId);
    if (!positions) this.streams.set(event.streamId, (positions = []));
    positions.push(event.position);
    this.byId.set(event.eventId, event.position);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
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
    const positions = this.streams.get(streamId) ?? [];
    const current = positions.length - 1;
    const stored = new Map<string, StoredIdentity>();
    for (const e of events) {
      const pos = this.byId.get(e.eventId);
      if (pos !== undefined) stored.set(e.eventId, this.events[pos]);
    }
    if (classifyBatch(streamId, events, stored) === 'duplicate') {
      return { nextExpectedRevision: current, position: positions[current], written: false };
    }
    checkExpectedRevision(streamId, expected, current);

    const recordedAt = new Date().toISOString();
    const records: EventRecord[] = events.map((e, i) => ({
      kind: 'event',
      streamId,
      revision: current + 1 + i,
      position: this.events.length + i,
      eventId: e.eventId,
      type: e.type,
      data: e.data,
      metadata: e.metadata,
      recordedAt,
    }));
    const body = Buffer.from(records.map((r) => JSON.stringify(r) + '\n').join(''), 'utf8');
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
    this.size += bytes.length;
    for (const r of records) this.index(r);
    this.signal.bump();
    const last = records[records.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position, written: true };
  }

  async readStream(streamId: string, options?: { fromRevision?: number }): Promise<StoredEvent[]> {
    this.assertOpen();
    assertStreamId(streamId);
    const from = normaliseFromRevision(options);
    const positions = this.streams.get(streamId) ?? [];
    return positions.slice(from).map((p) => this.copy(this.events[p]));
  }

  readAll(options?: { from?: number | 'start'; maxCount?: number }): AsyncIterable<StoredEvent> {
    // Errors (closed store, bad options) surface on iteration, like the other adapters' reads.
    return { [Symbol.asyncIterator]: () => this.iterateAll(options) };
  }

  private async *iterateAll(options?: { from?: number | 'start'; maxCount?: number }): AsyncGenerator<StoredEvent> {
    this.assertOpen();
    const { after, maxCount } = normaliseReadAll(options);
    // The head when the read starts: events appended during the iteration are not included.
    const end = Math.min(this.events.length, after + 1 + maxCount);
    for (let p = after + 1; p < end; p++) yield this.copy(this.events[p]);
  }

  subscribeToAll(options: SubscribeToAllOptions, handler: (event: StoredEvent) => Promise<void>): AllSubscription {
    this.assertOpen();
    const after = normaliseCheckpoint(options.from);
    const subscription = startCatchUpSubscription(
      {
        signal: this.signal,
        head: async () => this.events.length - 1,
        fetch: async (from) => this.events.slice(from + 1, from + 1 + this.batchSize).map((e) => this.copy(e)),
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
    return this.events.length - 1;
  }

  /** Stops the subscriptions, waits for pending appends, closes the log and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.queue;
    await this.handle.close();
    await releaseLock(path.join(this.dir, LOCK_FILE));
  }

  // Handlers and callers get their own copies: nobody can mutate the store's memory.
  private copy(e: StoredEvent): StoredEvent {
    return { ...e, data: structuredClone(e.data), metadata: structuredClone(e.metadata) };
  }
}

/** Parses the log; returns the committed event records and the byte length they occupy. */
export function parseLog(content: Buffer): { records: EventRecord[]; validLength: number } {
  const records: EventRecord[] = [];
  let pending: EventRecord[] = [];
  let pendingStart = 0;
  let offset = 0;
  let validLength = 0;
  let damagedAt: number | undefined;
  while (offset < content.length) {
    const nl = content.indexOf(0x0a, offset);
    if (nl === -1) {
      damagedAt = offset; // half a line at the end
      break;
    }
    const line = content.subarray(offset, nl);
    let record: EventRecord | CommitRecord | undefined;
    try {
      record = JSON.parse(line.toString('utf8')) as EventRecord | CommitRecord;
    } catch {
      record = undefined;
    }
    if (record?.kind === 'event' && isEventRecord(record, records.length + pending.length)) {
      if (pending.length === 0) pendingStart = offset;
      pending.push(record);
    } else if (
      record?.kind === 'commit' &&
      pending.length > 0 &&
      record.count === pending.length &&
      record.lastPosition === pending[pending.length - 1].position &&
      record.checksum === checksum(content.subarray(pendingStart, offset))
    ) {
      records.push(...pending);
      pending = [];
      validLength = nl + 1;
    } else {
      damagedAt = offset;
      break;
    }
    offset = nl + 1;
  }
  if (damagedAt !== undefined && hasCommitAfter(content, damagedAt)) {
    throw new EventStoreCorruptError(
      `the event log is damaged at byte ${damagedAt} and committed batches follow: refusing to open (not a torn write at the end)`,
    );
  }
  return { records, validLength };
}

function isEventRecord(r: EventRecord, expectedPosition: number): boolean {
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

function hasCommitAfter(content: Buffer, from: number): boolean {
  const rest = content.subarray(from).toString('utf8').split('\n');
  return rest.some((line) => {
    try {
      const r = JSON.parse(line) as { kind?: unknown; checksum?: unknown };
      return r.kind === 'commit' && typeof r.checksum === 'string';
    } catch {
      return false;
    }
  });
}
