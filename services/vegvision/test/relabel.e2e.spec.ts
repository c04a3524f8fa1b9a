// Relabel by replay on the embedded product: two model versions (the shipped model and the
// tiny fixture model, deliberately different), a relabel from one to the other with the
// history intact, a relabel killed half-way (kill -9) and resumed with no duplicate events,
// and the diff report.
import { defaultModelDir, KINDS } from '@vegvision/classifier';
import { loadConfig, type VegvisionConfig } from '@vegvision/config';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runImport } from '../src/commands/import';
import { runRelabel } from '../src/commands/relabel';
import { withContext } from '../src/commands/context';
import { READ_MODEL } from '@vegvision/application';
import type { ReadModel } from '@vegvision/read-model';

jest.setTimeout(600_000);

const REPO = path.resolve(__dirname, '../../..');
const SHARED = process.env['VEGVISION_SHARED_DIR'] ?? path.resolve(REPO, '../shared');
const SEED = path.join(SHARED, 'data/seed-sample');
const FIXTURE = path.join(REPO, 'libs/classifier/fixtures/tiny-model');
const CLASSES = ['Carrot', 'Broccoli', 'Tomato', 'Potato', 'Cabbage'];

function classifiedEvents(eventsFile: string, version: string): string[] {
  return fs
    .readFileSync(eventsFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"ImageClassified"') && l.includes(`"modelVersion":"${version}"`));
}

describe('relabel by replay (embedded)', () => {
  let dir: string;
  let config: VegvisionConfig;
  let activeVersion: string;
  const fixtureVersion = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'model-card.json'), 'utf8')).version as string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-relabel-'));
    // A models folder with two versions: the shipped model (active) and the fixture.
    const active = defaultModelDir();
    activeVersion = path.basename(active);
    const models = path.join(dir, 'models');
    fs.cpSync(active, path.join(models, activeVersion), { recursive: true });
    fs.cpSync(FIXTURE, path.join(models, fixtureVersion), { recursive: true });
    fs.writeFileSync(path.join(models, 'DEFAULT'), activeVersion);
    // A 90-image catalog: 5 classes of the seed sample.
    const catalog = path.join(dir, 'catalog');
    for (const c of CLASSES) fs.cpSync(path.join(SEED, c), path.join(catalog, c), { recursive: true });
    config = loadConfig({ dataDir: path.join(dir, 'data'), modelsDir: models, logLevel: 'warn' }, {});
    const imported = await runImport(config, catalog, { wait: true });
    expect(imported).toMatchObject({ files: 90, recorded: 90 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('survives a kill -9 half-way, resumes without duplicates, keeps the history and reports the diff', async () => {
    const eventsFile = config.eventStore.kind === 'file' ? path.join(config.eventStore.path, 'events.jsonl') : '';
    expect(classifiedEvents(eventsFile, activeVersion)).toHaveLength(90);

    // 1. Start a throttled relabel in a child process and kill it half-way.
    const child = spawn(
      process.execPath,
      [path.join(REPO, 'services/vegvision/bin/vegvision.js'), 'relabel', '--model', fixtureVersion, '--throttle', '100'],
      {
        env: { ...process.env, VEGVISION_DATA_DIR: config.dataDir, VEGVISION_MODELS_DIR: config.classifier.modelsDir, VEGVISION_LOG_LEVEL: 'warn' },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((r) => child.once('exit', r));
    const deadline = Date.now() + 240_000;
    while (classifiedEvents(eventsFile, fixtureVersion).length < 20) {
      if (Date.now() > deadline) throw new Error('relabel child made no progress');
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    await exited;
    const halfway = classifiedEvents(eventsFile, fixtureVersion).length;
    expect(halfway).toBeGreaterThanOrEqual(20);
    expect(halfway).toBeLessThan(90);

    // 2. Resume: only the rest is relabelled, no event is recorded twice.
    const reportDir = path.join(dir, 'reports');
    const { result, report } = await runRelabel(config, { model: fixtureVersion, reportDir });
    expect(result).toMatchObject({ state: 'done', total: 90, failed: 0 });
    expect(result.relabelled + result.skipped).toBe(90);
    expect(result.skipped).toBeGreaterThanOrEqual(halfway);
    const lines = classifiedEvents(eventsFile, fixtureVersion);
    expect(lines).toHaveLength(90);
    const ids = lines.map((l) => JSON.parse(l).eventId ?? l);
    expect(new Set(ids).size).toBe(90);

    // 3. Running it again adds nothing.
    const again = await runRelabel(config, { model: fixtureVersion, reportDir });
    expect(again.result).toMatchObject({ relabelled: 0, skipped: 90 });
    expect(classifiedEvents(eventsFile, fixtureVersion)).toHaveLength(90);

    // 4. The read model shows the newest label and keeps the older one.
    await withContext(config, false, async (app) => {
      const readModel = app.get<ReadModel>(READ_MODEL, { strict: false });
      const sample = await readModel.sample({ count: 9 });
      for (const image of sample) {
        expect(image.modelVersion).toBe(fixtureVersion);
        const history = await readModel.classifications(image.imageId);
        expect(history.map((h) => h.modelVersion)).toEqual([activeVersion, fixtureVersion]);
      }
    });

    // 5. The diff report: per-model accuracy on ground truth and the confusion table.
    expect(report.compared).toBe(90);
    expect(report.changed + report.unchanged).toBe(90);
    expect(report.accuracy[activeVersion]).toMatchObject({ total: 90 });
    expect(report.accuracy[activeVersion].accuracy).toBeGreaterThan(0.9);
    expect(report.accuracy[fixtureVersion]).toMatchObject({ total: 90 });
    expect(report.accuracy[fixtureVersion].accuracy!).toBeLessThan(report.accuracy[activeVersion].accuracy!);
    expect(report.confusion.labels).toEqual([...KINDS, 'not_a_vegetable']);
    expect(report.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(90);
    const png = fs.readFileSync(path.join(reportDir, `relabel-${fixtureVersion}.png`));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });
});
