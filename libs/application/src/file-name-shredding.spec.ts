// Crypto-shredding wired through the application on the embedded adapters (no workers): ingest
// records the file name only sealed, a rebuild hands the read model the opened name, a deletion
// destroys the key (also when it is retried after the key store failed), and after it a rebuild
// still works with the name gone.
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig, type VegvisionConfig } from '@vegvision/config';
import type { KeyStore } from '@vegvision/key-store';
import { CATALOG_PROJECTION, type ReadModel } from '@vegvision/read-model';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ImageDeletionService } from './image-deletion.service';
import { IngestService } from './ingest.service';
import { createLogger } from './logger';
import { RebuildService } from './rebuild.service';
import { KEY_STORE, READ_MODEL } from './tokens';
import { VegvisionModule } from './vegvision.module';

jest.setTimeout(60_000);

const png = (background: string) => sharp({ create: { width: 24, height: 16, channels: 3, background } }).png().toBuffer();

describe('file name crypto-shredding through the application', () => {
  let dir: string;
  let config: VegvisionConfig;
  let app: INestApplicationContext;
  let keys: KeyStore;
  const log = () => {
    if (config.eventStore.kind !== 'file') throw new Error('file event store expected');
    return fs.readFileSync(path.join(config.eventStore.path, 'events.jsonl'), 'utf8');
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-shred-'));
    config = loadConfig({ dataDir: dir, logLevel: 'silent' }, {});
    app = await NestFactory.createApplicationContext(VegvisionModule.forRoot({ config, logger: createLogger('silent'), workers: false }), {
      logger: false,
      abortOnError: false,
    });
    keys = app.get(KEY_STORE) as KeyStore;
  });
  afterEach(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records the name sealed only; the rebuilt read model shows it; after deletion a rebuild works and the name is unreadable', async () => {
    const { imageId } = await app.get(IngestService).ingest({ bytes: await png('#d01010'), source: 'upload', originalName: 'Ana holiday/tomato.png' });
    expect(log()).not.toContain('tomato.png');
    expect(log()).toMatch(/"sealedOriginalName":"v1:/);
    expect(await keys.get(imageId)).toBeDefined();
    const readModel = app.get(READ_MODEL) as ReadModel;
    await app.get(RebuildService).rebuild(CATALOG_PROJECTION);
    expect(await readModel.getImage(imageId)).toMatchObject({ originalName: 'tomato.png' });

    await readModel.reset(CATALOG_PROJECTION); // no projector runs here: the deletion need not wait for one
    expect(await app.get(ImageDeletionService).delete(imageId, 'ana')).toMatchObject({ recorded: true, leftCatalog: true });
    expect(await keys.get(imageId)).toBeUndefined();
    expect(log()).not.toContain('tomato.png');
    await app.get(RebuildService).rebuild(CATALOG_PROJECTION);
    expect(await readModel.getImage(imageId)).toBeNull();
  });

  it('a deletion whose key destruction failed answers an error; sending it again (404) destroys the key', async () => {
    const { imageId } = await app.get(IngestService).ingest({ bytes: await png('#10a010'), source: 'catalog', originalName: 'green.png' });
    const deletion = app.get(ImageDeletionService);
    const destroy = jest.spyOn(keys, 'destroy').mockRejectedValueOnce(new Error('key store down'));
    await expect(deletion.delete(imageId, 'ana')).rejects.toThrow('key store down');
    expect(await keys.get(imageId)).toBeDefined();
    await expect(deletion.delete(imageId, 'ana')).rejects.toHaveProperty('code', 'image_not_found');
    expect(destroy).toHaveBeenCalledTimes(2);
    expect(await keys.get(imageId)).toBeUndefined();
    // An id that never existed destroys nothing.
    await expect(deletion.delete('00000000-0000-5000-8000-000000000000', 'ana')).rejects.toHaveProperty('code', 'image_not_found');
    expect(destroy).toHaveBeenCalledTimes(2);
  });
});
