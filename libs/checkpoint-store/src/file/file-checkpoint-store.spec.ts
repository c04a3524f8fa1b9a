import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeCheckpointStoreContract } from '../testing';
import { FileCheckpointStore } from './file-checkpoint-store';

async function tempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'vegvision-file-cp-'));
}

describeCheckpointStoreContract('FileCheckpointStore', async () => {
  const dir = await tempDir();
  return {
    store: await FileCheckpointStore.open({ dir }),
    reopen: () => FileCheckpointStore.open({ dir }),
    cleanup: () => fsp.rm(dir, { recursive: true, force: true }),
  };
});

describe('FileCheckpointStore on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

  it('keeps one JSON file per checkpoint and ignores a temporary file left by a crash', async () => {
    const store = await FileCheckpointStore.open({ dir });
    await store.save('relay', 5);
    const files = await fsp.readdir(dir);
    expect(files).toHaveLength(1);
    expect(JSON.parse(await fsp.readFile(path.join(dir, files[0]), 'utf8'))).toEqual({ name: 'relay', position: 5 });
    await fsp.writeFile(path.join(dir, `${files[0]}.123.abcd.tmp`), '{"name":"relay","posi');
    expect(await store.load('relay')).toBe(5);
    await store.close();
  });

  it('a damaged checkpoint file is reported as CHECKPOINT_STORE_CORRUPT, not read as another position', async () => {
    const store = await FileCheckpointStore.open({ dir });
    await store.save('relay', 5);
    const [file] = await fsp.readdir(dir);
    await fsp.writeFile(path.join(dir, file), 'garbage');
    await expect(store.load('relay')).rejects.toHaveProperty('code', 'CHECKPOINT_STORE_CORRUPT');
    await store.save('relay', 6); // a save repairs it
    expect(await store.load('relay')).toBe(6);
    await store.close();
  });
});
