import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeKeyStoreContract } from '../testing';
import { FileKeyStore } from './file-key-store';

async function tempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'vegvision-file-keys-'));
}

describeKeyStoreContract('FileKeyStore', async () => {
  const dir = await tempDir();
  return {
    store: await FileKeyStore.open({ dir }),
    reopen: () => FileKeyStore.open({ dir }),
    cleanup: () => fsp.rm(dir, { recursive: true, force: true }),
  };
});

describe('FileKeyStore on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

  it('keeps one 0600 JSON file per key and removes it on destroy', async () => {
    const store = await FileKeyStore.open({ dir });
    const key = await store.create('img');
    const files = await fsp.readdir(dir);
    expect(files).toHaveLength(1);
    const file = path.join(dir, files[0]);
    expect(JSON.parse(await fsp.readFile(file, 'utf8'))).toEqual({ id: 'img', key: key.toString('base64') });
    expect((await fsp.stat(file)).mode & 0o777).toBe(0o600);
    await store.destroy('img');
    expect(await fsp.readdir(dir)).toEqual([]);
    await store.close();
  });

  it('overwrites the key in place before unlinking it: another name of the file reads zeros', async () => {
    const store = await FileKeyStore.open({ dir });
    await store.create('img');
    const [file] = await fsp.readdir(dir);
    const alias = path.join(dir, 'alias-of-the-key');
    await fsp.link(path.join(dir, file), alias); // like a temporary file left by a crash between link and unlink
    await store.destroy('img');
    const left = await fsp.readFile(alias);
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((b) => b === 0)).toBe(true);
    await store.close();
  });

  it('on open, shreds a file a crash left half-destroyed and unlinks stale temporary files', async () => {
    await fsp.writeFile(path.join(dir, 'abc.key.1.beef.shred'), '{"id":"x","key":"c2VjcmV0"}');
    const stale = path.join(dir, 'abd.key.1.beef.tmp');
    await fsp.writeFile(stale, '{"id":"y","key":"c2VjcmV0"}');
    const old = new Date(Date.now() - 10 * 60_000);
    await fsp.utimes(stale, old, old);
    const fresh = path.join(dir, 'abe.key.1.beef.tmp'); // may be another process's create in flight
    await fsp.writeFile(fresh, '{}');
    const store = await FileKeyStore.open({ dir });
    expect(await fsp.readdir(dir)).toEqual(['abe.key.1.beef.tmp']);
    await store.close();
  });

  it('a damaged key file is reported as KEY_STORE_CORRUPT, never read as another key', async () => {
    const store = await FileKeyStore.open({ dir });
    await store.create('img');
    const [file] = await fsp.readdir(dir);
    await fsp.writeFile(path.join(dir, file), 'garbage');
    await expect(store.get('img')).rejects.toHaveProperty('code', 'KEY_STORE_CORRUPT');
    await fsp.writeFile(path.join(dir, file), JSON.stringify({ id: 'img', key: 'c2hvcnQ=' }));
    await expect(store.get('img')).rejects.toHaveProperty('code', 'KEY_STORE_CORRUPT');
    await store.destroy('img'); // a destroy still removes it
    expect(await store.get('img')).toBeUndefined();
    await store.close();
  });

  it('two instances on one directory (two processes) agree on one key', async () => {
    const a = await FileKeyStore.open({ dir });
    const b = await FileKeyStore.open({ dir });
    const [ka, kb] = await Promise.all([a.create('img'), b.create('img')]);
    expect(ka.equals(kb)).toBe(true);
    await b.destroy('img');
    expect(await a.get('img')).toBeUndefined();
    await a.close();
    await b.close();
  });
});
