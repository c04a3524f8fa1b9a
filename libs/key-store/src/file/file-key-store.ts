// Embedded key store: one small JSON file per key in a directory,
// <dir>/<sha256 of the id>.key = {"id": ..., "key": "<base64>"} (mode 0600).
//
// create() writes a temporary file, fsyncs it and hard-links it to the key's name: the link fails
// when the key exists already (another call or another process created it first), and that key is
// returned instead, so every caller gets the same key. The directory is fsynced before create()
// resolves. destroy() renames the file away (atomic: after the directory's fsync no restart brings
// it back), overwrites its bytes with zeros in place, fsyncs and unlinks it. Overwriting the inode
// also blanks any other link to it (a temporary file left by a crash between link and unlink).
// On open, half-shredded files (*.shred) are shredded and temporary files older than a minute
// (*.tmp) unlinked.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { KeyStore } from '../key-store.port';
import { DATA_KEY_BYTES } from '../key-store.port';
import { KeyStoreClosedError, KeyStoreCorruptError } from '../errors';
import { assertKeyId, checkedKey } from '../internal/validation';

export interface FileKeyStoreOptions {
  /** Directory holding the key files (created when missing, mode 0700). */
  dir: string;
}

interface KeyFile {
  id: string;
  key: string;
}

const STALE_TMP_MS = 60_000;

export class FileKeyStore implements KeyStore {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly dir: string) {}

  static async open(options: FileKeyStoreOptions): Promise<FileKeyStore> {
    const dir = path.resolve(options.dir);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const store = new FileKeyStore(dir);
    await store.removeStrays();
    return store;
  }

  /** The directory of the store. */
  get location(): string {
    return this.dir;
  }

  private file(id: string): string {
    return path.join(this.dir, `${createHash('sha256').update(id, 'utf8').digest('hex')}.key`);
  }

  async get(id: string): Promise<Buffer | undefined> {
    if (this.closed) throw new KeyStoreClosedError();
    assertKeyId(id);
    return this.read(id);
  }

  create(id: string): Promise<Buffer> {
    return this.serialised(id, () => this.createNow(id));
  }

  destroy(id: string): Promise<void> {
    return this.serialised(id, () => this.destroyNow(id));
  }

  private serialised<T>(id: string, task: () => Promise<T>): Promise<T> {
    try {
      if (this.closed) throw new KeyStoreClosedError();
      assertKeyId(id);
    } catch (error) {
      return Promise.reject(error);
    }
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(id: string): Promise<Buffer | undefined> {
    const file = this.file(id);
    let text: string;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let parsed: Partial<KeyFile> | undefined;
    try {
      parsed = JSON.parse(text) as Partial<KeyFile>;
    } catch {
      parsed = undefined;
    }
    if (parsed?.id !== id || typeof parsed.key !== 'string') {
      throw new KeyStoreCorruptError(`key file ${file} does not hold the key of "${id}"`);
    }
    return checkedKey(Buffer.from(parsed.key, 'base64'), id);
  }

  private async createNow(id: string): Promise<Buffer> {
    const existing = await this.read(id);
    if (existing) return existing;
    const file = this.file(id);
    const key = randomBytes(DATA_KEY_BYTES);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const body: KeyFile = { id, key: key.toString('base64') };
    try {
      const handle = await fsp.open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(body) + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await fsp.link(tmp, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // Another process created it first: its key is the key.
        await this.shred(tmp);
        const winner = await this.read(id);
        if (!winner) throw new KeyStoreCorruptError(`the key of "${id}" vanished while it was created`);
        return winner;
      }
      await fsp.unlink(tmp);
    } catch (error) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw error;
    }
    await this.syncDir();
    return key;
  }

  private async destroyNow(id: string): Promise<void> {
    const file = this.file(id);
    const doomed = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.shred`;
    try {
      await fsp.rename(file, doomed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await this.syncDir(); // from here on no restart brings the key back under its name
    await this.shred(doomed);
    await this.syncDir();
  }

  /** Overwrites the file's bytes with zeros (in place, fsynced), then unlinks it. */
  private async shred(file: string): Promise<void> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(file, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size > 0) await handle.write(Buffer.alloc(size), 0, size, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rm(file, { force: true });
  }

  private async syncDir(): Promise<void> {
    const dir = await fsp.open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  private async removeStrays(): Promise<void> {
    const now = Date.now();
    let removed = false;
    for (const name of await fsp.readdir(this.dir)) {
      const file = path.join(this.dir, name);
      if (name.endsWith('.shred')) {
        await this.shred(file);
        removed = true;
      } else if (name.endsWith('.tmp')) {
        const stat = await fsp.stat(file).catch(() => null);
        // Only unlinked, never overwritten: after a crash between link and unlink it is a second
        // name of a live key file (the key was never handed out otherwise).
        if (stat && now - stat.mtimeMs > STALE_TMP_MS) {
          await fsp.rm(file, { force: true });
          removed = true;
        }
      }
    }
    if (removed) await this.syncDir();
  }

  /** Waits for the calls in flight; later calls fail with KeyStoreClosedError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
  }
}
