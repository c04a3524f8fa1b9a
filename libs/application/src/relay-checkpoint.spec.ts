// The relay keeps its checkpoint on the checkpoint store; after the upgrade it takes over the one
// the read model kept, so that a restarted relay does not publish the whole log again.
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FileCheckpointStore, type CheckpointStore } from '@vegvision/checkpoint-store';
import { loadConfig, type VegvisionConfig } from '@vegvision/config';
import { createReadModel, type ReadModel } from '@vegvision/read-model';
import type { EventStore } from '@vegvision/event-store';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { IngestService } from './ingest.service';
import { createLogger } from './logger';
import { RELAY_CHECKPOINT, RelayCheckpoint } from './relay-checkpoint';
import { CHECKPOINT_STORE, EVENT_STORE, READ_MODEL } from './tokens';
import { VegvisionModule } from './vegvision.module';
import { RelayWorker } from './jobs/relay.job';

jest.setTimeout(120_000);

describe('RelayCheckpoint', () => {
  let dir: string;
  let readModel: ReadModel;
  let store: CheckpointStore;
  let checkpoint: RelayCheckpoint;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-relay-cp-'));
    readModel = await createReadModel({ kind: 'sqlite', path: path.join(dir, 'read-model.sqlite') });
    await readModel.migrate();
    store = await FileCheckpointStore.open({ dir: path.join(dir, 'checkpoints') });
    checkpoint = new RelayCheckpoint(store, readModel, createLogger('silent'));
  });

  afterEach(async () => {
    await store.close();
    await readModel.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("takes over the read model's relay checkpoint once, then keeps its own", async () => {
    await readModel.saveCheckpoint(RELAY_CHECKPOINT, 42);
    expect(await checkpoint.load()).toBe(42);
    expect(await store.load(RELAY_CHECKPOINT)).toBe(42);
    await readModel.saveCheckpoint(RELAY_CHECKPOINT, 7); // no longer consulted
    expect(await checkpoint.load()).toBe(42);
    await checkpoint.save(43);
    expect(await checkpoint.load()).toBe(43);
    expect(await readModel.checkpoint(RELAY_CHECKPOINT)).toBe(7); // the relay no longer writes there
  });

  it("starts from 'start' when neither store has one", async () => {
    expect(await checkpoint.load()).toBe('start');
    expect(await store.load(RELAY_CHECKPOINT)).toBe('start');
  });
});

describe('a relay restarting after the upgrade', () => {
  let dir: string;
  let config: VegvisionConfig;
  const open = (workers: boolean): Promise<INestApplicationContext> =>
    NestFactory.createApplicationContext(VegvisionModule.forRoot({ config, logger: createLogger('silent'), workers }), {
      logger: false,
      abortOnError: false,
    });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-relay-upgrade-'));
    config = loadConfig({ dataDir: dir, logLevel: 'silent' }, {});
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const png = () => sharp({ create: { width: 40, height: 30, channels: 3, background: '#20c040' } }).png().toBuffer();

  it('resumes from the checkpoint the read model kept: what was published before is not published again', async () => {
    let app = await open(false);
    let imageId: string;
    let head: number;
    try {
      imageId = (await app.get(IngestService).ingest({ bytes: await png(), source: 'upload', originalName: 'g.png' })).imageId;
      head = await (app.get(EVENT_STORE) as EventStore).headPosition();
      // What the previous release left behind: the relay's checkpoint in the read model.
      await (app.get(READ_MODEL) as ReadModel).saveCheckpoint(RELAY_CHECKPOINT, head);
    } finally {
      await app.close();
    }
    app = await open(true);
    try {
      await app.get(RelayWorker).waitUntilIdle();
      await app.get(RelayWorker).flush();
      expect(await (app.get(CHECKPOINT_STORE) as CheckpointStore).load(RELAY_CHECKPOINT)).toBe(head);
      // Nothing was published, so no consumer saw the upload: it was never projected.
      expect(await (app.get(READ_MODEL) as ReadModel).getImage(imageId)).toBeNull();
    } finally {
      await app.close();
    }
  });

  it('without any checkpoint publishes the whole log (a new installation)', async () => {
    let app = await open(false);
    let imageId: string;
    try {
      imageId = (await app.get(IngestService).ingest({ bytes: await png(), source: 'upload', originalName: 'g.png' })).imageId;
    } finally {
      await app.close();
    }
    app = await open(true);
    try {
      const relay = app.get(RelayWorker);
      await relay.waitUntilIdle();
      await relay.flush();
      const head = await (app.get(EVENT_STORE) as EventStore).headPosition();
      expect(await (app.get(CHECKPOINT_STORE) as CheckpointStore).load(RELAY_CHECKPOINT)).toBe(head);
      expect(await (app.get(READ_MODEL) as ReadModel).getImage(imageId)).toMatchObject({ imageId, uploadCount: 1 });
    } finally {
      await app.close();
    }
  });
});
