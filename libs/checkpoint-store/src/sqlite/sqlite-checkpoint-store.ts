// Checkpoint store in a SQLite database file (libsql): table checkpoints(name primary key,
// position, updated_at). WAL journal with synchronous=FULL, so a save is durable once it resolved;
// busy_timeout lets several processes share the file.
import Database from 'libsql';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { CheckpointStore } from '../checkpoint-store.port';
import { CheckpointStoreClosedError } from '../errors';
import { assertCheckpointName, assertCheckpointPosition } from '../internal/validation';

export interface SqliteCheckpointStoreOptions {
  /** The database file (created with its directory when missing). */
  path: string;
}

export class SqliteCheckpointStore implements CheckpointStore {
  private readonly loadStatement: Database.Statement;
  private readonly saveStatement: Database.Statement;
  private closed = false;

  private constructor(private readonly db: Database.Database) {
    // raw(): libsql 0.5 adds a _metadata property to row objects
    this.loadStatement = db.prepare('SELECT position FROM checkpoints WHERE name = ?').raw();
    this.saveStatement = db.prepare(
      'INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at',
    );
  }

  static async open(options: SqliteCheckpointStoreOptions): Promise<SqliteCheckpointStore> {
    const file = path.resolve(options.path);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      db.exec('CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL, updated_at TEXT NOT NULL)');
      return new SqliteCheckpointStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async load(name: string): Promise<number | 'start'> {
    if (this.closed) throw new CheckpointStoreClosedError();
    assertCheckpointName(name);
    const row = this.loadStatement.get(name) as [number] | undefined;
    return row ? row[0] : 'start';
  }

  async save(name: string, position: number): Promise<void> {
    if (this.closed) throw new CheckpointStoreClosedError();
    assertCheckpointName(name);
    assertCheckpointPosition(position);
    this.saveStatement.run(name, position, new Date().toISOString());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
