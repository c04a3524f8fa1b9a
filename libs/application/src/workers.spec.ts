// The consumers tell failures that time can cure (retried) from failures no retry can cure
// (dead-lettered on the first attempt, without holding up the messages behind them).
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InProcessBus, PermanentMessageError } from '@vegvision/bus';
import { loadConfig, type VegvisionConfig } from '@vegvision/config';
import { DomainError } from '@vegvision/domain';
import { ImageDecodeError } from '@vegvision/imaging';
import type { ReadModel } from '@vegvision/read-model';
import { ObjectNotFoundError, originalKey, type ObjectStorage } from '@vegvision/storage';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ClassifierProvider } from './classifier.provider';
import { IngestService } from './ingest.service';
import { RelabelService } from './relabel.service';
import { createLogger } from './logger';
import { Metrics } from './metrics';
import { MESSAGE_BUS, OBJECT_STORAGE, READ_MODEL } from './tokens';
import { VegvisionModule } from './vegvision.module';
import { ImageCommands } from './image-commands';
import { ImageDeletionService } from './image-deletion.service';
import { permanentFailure } from './jobs/failure-policy';
import { RelayWorker } from './jobs/relay.job';
import { Originals } from './originals';
import { AnalysisPoolClosedError } from './analysis';
import { LabellingPool } from './labelling-pool';

jest.setTimeout(120_000);

describe('permanentFailure', () => {
  it('wraps the failures no retry can cure and keeps their name and message', () => {
    for (const cause of [
      new ImageDecodeError('the image is truncated'),
      new ObjectNotFoundError('originals/ab/abc'),
      new DomainError('unknown_kind', 'unknown label "Kiwi"'),
    ]) {
      const wrapped = permanentFailure(cause);
      expect(wrapped).toBeInstanceOf(PermanentMessageError);
      expect((wrapped as Error).message).toBe(`${cause.name}: ${cause.message}`);
      expect((wrapped as Error).cause).toBe(cause);
    }
  });

  it('leaves transient failures (a server down, a timeout) to be retried', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(permanentFailure(refused)).toBe(refused);
    const timeout = new Error('Request timed out');
    expect(permanentFailure(timeout)).toBe(timeout);
  });
});

describe('consumers on a stored original that no longer decodes', () => {
  let dir: string;
  let config: VegvisionConfig;
  const open = (workers: boolean) =>
    NestFactory.createApplicationContext(VegvisionModule.forRoot({ config, logger: createLogger('silent'), workers }), {
      logger: false,
      abortOnError: false,
    });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-workers-'));
    config = loadConfig({ dataDir: dir, logLevel: 'silent' }, {});
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('dead-letters it on the first attempt, once per consumer, and labels the next image', async () => {
    const png = (background: string) =>
      sharp({ create: { width: 48, height: 32, channels: 3, background } }).png().toBuffer();
    // Both images are accepted while no worker runs; then the first one's stored bytes are damaged.
    let broken: { imageId: string; sha256: string };
    let healthy: { imageId: string };
    let original: Buffer;
    let app: INestApplicationContext = await open(false);
    try {
      const ingest = app.get(IngestService);
      broken = await ingest.ingest({ bytes: await png('#d01010'), source: 'upload', originalName: 'red.png' });
      healthy = await ingest.ingest({ bytes: await png('#10a010'), source: 'upload', originalName: 'green.png' });
      const storage = app.get(OBJECT_STORAGE) as ObjectStorage;
      const key = originalKey(broken.sha256);
      original = await storage.get(key);
      await storage.put(key, original.subarray(0, 60), { contentType: 'image/png' });
    } finally {
      await app.close();
    }

    app = await open(true);
    try {
      await app.get(RelayWorker).waitUntilIdle();
      const bus = app.get(MESSAGE_BUS) as InProcessBus;
      const dead = bus.deadLetters();
      expect(dead.map((d) => d.group).sort()).toEqual([`${config.topic}.classifier`, `${config.topic}.colour`]);
      for (const d of dead) {
        expect(d.attempts).toBe(1);
        expect(d.error).toContain('PermanentMessageError: ImageDecodeError');
        expect(JSON.parse(d.value).event.data.imageId).toBe(broken.imageId);
      }
      const metrics = await app.get(Metrics).deadLettered.get();
      expect(Object.fromEntries(metrics.values.map((v) => [v.labels.worker, v.value]))).toEqual({ classifier: 1, colour: 1 });

      const rm = app.get(READ_MODEL) as ReadModel;
      const b = await rm.getImage(broken.imageId);
      expect(b).toMatchObject({ uploadCount: 1, kind: null, rgbHex: null });
      expect(await rm.getImage(healthy.imageId)).toMatchObject({ kind: expect.any(String), rgbHex: expect.stringMatching(/^#[0-9A-F]{6}$/) });

      // Mended (the bytes restored), a relabel with the active model labels and colours the image.
      await (app.get(OBJECT_STORAGE) as ObjectStorage).put(originalKey(broken.sha256), original, { contentType: 'image/png' });
      const active = await app.get(ClassifierProvider).get();
      const decodes = async () => (await app.get(Metrics).decodes.get()).values.reduce((n, v) => n + v.value, 0);
      const before = await decodes();
      const run = await app.get(RelabelService).run(active.version);
      expect(run).toMatchObject({ state: 'done', total: 2, relabelled: 1, recoloured: 1, skipped: 1, failed: 0 });
      // The image that lacked both its label and its colours was decoded once for both.
      expect((await decodes()) - before).toBe(1);
      await app.get(RelayWorker).waitUntilIdle();
      expect(await rm.getImage(broken.imageId)).toMatchObject({
        kind: expect.any(String),
        modelVersion: active.version,
        rgbHex: expect.stringMatching(/^#[0-9A-F]{6}$/),
      });
    } finally {
      await app.close();
    }
  });

  it('records nothing and dead-letters nothing for an image deleted while it is being labelled', async () => {
    const app = await open(true);
    try {
      // Both labelling workers take the (shared) analysis, then wait here while the image is deleted.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let decoded = 0;
      const originals = app.get(Originals);
      const take = originals.analysis.bind(originals);
      jest.spyOn(originals, 'analysis').mockImplementation(async (key, needs, role) => {
        const analysis = await take(key, needs, role);
        decoded += 1;
        await gate;
        return analysis;
      });
      const bytes = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#d01010' } }).png().toBuffer();
      const { imageId } = await app.get(IngestService).ingest({ bytes, source: 'upload', originalName: 'red.png' });
      while (decoded < 2) await new Promise((resolve) => setTimeout(resolve, 5));

      // The deletion is recorded while both workers hold the analysis; then they go on.
      const commands = app.get(ImageCommands);
      const deleting = app.get(ImageDeletionService).delete(imageId, 'tester');
      while ((await commands.load(imageId)).exists) await new Promise((resolve) => setTimeout(resolve, 5));
      release();
      // The call returns once the catalog has dropped the image (the relay delivers in log
      // order, so ImageDeleted reaches the projector after both workers are done).
      expect(await deleting).toMatchObject({ recorded: true, leftCatalog: true });
      expect(await (app.get(READ_MODEL) as ReadModel).getImage(imageId)).toBeNull();
      await app.get(RelayWorker).waitUntilIdle();

      expect((app.get(MESSAGE_BUS) as InProcessBus).deadLetters()).toEqual([]);
      const state = await commands.load(imageId);
      expect({ exists: state.exists, classified: state.classifiedBy.size, coloured: state.colouredBy.size }).toEqual({
        exists: false,
        classified: 0,
        coloured: 0,
      });
    } finally {
      await app.close();
    }
  });

  it('decodes an upload once in embedded mode, for both labelling roles', async () => {
    const app = await open(true);
    try {
      const bytes = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#10a010' } }).png().toBuffer();
      const { imageId } = await app.get(IngestService).ingest({ bytes, source: 'upload', originalName: 'green.png' });
      await app.get(RelayWorker).waitUntilIdle();
      expect(await (app.get(READ_MODEL) as ReadModel).getImage(imageId)).toMatchObject({
        kind: expect.any(String),
        rgbHex: expect.stringMatching(/^#[0-9A-F]{6}$/),
      });
      const decodes = await app.get(Metrics).decodes.get();
      expect(decodes.values.map((v) => v.value)).toEqual([1]);
    } finally {
      await app.close();
    }
    // The labelling pool's threads ended with the application.
    await expect(app.get(LabellingPool).analyse({ bytes: new Uint8Array(8) })).rejects.toBeInstanceOf(AnalysisPoolClosedError);
  });
});
