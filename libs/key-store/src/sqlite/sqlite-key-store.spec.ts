import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeKeyStoreContract } from '../testing';
import { SqliteKeyStore } from './sqlite-key-store';

describeKeyStoreContract('SqliteKeyStore', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'vegvision-sqlite-keys-'));
  const file = path.join(dir, 'nested', 'keys.sqlite');
  return {
    store: await SqliteKeyStore.open({ path: file }),
    reopen: () => SqliteKeyStore.open({ path: file }),
    cleanup: () => fsp.rm(dir, { recursive: true, force: true }),
  };
});

describe('SqliteKeyStore on one file', () => {
  it('two instances agree on one key, and a destroyed key leaves no trace in the database files', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'vegvision-sqlite-keys-'));
    const file = path.join(dir, 'keys.sqlite');
    const a = await SqliteKeyStore.open({ path: file });
    const b = await SqliteKeyStore.open({ path: file });
    try {
      const key = await a.create('img');
      expect((await b.create('img')).equals(key)).toBe(true);
      await b.destroy('img');
      expect(await a.get('img')).toBeUndefined();
      await a.close();
      await b.close();
      for (const name of await fsp.readdir(dir)) {
        expect((await fsp.readFile(path.join(dir, name))).includes(key)).toBe(false);
      }
    } finally {
      await a.close();
      await b.close();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
