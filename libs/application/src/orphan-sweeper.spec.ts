// The orphan sweeper and the ingest's clean-up on the embedded adapters (file event store,
// local storage): only originals no event refers to, and temp files, older than the grace
// period are removed; an original an event refers to is never removed, even when the event is
// recorded while the clean-up runs.
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { loadConfig, type VegvisionConfig } from '@vegvision/config';
import { decideUpload, imageIdFromSha256 } from '@vegvision/domain';
import { sha256 } from '@vegvision/imaging';
import { originalKey, type ObjectStorage } from '@vegvision/storage';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ImageCommands } from './image-commands';
import { IngestService } from './ingest.service';
import { createLogger } from './logger';
import { Metrics } from './metrics';
import { OrphanSweeper } from './orphan-sweeper';
import { OBJECT_STORAGE } from './tokens';
import { VegvisionModule } from './vegvision.module';

jest.setTimeout(60_000);

const HOUR_AGO = () => new Date(Date.now() - 3_600_000);
const png = (background: string) => sharp({ create: { width: 24, height: 16, channels: 3, background } }).png().toBuffer();

describe('orphan sweeper and ingest clean-up', () => {
  let dir: string;
  let config: VegvisionConfig;
  let app: INestApplicationContext;
  let storage: ObjectStorage;
  let objectsDir: string;

  /** Records an ImageUploaded for these bytes as another process would (no ingest here). */
  const recordElsewhere = (bytes: Buffer) => {
    const sha = sha256(bytes);
    const imageId = imageIdFromSha256(sha);
    const upload = { sha256: sha, objectKey: originalKey(sha), contentType: 'image/png', width: 24, height: 16, sizeBytes: bytes.length, source: 'upload' as const };
    return app.get(ImageCommands).execute(imageId, (s) => decideUpload(s, upload, { correlationId: randomUUID() }));
  };
  const fileOf = (key: string) => path.join(objectsDir, `${key}@obj`);
  const age = (file: string) => fs.utimesSync(file, HOUR_AGO(), HOUR_AGO());

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-orphans-'));
    config = loadConfig({ dataDir: dir, logLevel: 'silent', orphanGraceSeconds: 60 }, {});
    objectsDir = config.storage.kind === 'local' ? config.storage.dir : '';
    app = await NestFactory.createApplicationContext(VegvisionModule.forRoot({ config, logger: createLogger('silent'), workers: false }), {
      logger: false,
      abortOnError: false,
    });
    storage = app.get(OBJECT_STORAGE) as ObjectStorage;
  });
  afterEach(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('removes old originals no event refers to and old temp files, nothing else', async () => {
    const kept = await app.get(IngestService).ingest({ bytes: await png('#208020'), source: 'upload' });
    age(fileOf(originalKey(kept.sha256)));
    const orphan = await png('#802020');
    const orphanKey = originalKey(sha256(orphan));
    await storage.put(orphanKey, orphan, { contentType: 'image/png' });
    age(fileOf(orphanKey));
    const young = await png('#202080');
    await storage.put(originalKey(sha256(young)), young, { contentType: 'image/png' });
    await storage.put('elsewhere/not-an-original', Buffer.from('x'), { contentType: 'text/plain' });
    age(fileOf('elsewhere/not-an-original'));
    const staleTmp = path.join(path.dirname(fileOf(orphanKey)), `x@tmp.${randomUUID()}`);
    fs.writeFileSync(staleTmp, 'half');
    age(staleTmp);

    expect(await app.get(OrphanSweeper).sweep()).toEqual({ checked: 2, originalsRemoved: 1, temporariesRemoved: 1 });
    expect(await storage.head(orphanKey)).toBeNull();
    expect(fs.existsSync(staleTmp)).toBe(false);
    expect(await storage.head(originalKey(kept.sha256))).not.toBeNull();
    expect(await storage.head(originalKey(sha256(young)))).not.toBeNull();
    expect(await storage.head('elsewhere/not-an-original')).not.toBeNull();
    const removed = await app.get(Metrics).orphansRemoved.get();
    expect(Object.fromEntries(removed.values.map((v) => [v.labels.kind, v.value]))).toEqual({ original: 1, temporary: 1 });

    // A later upload of the removed bytes stores them again and is the image's first upload.
    const again = await app.get(IngestService).ingest({ bytes: orphan, source: 'upload' });
    expect(again.duplicate).toBe(false);
    expect((await storage.get(orphanKey)).equals(orphan)).toBe(true);
  });

  it('an upload recorded while the sweeper deletes gets its original back', async () => {
    const bytes = await png('#808000');
    const key = originalKey(sha256(bytes));
    await storage.put(key, bytes, { contentType: 'image/png' });
    age(fileOf(key));
    const del = storage.delete.bind(storage);
    jest.spyOn(storage, 'delete').mockImplementationOnce(async (k) => {
      await del(k);
      await recordElsewhere(bytes); // another process records it right after the delete
    });
    expect(await app.get(OrphanSweeper).sweep()).toMatchObject({ checked: 1, originalsRemoved: 0 });
    expect((await storage.get(key)).equals(bytes)).toBe(true);
  });

  it('a failed ingest removes the original it stored, unless an upload was recorded meanwhile', async () => {
    const bus = app.get(CommandBus);
    const failure = new Error('event store unavailable');
    const alone = await png('#008080');
    jest.spyOn(bus, 'execute').mockRejectedValueOnce(failure);
    await expect(app.get(IngestService).ingest({ bytes: alone, source: 'upload' })).rejects.toBe(failure);
    expect(await storage.head(originalKey(sha256(alone)))).toBeNull();

    const shared = await png('#800080');
    jest.spyOn(bus, 'execute').mockImplementationOnce(async () => {
      await recordElsewhere(shared);
      throw failure;
    });
    await expect(app.get(IngestService).ingest({ bytes: shared, source: 'upload' })).rejects.toBe(failure);
    expect((await storage.get(originalKey(sha256(shared)))).equals(shared)).toBe(true);
  });

  it('an ingest that finds its original gone after recording (swept elsewhere) stores it again', async () => {
    const bytes = await png('#f0f0f0');
    const key = originalKey(sha256(bytes));
    await storage.put(key, bytes, { contentType: 'image/png' }); // an orphan before this upload
    const bus = app.get(CommandBus);
    const execute = bus.execute.bind(bus);
    jest.spyOn(bus, 'execute').mockImplementationOnce(async (command) => {
      await storage.delete(key); // the sweeper of another process, between head and append
      return execute(command);
    });
    const result = await app.get(IngestService).ingest({ bytes, source: 'upload' });
    expect(result).toMatchObject({ recorded: true, duplicate: false });
    expect((await storage.get(key)).equals(bytes)).toBe(true);
  });
});
