// Embedded checkpoint store: one small JSON file per checkpoint in a directory,
// <dir>/<sha256 of the name>.json = {"name": ..., "position": ...}.
//
// A save writes a temporary file, fsyncs it, renames it over the checkpoint's file and fsyncs the
// directory: a crash leaves either the old or the new checkpoint, never half of one (at worst a
// stray *.tmp file, which is ignored). Saves of one instance are serialised; different names never
// touch the same file, so processes sharing the directory do not lose each other's checkpoints.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { CheckpointStore } from '../checkpoint-store.port';
import { CheckpointStoreClosedError, CheckpointStoreCorruptError } from '../errors';
import { assertCheckpointName, assertCheckpointPosition } from '../internal/validation';

export interface FileCheckpointStoreOptions {
  /** Directory holding the checkpoint files (created when missing). */
  dir: string;
}

interface CheckpointFile {
  name: string;
  position: number;
}

export class FileCheckpointStore implements CheckpointStore {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly dir: string) {}

  static async open(options: FileCheckpointStoreOptions): Promise<FileCheckpointStore> {
    const dir = path.resolve(options.dir);
    await fsp.mkdir(dir, { recursive: true });
    return new FileCheckpointStore(dir);
  }

  /** The directory of the store. */
  get location(): string {
    return this.dir;
  }

  private file(name: string): string {
    return path.join(this.dir, `${createHash('sha256').update(name, 'utf8').digest('hex')}.json`);
  }

  async load(name: string): Promise<number | 'start'> {
    if (this.closed) throw new CheckpointStoreClosedError();
    assertCheckpointName(name);
    const file = this.file(name);
    let text: string;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'start';
      throw error;
    }
    let parsed: Partial<CheckpointFile> | undefined;
    try {
      parsed = JSON.parse(text) as Partial<CheckpointFile>;
    } catch {
      parsed = undefined;
    }
    if (parsed?.name !== name || typeof parsed.position !== 'number' || !Number.isSafeInteger(parsed.position) || parsed.position < 0) {
      throw new CheckpointStoreCorruptError(`checkpoint file ${file} does not hold the checkpoint "${name}"`);
    }
    return parsed.position;
  }

  save(name: string, position: number): Promise<void> {
    try {
      if (this.closed) throw new CheckpointStoreClosedError();
      assertCheckpointName(name);
      assertCheckpointPosition(position);
    } catch (error) {
      return Promise.reject(error);
    }
    const run = this.queue.then(() => this.write(name, position));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(name: string, position: number): Promise<void> {
    const file = this.file(name);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const body: CheckpointFile = { name, position };
    try {
      const handle = await fsp.open(tmp, 'wx');
      try {
        await handle.writeFile(JSON.stringify(body) + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.rename(tmp, file);
    } catch (error) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw error;
    }
    const dir = await fsp.open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** Waits for the saves in flight; later calls fail with CheckpointStoreClosedError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
  }
}
