// bench/replay: relabel and recolour by replay over an embedded catalog (the whole dataset, or
// --limit N of it spread over every class). The catalog is imported first (with the default
// model, timed too), then `vegvision relabel --model <second version>` records the second
// model's label of every image and `vegvision recolour --algorithm <version>` records a colour
// measure the import did not, each timed from process start until every new label is projected
// (relabel waits for the relay; the bench checks the read model and the relabel report).
// Baseline in the same run: `vegvision label` with the relabel's model on the first 500 files
// (decode + classify + colour, nothing recorded), so the ratio is what replay through the event
// log costs on top of the work itself.
// Options: --limit N, --model <version> (default mnv2-160-v1), --algorithm <version>
// (default subject-hue-v2), --label-files N (500).
import { loadConfig } from '@vegvision/config';
import { createReadModel } from '@vegvision/read-model';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { subsetDir } from '../ingest';
import { labelThroughput } from '../model';
import { REPO, barChart, machine, machineLine, modelDir, printTable, saveResult, type Args } from '../lib/report';
import { runWatched, type RunResult } from '../lib/watch';

const CLI = path.join(REPO, 'services/vegvision/bin/vegvision.js');
const MODELS = path.join(REPO, 'libs/classifier/models');

interface Step extends RunResult {
  what: string;
  images: number;
}

export async function benchReplay(flags: Args = {}): Promise<void> {
  const m = machine();
  const importModel = modelDir();
  const second = String(flags['model'] ?? 'mnv2-160-v1');
  const algorithm = String(flags['algorithm'] ?? 'subject-hue-v2');
  const secondDir = path.join(MODELS, second);
  if (!fs.existsSync(path.join(secondDir, 'model.onnx'))) throw new Error(`bench replay: no model ${second} in ${path.relative(REPO, MODELS)}`);
  if (path.resolve(secondDir) === path.resolve(importModel.dir)) throw new Error(`bench replay: --model ${second} is the import's model; pick a second version`);
  const limit = flags['limit'] ? Number(flags['limit']) : Infinity;
  const { dir: subset, files } = subsetDir(limit);
  const n = files.length;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-bench-replay-'));
  const env: NodeJS.ProcessEnv = { ...process.env, VEGVISION_MODEL_DIR: importModel.dir, VEGVISION_LOG_LEVEL: 'warn', VEGVISION_MODE: 'embedded' };
  for (const k of Object.keys(env)) if (/^VEGVISION_(DATABASE_URL|KAFKA|S3_|EVENT_STORE|BUS|STORAGE|READ_MODEL)/.test(k)) delete env[k];
  const say = (msg: string) => process.stdout.write(`replay: ${msg}\n`);
  try {
    say(`${n} images; import model ${path.basename(importModel.dir)}, relabel with ${second}, recolour with ${algorithm}`);
    const baselineFiles = files.slice(0, Math.min(n, Number(flags['label-files'] ?? 500)));
    const label = labelThroughput(baselineFiles, secondDir);
    say(`baseline label (${second}): ${label.steadyFilesPerSecond.toFixed(1)} files/s`);
    const cli = (...args: string[]) => [CLI, '--data-dir', dataDir, ...args];
    const steps: Step[] = [];
    say('importing the catalog...');
    steps.push({ what: `import (${path.basename(importModel.dir)}, two colour measures)`, images: n, ...(await runWatched(cli('import', subset), env)) });
    say(`relabel with ${second}...`);
    // The relabel looks versions up in the models folder; the import's model stays the active one.
    const replayEnv = { ...env, VEGVISION_MODELS_DIR: MODELS };
    steps.push({ what: `relabel --model ${second}`, images: n, ...(await runWatched(cli('relabel', '--model', second), replayEnv, {}, 'relabel')) });
    say(`recolour with ${algorithm}...`);
    steps.push({ what: `recolour --algorithm ${algorithm}`, images: n, ...(await runWatched(cli('recolour', '--algorithm', algorithm), replayEnv, {}, 'recolour')) });

    // Every image has the second model's label: the relabel report compares all of them.
    const report = JSON.parse(fs.readFileSync(path.join(dataDir, 'reports', `relabel-${second}.json`), 'utf8')) as { images: number; compared: number; accuracy: Record<string, { accuracy: number | null }> };
    if (report.compared !== n) throw new Error(`bench replay: the relabel report compares ${report.compared} of ${n} images`);
    const rm = await createReadModel(loadConfig({ dataDir }, {}).readModel);
    try {
      const f = await rm.facets();
      if (f.total !== n) throw new Error(`bench replay: ${f.total} images in the read model, expected ${n}`);
    } finally {
      await rm.close();
    }

    const mb = (b: number) => (b / 1048576).toFixed(0);
    const rows: (string | number)[][] = [
      [`baseline: vegvision label --model ${second} (${baselineFiles.length} files, steady)`, String(baselineFiles.length), '—', label.steadyFilesPerSecond, '1.00×', '—', '—', '—'],
      ...steps.map((s) => {
        const rate = s.images / s.wallS;
        const cpu = Object.values(s.cpuS).reduce((a, b) => a + b, 0);
        return [s.what, String(s.images), s.wallS, rate, `${(rate / label.steadyFilesPerSecond).toFixed(2)}×`, (s.wallS / 60).toFixed(2), mb(s.peakRssBytes), ((cpu * 1000) / s.images).toFixed(1)];
      }),
    ];
    const accuracy = Object.entries(report.accuracy).map(([v, a]) => `${v} ${a.accuracy === null ? 'n/a' : (a.accuracy * 100).toFixed(2) + '%'}`).join(', ');
    const md = printTable({
      title: `Replay over the event log: relabel and recolour of a ${n}-image embedded catalog`,
      columns: ['step', 'images', 'wall s', 'images/s', 'vs label', 'minutes', 'peak RSS MB', 'CPU ms/image'],
      rows,
      notes: [
        `catalog: ${n} Kaggle images (train + validation, spread over the classes), imported with ${importModel.note} (${path.relative(REPO, importModel.dir)})`,
        `each step is one process from start to exit (start-up included); relabel and recolour exit once every new event is projected`,
        `relabel report: ${report.compared} of ${n} images compared; accuracy on the imported ground truth: ${accuracy}`,
        machineLine(m),
      ],
    });
    await barChart(
      `replay${Number.isFinite(limit) ? '' : '-full'}.png`,
      `Relabel and recolour by replay, ${n} images (higher is better)`,
      machineLine(m),
      [
        { label: `vegvision label ${second} (baseline)`, value: label.steadyFilesPerSecond, unit: 'images/s', baseline: true },
        ...steps.map((s) => ({ label: s.what, value: s.images / s.wallS, unit: 'images/s' })),
      ],
    );
    saveResult(Number.isFinite(limit) ? 'replay' : 'replay-full', { machine: m, images: n, label, steps, report: { compared: report.compared, accuracy: report.accuracy } }, md);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(subset, { recursive: true, force: true });
  }
}
