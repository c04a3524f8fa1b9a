// `vegvision export training-set` on the embedded data dir, with the tiny fixture model as the
// active model (labels in milliseconds): a few images imported from ground-truth folders, a plain
// upload, corrections (one twice, one to not_a_vegetable) and a deletion give exactly the expected
// files and manifest; a non-empty output folder, an unknown data dir and an aborted export leave
// nothing behind; --force replaces the set whole; a missing original is skipped and named.
import { EVENT_STORE, IngestService, ImageDeletionService, CorrectLabelCommand, OBJECT_STORAGE, TrainingSetExportService, type TrainingSetManifest } from '@vegvision/application';
import { loadConfig, type VegvisionConfig } from '@vegvision/config';
import type { EventStore } from '@vegvision/event-store';
import { originalKey, type ObjectStorage } from '@vegvision/storage';
import { CommandBus } from '@nestjs/cqrs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { withContext } from '../src/commands/context';
import { runExportTrainingSet } from '../src/commands/export-training-set';
import { runImport } from '../src/commands/import';

jest.setTimeout(300_000);

const REPO = path.resolve(__dirname, '../../..');
const FIXTURE = path.join(REPO, 'libs/classifier/fixtures/tiny-model');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const png = (r: number, g: number, b: number) => sharp({ create: { width: 48, height: 32, channels: 3, background: { r, g, b } } }).png().toBuffer();
const jpeg = (r: number, g: number, b: number) => sharp({ create: { width: 40, height: 40, channels: 3, background: { r, g, b } } }).jpeg().toBuffer();

/** Every file under dir, relative, sorted. */
function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .sort();
}

describe('export training-set (embedded)', () => {
  let dir: string;
  let config: VegvisionConfig;
  const bytes: Record<string, Buffer> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-export-'));
    const models = path.join(dir, 'models');
    const version = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'model-card.json'), 'utf8')).version as string;
    fs.cpSync(FIXTURE, path.join(models, version), { recursive: true });
    fs.writeFileSync(path.join(models, 'DEFAULT'), version);
    // Ground-truth folders: two with a split, one without.
    const files: Record<string, Buffer> = {
      'train/Carrot/a.png': await png(230, 110, 20),
      'train/Carrot/b.png': await png(220, 100, 30),
      'validation/Tomato/c.png': await png(200, 20, 20),
      'train/Bean/d.png': await png(40, 160, 40),
    };
    const catalog = path.join(dir, 'catalog');
    for (const [rel, b] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(catalog, rel)), { recursive: true });
      fs.writeFileSync(path.join(catalog, rel), b);
      bytes[path.basename(rel, '.png')] = b;
    }
    bytes['plain'] = await jpeg(90, 90, 200);
    bytes['negative'] = await jpeg(128, 128, 128);
    config = loadConfig({ dataDir: path.join(dir, 'data'), modelsDir: models, logLevel: 'warn' }, {});
    expect(await runImport(config, catalog, { wait: true })).toMatchObject({ files: 4, recorded: 4 });

    await withContext(config, true, async (app) => {
      const ingest = app.get(IngestService);
      const bus = app.get(CommandBus);
      for (const name of ['a', 'b', 'c', 'd']) ids[name] = (await ingest.ingest({ bytes: bytes[name], source: 'catalog' })).imageId;
      // Plain uploads: only the model labels "plain"; a person says "negative" is not a vegetable.
      ids['plain'] = (await ingest.ingest({ bytes: bytes['plain'], source: 'upload' })).imageId;
      ids['negative'] = (await ingest.ingest({ bytes: bytes['negative'], source: 'upload' })).imageId;
      const correct = (name: string, kind: string) => bus.execute(new CorrectLabelCommand(ids[name], { kind, by: 'ana' }, { correlationId: `t-${name}` }));
      await correct('negative', 'not_a_vegetable');
      await correct('b', 'Tomato');
      await correct('b', 'Cabbage'); // the newest correction wins over the first and over the folder
      await correct('d', 'Potato');
      await app.get(ImageDeletionService).delete(ids['a'], 'ana');
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const expectedFiles = () =>
    [
      `Cabbage/${sha(bytes['b'])}.png`,
      `Potato/${sha(bytes['d'])}.png`,
      `Tomato/${sha(bytes['c'])}.png`,
      `_negative/${sha(bytes['negative'])}.jpg`,
      'manifest.json',
    ].sort();

  it('writes exactly the images a person labelled and not deleted, with the manifest', async () => {
    const out = path.join(dir, 'sets', 'v1');
    const manifest = await runExportTrainingSet(config, { out });
    expect(listFiles(out)).toEqual(expectedFiles());
    const onDisk = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as TrainingSetManifest;
    expect(onDisk).toEqual(manifest);
    const head = await withContext(config, false, (app) => app.get<EventStore>(EVENT_STORE).headPosition());
    expect(manifest).toMatchObject({
      format: 'vegvision-training-set/1',
      log: { position: head },
      source: { mode: 'embedded', eventStore: 'file', storage: 'local' },
      total: 4,
      bySource: { ground_truth: 1, correction: 3 },
      skipped: [],
    });
    expect(manifest.log.events).toBeGreaterThan(6);
    expect(Object.entries(manifest.counts).filter(([, n]) => n > 0)).toEqual([
      ['Cabbage', 1],
      ['Potato', 1],
      ['Tomato', 1],
      ['not_a_vegetable', 1],
    ]);
    expect(manifest.folders['not_a_vegetable']).toBe('_negative');
    const byName = (name: string) => manifest.items.find((i) => i.imageId === ids[name]);
    expect(byName('c')).toMatchObject({ kind: 'Tomato', source: 'ground_truth', datasetSplit: 'validation', contentType: 'image/png' });
    expect(byName('b')).toMatchObject({ kind: 'Cabbage', source: 'correction', datasetSplit: 'train' });
    expect(byName('d')).toMatchObject({ kind: 'Potato', source: 'correction', datasetSplit: 'train' });
    expect(byName('negative')).toMatchObject({ kind: 'not_a_vegetable', source: 'correction', datasetSplit: null, contentType: 'image/jpeg' });
    expect(byName('a')).toBeUndefined();
    expect(byName('plain')).toBeUndefined();
    for (const item of manifest.items) {
      const file = fs.readFileSync(path.join(out, item.file));
      expect(sha(file)).toBe(item.sha256);
      expect(file.length).toBe(item.sizeBytes);
    }
    // Nothing but the set next to it: the temporary folder was renamed.
    expect(fs.readdirSync(path.dirname(out))).toEqual(['v1']);
  });

  it('refuses a non-empty folder (exit status 1, one line), replaces it whole with --force', async () => {
    const out = path.join(dir, 'sets', 'v1');
    const before = listFiles(out);
    await expect(runExportTrainingSet(config, { out })).rejects.toThrow(/is not empty \(pass --force/);
    expect(listFiles(out)).toEqual(before);

    const cli = spawnSync(
      process.execPath,
      [path.join(REPO, 'services/vegvision/bin/vegvision.js'), '--data-dir', config.dataDir, 'export', 'training-set', '--out', out],
      { env: { ...process.env, VEGVISION_MODELS_DIR: config.classifier.modelsDir, VEGVISION_LOG_LEVEL: 'warn' }, encoding: 'utf8' },
    );
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/^vegvision: .*v1 is not empty \(pass --force to replace it\)\n$/m);

    fs.writeFileSync(path.join(out, 'stale.txt'), 'old');
    await runExportTrainingSet(config, { out, force: true });
    expect(listFiles(out)).toEqual(expectedFiles());
    expect(fs.readdirSync(path.dirname(out))).toEqual(['v1']);
  });

  it('refuses an unknown data dir without creating an event log there', async () => {
    const other = loadConfig({ dataDir: path.join(dir, 'no-such-data'), modelsDir: config.classifier.modelsDir, logLevel: 'warn' }, {});
    const out = path.join(dir, 'sets', 'none');
    await expect(runExportTrainingSet(other, { out })).rejects.toThrow(/no event log in .*no-such-data/);
    expect(fs.existsSync(path.join(dir, 'no-such-data', 'event-store'))).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('an export aborted half-way leaves neither the set nor its temporary folder', async () => {
    const out = path.join(dir, 'aborted', 'set');
    const abort = new AbortController();
    await expect(
      withContext(config, false, (app) =>
        app.get(TrainingSetExportService).export(out, { signal: abort.signal, onProgress: (p) => p.done === 1 && abort.abort() }),
      ),
    ).rejects.toThrow(/aborted/);
    expect(fs.readdirSync(path.join(dir, 'aborted'))).toEqual([]);
  });

  it('skips an image whose original is gone, names it in the manifest and exits with status 2', async () => {
    await withContext(config, false, async (app) => {
      const storage = app.get<ObjectStorage>(OBJECT_STORAGE);
      const key = originalKey(sha(bytes['c']));
      expect(await storage.head(key)).not.toBeNull();
      await storage.delete(key);
    });
    const out = path.join(dir, 'sets', 'v2');
    const manifest = await runExportTrainingSet(config, { out });
    expect(process.exitCode).toBe(2);
    process.exitCode = 0;
    expect(manifest.skipped).toEqual([{ imageId: ids['c'], reason: 'original_missing' }]);
    expect(manifest.total).toBe(3);
    expect(listFiles(out)).toEqual(expectedFiles().filter((f) => !f.startsWith('Tomato/')));
  });
});
