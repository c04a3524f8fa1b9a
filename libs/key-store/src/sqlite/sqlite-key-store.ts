// Key store in a SQLite database file (libsql): table data_keys(id primary key, key blob,
// created_at). WAL journal with synchronous=NORMAL, and a create or destroy resolves only once
// its WAL file was synced (what synchronous=FULL does inside each commit, but there an fsync
// that blocks the event loop; here libuv's thread pool waits for it): durable once it resolved.
// secure_delete overwrites a deleted key's bytes in the database file; busy_timeout lets
// several processes share the file. A checkpoint after a destroy moves it out of the WAL.
import Database from 'libsql';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { KeyStore } from '../key-store.port';
import { DATA_KEY_BYTES } from '../key-store.port';
import { KeyStoreClosedError } from '../errors';
import { assertKeyId, checkedKey } from '../internal/validation';

export interface SqliteKeyStoreOptions {
  /** The database file (created with its directory when missing). */
  path: string;
}

export class SqliteKeyStore implements KeyStore {
  private readonly getStatement: Database.Statement;
  private readonly insertStatement: Database.Statement;
  private readonly deleteStatement: Database.Statement;
  private closed = false;
  /** The WAL file, opened at the first sync (it exists from the first write on). */
  private wal?: Promise<fsp.FileHandle>;

  private constructor(
    private readonly db: Database.Database,
    private readonly file: string,
  ) {
    // raw(): libsql 0.5 adds a _metadata property to row objects
    this.getStatement = db.prepare('SELECT key FROM data_keys WHERE id = ?').raw();
    this.insertStatement = db.prepare('INSERT INTO data_keys (id, key, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING');
    this.deleteStatement = db.prepare('DELETE FROM data_keys WHERE id = ?');
  }

  static async open(options: SqliteKeyStoreOptions): Promise<SqliteKeyStore> {
    const file = path.resolve(options.path);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
      db.exec('PRAGMA secure_delete = ON');
      db.exec('CREATE TABLE IF NOT EXISTS data_keys (id TEXT PRIMARY KEY, key BLOB NOT NULL, created_at TEXT NOT NULL)');
      return new SqliteKeyStore(db, file);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private read(id: string): Buffer | undefined {
    const row = this.getStatement.get(id) as [Uint8Array] | undefined;
    return row ? checkedKey(Buffer.from(row[0]), id) : undefined;
  }

  async get(id: string): Promise<Buffer | undefined> {
    if (this.closed) throw new KeyStoreClosedError();
    assertKeyId(id);
    return this.read(id);
  }

  async create(id: string): Promise<Buffer> {
    if (this.closed) throw new KeyStoreClosedError();
    assertKeyId(id);
    this.insertStatement.run(id, randomBytes(DATA_KEY_BYTES), new Date().toISOString());
    const key = this.read(id);
    if (!key) throw new Error(`the key of "${id}" was destroyed while it was created`);
    await this.syncWal();
    return key;
  }

  async destroy(id: string): Promise<void> {
    if (this.closed) throw new KeyStoreClosedError();
    assertKeyId(id);
    const { changes } = this.deleteStatement.run(id);
    // Synced even when there was nothing to delete: a destroy retried after its sync failed
    // finds the row gone, and its delete is durable only once synced.
    await this.syncWal();
    if (changes > 0) {
      try {
        this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      } catch {
        // another connection is reading: the next checkpoint moves it
      }
    }
  }

  /** Syncs the WAL file: every commit written to it so far is durable (a checkpoint syncs what it moves on its own). */
  private async syncWal(): Promise<void> {
    this.wal ??= fsp.open(`${this.file}-wal`, 'r');
    try {
      await (await this.wal).datasync();
    } catch (error) {
      this.wal = undefined;
      // No WAL file: nothing was written since the database was last checkpointed and closed.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const wal = this.wal;
    this.wal = undefined;
    await wal?.then((handle) => handle.close()).catch(() => undefined);
    this.db.close();
  }
}
