import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'libsql';
import { describeEventStoreContract, newEvent } from '../testing';
import { FileEventStore, INDEX_FILE, LOCK_FILE, LOG_FILE } from './file-event-store';
import { EventStoreCorruptError, EventIdConflictError, EventStoreLockedError } from '../index';
import { scanLog, type IndexEntry } from './log-scanner';

const LEGACY_STORE = path.join(__dirname, '../../fixtures/legacy-store');

const TIMEOUT = 60_000;

async function tempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'vegvision-file-es-'));
}

describeEventStoreContract('FileEventStore', async () => {
  const dir = await tempDir();
  const store = await FileEventStore.open({ path: dir, durability: 'fsync' });
  return {
    store,
    reopen: () => FileEventStore.open({ path: dir, durability: 'fsync' }),
    cleanup: () => fsp.rm(dir, { recursive: true, force: true }),
  };
});

describeEventStoreContract('FileEventStore (durability none)', async () => {
  const dir = await tempDir();
  const store = await FileEventStore.open({ path: dir, durability: 'none' });
  return { store, cleanup: () => fsp.rm(dir, { recursive: true, force: true }) };
});

describe('FileEventStore on disk', () => {
  let dir: string;
  const open: FileEventStore[] = [];

  const openStore = async (): Promise<FileEventStore> => {
    const store = await FileEventStore.open({ path: dir });
    open.push(store);
    return store;
  };

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  async function seed(): Promise<{ ids: string[]; size: number }> {
    const store = await openStore();
    const batches = [[newEvent('A'), newEvent('B')], [newEvent('C')]];
    await store.append('s', batches[0]);
    await store.append('t', batches[1]);
    await store.close();
    const { size } = await fsp.stat(path.join(dir, LOG_FILE));
    return { ids: batches.flat().map((e) => e.eventId), size };
  }

  async function readAllIds(store: FileEventStore): Promise<string[]> {
    const ids: string[] = [];
    for await (const e of store.readAll()) ids.push(e.eventId);
    return ids;
  }

  it('truncates half a line left by a crash mid-append, keeping earlier events', async () => {
    const { ids, size } = await seed();
    await fsp.appendFile(path.join(dir, LOG_FILE), '{"kind":"event","streamId":"s","revis');
    const store = await openStore();
    expect(await readAllIds(store)).toEqual(ids);
    expect((await fsp.stat(path.join(dir, LOG_FILE))).size).toBe(size);
    const r = await store.append('s', [newEvent()], { expectedRevision: 1 });
    expect(r).toEqual({ nextExpectedRevision: 2, position: 3, written: true });
    await store.close();
    const again = await openStore();
    expect((await again.readStream('s')).map((e) => e.revision)).toEqual([0, 1, 2]);
  }, TIMEOUT);

  it('drops a batch whose commit line never made it (events written, no commit) and garbage lines', async () => {
    const { ids, size } = await seed();
    const record = {
      kind: 'event',
      streamId: 's',
      revision: 2,
      position: 3,
      eventId: newEvent().eventId,
      type: 'Torn',
      data: {},
      metadata: {},
      recordedAt: new Date().toISOString(),
    };
    await fsp.appendFile(path.join(dir, LOG_FILE), JSON.stringify(record) + '\n' + 'garbage \u0000 not json\n');
    const store = await openStore();
    expect(await readAllIds(store)).toEqual(ids);
    expect(await store.readStream('s')).toHaveLength(2);
    expect((await fsp.stat(path.join(dir, LOG_FILE))).size).toBe(size);
  }, TIMEOUT);

  it('refuses to open when a committed batch no longer matches its checksum', async () => {
    const { ids } = await seed();
    const log = path.join(dir, LOG_FILE);
    const lines = (await fsp.readFile(log, 'utf8')).split('\n');
    // last batch = line 3 (event) + line 4 (commit): damage the event after it was "written"
    lines[3] = lines[3].replace('"C"', '"X"');
    await fsp.writeFile(log, lines.join('\n'));
    await expect(FileEventStore.open({ path: dir })).rejects.toBeInstanceOf(EventStoreCorruptError);
    // the file was not touched
    expect((await fsp.readFile(log, 'utf8')).split('\n')[3]).toContain('"X"');
    expect(ids).toHaveLength(3);
  }, TIMEOUT);

  it('refuses to open when damage is followed by committed batches (not a torn write)', async () => {
    await seed();
    const log = path.join(dir, LOG_FILE);
    const content = await fsp.readFile(log, 'utf8');
    await fsp.writeFile(log, 'garbage\n' + content);
    const error = await FileEventStore.open({ path: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStoreCorruptError);
    expect((error as EventStoreCorruptError).code).toBe('EVENT_STORE_CORRUPT');
    expect(await fsp.readFile(log, 'utf8')).toBe('garbage\n' + content);
  }, TIMEOUT);

  it('a second instance on the same directory fails with EventStoreLockedError while the first is open', async () => {
    const first = await openStore();
    const error = await FileEventStore.open({ path: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStoreLockedError);
    expect((error as EventStoreLockedError).code).toBe('EVENT_STORE_LOCKED');
    await first.close();
    open.splice(open.indexOf(first), 1);
    const second = await openStore();
    expect(await second.headPosition()).toBe(-1);
  }, TIMEOUT);

  it('another live process holding the lock makes open fail; its lock is taken over once it died', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await fsp.writeFile(path.join(dir, LOCK_FILE), `${child.pid}\n`);
      const error = await FileEventStore.open({ path: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventStoreLockedError);
      expect((error as EventStoreLockedError).ownerPid).toBe(child.pid);
      expect((error as Error).message).toContain(String(child.pid));
    } finally {
      child.kill();
      await exited;
    }
    const store = await openStore();
    expect((await fsp.readFile(path.join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
    await store.close();
    open.splice(open.indexOf(store), 1);
    await expect(fsp.stat(path.join(dir, LOCK_FILE))).rejects.toHaveProperty('code', 'ENOENT');
  }, TIMEOUT);

  it('writes one JSON line per event followed by a commit line per batch', async () => {
    const store = await openStore();
    await store.append('s', [newEvent('A', { x: 1 }), newEvent('B')]);
    const lines = (await fsp.readFile(path.join(dir, LOG_FILE), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.kind)).toEqual(['event', 'event', 'commit']);
    expect(lines[0]).toMatchObject({ streamId: 's', revision: 0, position: 0, type: 'A', data: { x: 1 } });
    expect(lines[2]).toMatchObject({ count: 2, lastPosition: 1, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
  }, TIMEOUT);

  async function removeIndex(): Promise<void> {
    for (const f of [INDEX_FILE, `${INDEX_FILE}-wal`, `${INDEX_FILE}-shm`]) await fsp.rm(path.join(dir, f), { force: true });
  }

  async function snapshot(store: FileEventStore): Promise<unknown> {
    const all: unknown[] = [];
    for await (const e of store.readAll()) all.push(e);
    return { all, head: await store.headPosition() };
  }

  it('opens a store written before the on-disk index existed: the index is built from the log', async () => {
    await fsp.copyFile(path.join(LEGACY_STORE, LOG_FILE), path.join(dir, LOG_FILE));
    const store = await openStore();
    expect(await store.headPosition()).toBe(3);
    expect((await store.readStream('image-a')).map((e) => [e.revision, e.position, e.type])).toEqual([
      [0, 0, 'ImageUploaded'],
      [1, 3, 'ColourDetected'],
    ]);
    const b = await store.readStream('image-b');
    expect(b.map((e) => e.data)).toEqual([{ name: 'b — ünïcødé 🥕' }, { kind: 'Carrot', confidence: 0.93 }]);
    expect((await fsp.stat(path.join(dir, INDEX_FILE))).isFile()).toBe(true);
    // event ids stay unique and idempotent after the migration
    const stored = { eventId: b[0].eventId, type: b[0].type, data: b[0].data, metadata: b[0].metadata };
    expect(await store.append('image-b', [stored], { expectedRevision: 0 })).toEqual({ nextExpectedRevision: 1, position: 2, written: false });
    await expect(store.append('image-c', [stored])).rejects.toBeInstanceOf(EventIdConflictError);
    expect(await store.append('image-a', [newEvent('Next')], { expectedRevision: 1 })).toEqual({ nextExpectedRevision: 2, position: 4, written: true });
    await store.close();
    // the log itself is untouched but for the new batch
    const legacy = await fsp.readFile(path.join(LEGACY_STORE, LOG_FILE));
    expect((await fsp.readFile(path.join(dir, LOG_FILE))).subarray(0, legacy.length).equals(legacy)).toBe(true);
  }, TIMEOUT);

  it('rebuilds a deleted index, and catches up an index that lags behind the log', async () => {
    await seed();
    const reference = await openStore();
    await reference.append('u', [newEvent('D'), newEvent('E')]);
    const expected = await snapshot(reference);
    await reference.close();

    await removeIndex();
    const rebuilt = await openStore();
    expect(await snapshot(rebuilt)).toEqual(expected);
    await rebuilt.close();

    // an index that lost its last transactions (a crash before SQLite wrote them)
    const db = new Database(path.join(dir, INDEX_FILE));
    db.exec("DELETE FROM events WHERE position >= 2; UPDATE meta SET value = 0 WHERE key = 'log_bytes'");
    db.close();
    const caughtUp = await openStore();
    expect(await snapshot(caughtUp)).toEqual(expected);
    expect((await caughtUp.readStream('u')).map((e) => e.revision)).toEqual([0, 1]);
    expect((await caughtUp.append('u', [newEvent()], { expectedRevision: 1 })).position).toBe(5);
  }, TIMEOUT);

  it('rebuilds an index that does not match the log (garbage file, or the log of another store)', async () => {
    await seed();
    await fsp.writeFile(path.join(dir, INDEX_FILE), 'not a database at all');
    await fsp.rm(path.join(dir, `${INDEX_FILE}-wal`), { force: true });
    const repaired = await openStore();
    expect(await readAllIds(repaired)).toHaveLength(3);
    await repaired.append('v', [newEvent('V')]);
    await repaired.close();

    // the log replaced by an older copy of itself (3 events): the index knows 4
    const store = await openStore();
    const older = await fsp.readFile(path.join(dir, LOG_FILE));
    await store.append('w', [newEvent('W')]);
    await store.close();
    await fsp.writeFile(path.join(dir, LOG_FILE), older);
    const reopened = await openStore();
    expect(await reopened.headPosition()).toBe(3);
    expect(await reopened.readStream('w')).toEqual([]);
    expect((await reopened.append('w', [newEvent()], { expectedRevision: 'no_stream' })).position).toBe(4);
  }, TIMEOUT);

  it('an index ahead of the log (a batch the log lost, e.g. durability none and a power cut) is rebuilt', async () => {
    await seed();
    const store = await openStore();
    await store.append('x', [newEvent('X')]);
    await store.close();
    // drop the commit line of the last batch: its event is torn and gets truncated
    const lines = (await fsp.readFile(path.join(dir, LOG_FILE), 'utf8')).split('\n');
    await fsp.writeFile(path.join(dir, LOG_FILE), lines.slice(0, -2).join('\n') + '\n');
    const reopened = await openStore();
    expect(await reopened.headPosition()).toBe(2);
    expect(await reopened.readStream('x')).toEqual([]);
    expect((await reopened.append('x', [newEvent()], { expectedRevision: 'no_stream' })).position).toBe(3);
  }, TIMEOUT);

  it('scans the log the same whatever the chunk size (lines spanning chunks)', async () => {
    await fsp.copyFile(path.join(LEGACY_STORE, LOG_FILE), path.join(dir, LOG_FILE));
    const scan = async (chunkSize: number) => {
      const handle = await fsp.open(path.join(dir, LOG_FILE), 'r');
      try {
        const entries: IndexEntry[] = [];
        const ends: number[] = [];
        const result = await scanLog(handle, (batch, end) => (entries.push(...batch), ends.push(end)), chunkSize);
        return { result, entries, ends };
      } finally {
        await handle.close();
      }
    };
    const whole = await scan(1 << 20);
    expect(whole.result).toEqual({ validLength: (await fsp.stat(path.join(dir, LOG_FILE))).size, events: 4 });
    expect(whole.entries.map((e) => e.position)).toEqual([0, 1, 2, 3]);
    expect(whole.ends).toHaveLength(3);
    for (const size of [1, 7, 100]) expect(await scan(size)).toEqual(whole);
  }, TIMEOUT);
});
