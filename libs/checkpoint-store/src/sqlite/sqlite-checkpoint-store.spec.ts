import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeCheckpointStoreContract } from '../testing';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';

describeCheckpointStoreContract('SqliteCheckpointStore', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'vegvision-sqlite-cp-'));
  const file = path.join(dir, 'nested', 'checkpoints.sqlite');
  return {
    store: await SqliteCheckpointStore.open({ path: file }),
    reopen: () => SqliteCheckpointStore.open({ path: file }),
    cleanup: () => fsp.rm(dir, { recursive: true, force: true }),
  };
});

describe('SqliteCheckpointStore with two instances on one file', () => {
  it('each sees what the other saved', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'vegvision-sqlite-cp-'));
    const file = path.join(dir, 'checkpoints.sqlite');
    const a = await SqliteCheckpointStore.open({ path: file });
    const b = await SqliteCheckpointStore.open({ path: file });
    try {
      await a.save('relay', 9);
      expect(await b.load('relay')).toBe(9);
      await b.save('relay', 10);
      expect(await a.load('relay')).toBe(10);
    } finally {
      await a.close();
      await b.close();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
