// The file event store's index, on disk in SQLite (libsql): for every committed event its position,
// the byte range of its line in the log, its stream and revision and its event id. Memory stays
// flat whatever the size of the log (SQLite's page cache, a few MiB).
//
// The index is derived data: the log is the truth. It is written after the log (WAL journal,
// synchronous=NORMAL: consistent after a crash, but it may lose its last transactions, which the
// store re-indexes from the log on open). When it is missing, from another format version,
// unreadable or does not match the log, the store rebuilds it from the log.
import Database from 'libsql';
import { promises as fsp } from 'node:fs';
import type { IndexEntry } from './log-scanner';

/** Bumped when the schema changes; an index of another version is rebuilt. */
export const INDEX_FORMAT_VERSION = 1;

export interface ByteRange {
  offset: number;
  length: number;
}

type Db = Database.Database;

/** The first column of the first row of a raw statement (libsql 0.5 ignores pluck()). */
function scalar<T>(statement: Database.Statement, ...params: unknown[]): T | undefined {
  return (statement.get(...params) as unknown[] | undefined)?.[0] as T | undefined;
}
type Statement = Database.Statement;

export class LogIndex {
  private readonly stmts: {
    insert: Statement;
    setLogBytes: Statement;
    head: Statement;
    logBytes: Statement;
    entry: Statement;
    streamHead: Statement;
    stream: Statement;
    byEventId: Statement;
  };
  private readonly insertBatch: (entries: IndexEntry[], logBytes: number) => void;

  private constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare('INSERT INTO events (position, offset, length, stream_id, revision, event_id) VALUES (?, ?, ?, ?, ?, ?)'),
      setLogBytes: db.prepare("INSERT INTO meta (key, value) VALUES ('log_bytes', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
      head: db.prepare('SELECT max(position) FROM events').raw(),
      logBytes: db.prepare("SELECT value FROM meta WHERE key = 'log_bytes'").raw(),
      entry: db.prepare('SELECT position, offset, length, stream_id, revision, event_id FROM events WHERE position = ?').raw(),
      streamHead: db.prepare('SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').raw(),
      stream: db.prepare('SELECT offset, length FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision').raw(),
      byEventId: db.prepare('SELECT offset, length FROM events WHERE event_id = ?').raw(),
    };
    this.insertBatch = db.transaction((entries: IndexEntry[], logBytes: number) => {
      for (const e of entries) this.stmts.insert.run(e.position, e.offset, e.length, e.streamId, e.revision, e.eventId);
      this.stmts.setLogBytes.run(logBytes);
    });
  }

  /** Opens the index at `file`; one that cannot be read or has another format is replaced by an empty one. */
  static async open(file: string): Promise<LogIndex> {
    try {
      return LogIndex.openOrThrow(file);
    } catch {
      await LogIndex.remove(file);
      return LogIndex.openOrThrow(file);
    }
  }

  /** Deletes the index files (the database, its WAL and shared-memory files). */
  static async remove(file: string): Promise<void> {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) await fsp.rm(f, { force: true });
  }

  private static openOrThrow(file: string): LogIndex {
    const db = new Database(file);
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
      const version = scalar<number>(db.prepare('PRAGMA user_version').raw());
      if (version !== INDEX_FORMAT_VERSION) {
        if (version !== 0) throw new Error(`index format ${version}, expected ${INDEX_FORMAT_VERSION}`);
        db.exec(`
          CREATE TABLE events (
            position INTEGER PRIMARY KEY,
            offset INTEGER NOT NULL,
            length INTEGER NOT NULL,
            stream_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            event_id TEXT NOT NULL UNIQUE,
            UNIQUE (stream_id, revision)
          );
          CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
          PRAGMA user_version = ${INDEX_FORMAT_VERSION};
        `);
      }
      return new LogIndex(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Position of the last indexed event, -1 when none. */
  head(): number {
    return scalar<number | null>(this.stmts.head) ?? -1;
  }

  /** Byte length of the log up to the end of the last indexed batch. */
  logBytes(): number {
    return scalar<number | undefined>(this.stmts.logBytes) ?? 0;
  }

  entry(position: number): IndexEntry | undefined {
    const row = this.stmts.entry.get(position) as [number, number, number, string, number, string] | undefined;
    return row ? { position: row[0], offset: row[1], length: row[2], streamId: row[3], revision: row[4], eventId: row[5] } : undefined;
  }

  /** Records committed events (one transaction) and the log length they end at. */
  insert(entries: IndexEntry[], logBytes: number): void {
    this.insertBatch(entries, logBytes);
  }

  /** Empties the index (it is rebuilt from the log). */
  clear(): void {
    this.db.exec('DELETE FROM events; DELETE FROM meta;');
  }

  /** Last revision of a stream and its position; revision -1 when the stream does not exist. */
  streamHead(streamId: string): { revision: number; position: number } {
    const row = this.stmts.streamHead.get(streamId) as [number, number] | undefined;
    return row ? { revision: row[0], position: row[1] } : { revision: -1, position: -1 };
  }

  /** The events of a stream from a revision on, in revision order. */
  stream(streamId: string, fromRevision: number): ByteRange[] {
    return (this.stmts.stream.all(streamId, fromRevision) as [number, number][]).map(([offset, length]) => ({ offset, length }));
  }

  byEventId(eventId: string): ByteRange | undefined {
    const row = this.stmts.byEventId.get(eventId) as [number, number] | undefined;
    return row ? { offset: row[0], length: row[1] } : undefined;
  }

  /** The byte range of the log holding positions from..to (inclusive, both indexed). */
  span(from: number, to: number): ByteRange {
    const first = this.entry(from)!;
    const last = from === to ? first : this.entry(to)!;
    return { offset: first.offset, length: last.offset + last.length - first.offset };
  }

  close(): void {
    this.db.close();
  }
}
