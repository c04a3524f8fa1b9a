// bench/model: per-image latency (p50, p99) and throughput of our classifier model with 1 and 2
// onnxruntime threads, and of InceptionV3 at 299×299 in the same run (the ratio), plus the
// end-to-end `vegvision label` throughput on the seed sample.
import { loadModelCard, preprocess } from '@vegvision/classifier';
import { decodeImage } from '@vegvision/imaging';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { REPO, barChart, machine, machineLine, modelDir, printTable, saveResult, seedFiles, summarise, type Args } from '../lib/report';

export const INCEPTION = path.join(REPO, 'bench/model/.cache/inception_v3_299.onnx');
export const INCEPTION_HOWTO = `python services/trainer/export_inception.py bench/model/.cache/inception_v3_299.onnx   (torch + torchvision; ~95 MB, never committed)`;

interface Latency {
  model: string;
  threads: number;
  p50: number;
  p99: number;
  mean: number;
  imagesPerSecond: number;
  n: number;
}

async function measureSession(file: string, label: string, size: number, inputs: Float32Array[], threads: number, iterations: number): Promise<Latency> {
  const session = await InferenceSession.create(file, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  try {
    const name = session.inputNames[0];
    const run = (x: Float32Array) => session.run({ [name]: new Tensor('float32', x, [1, 3, size, size]) });
    for (let i = 0; i < Math.min(5, iterations); i++) await run(inputs[i % inputs.length]); // warm-up
    const samples: number[] = [];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      const s = process.hrtime.bigint();
      await run(inputs[i % inputs.length]);
      samples.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    const totalS = Number(process.hrtime.bigint() - t0) / 1e9;
    const st = summarise(samples);
    return { model: label, threads, p50: st.p50, p99: st.p99, mean: st.mean, imagesPerSecond: iterations / totalS, n: iterations };
  } finally {
    await session.release();
  }
}

/** `vegvision label` over files as a child process: wall seconds. */
function labelRun(files: string[], model: string, threads?: number): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [path.join(REPO, 'services/vegvision/bin/vegvision.js'), 'label', '--json', '--model', model, ...(threads ? ['--threads', String(threads)] : []), ...files],
    { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, VEGVISION_LOG_LEVEL: 'warn' } },
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`vegvision label exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const lines = r.stdout.trim().split('\n').length;
  if (lines !== files.length) throw new Error(`vegvision label printed ${lines} lines for ${files.length} files`);
  return s;
}

/** Files/s of `vegvision label` on the seed sample: whole command, and steady state (startup subtracted). */
export function labelThroughput(files: string[], model: string): { files: number; wallS: number; startupS: number; filesPerSecond: number; steadyFilesPerSecond: number } {
  const startupS = labelRun(files.slice(0, 1), model);
  const wallS = labelRun(files, model);
  return {
    files: files.length,
    wallS,
    startupS,
    filesPerSecond: files.length / wallS,
    steadyFilesPerSecond: (files.length - 1) / Math.max(1e-6, wallS - startupS),
  };
}

export async function benchModel(flags: Args = {}): Promise<void> {
  const m = machine();
  const ours = modelDir();
  const card = await loadModelCard(ours.dir, { verifyChecksum: false });
  const files = seedFiles();
  const iterations = Number(flags['iterations'] ?? 100);
  const incIterations = Number(flags['inception-iterations'] ?? Math.max(10, Math.round(iterations / 3)));
  const decoded = await Promise.all(files.slice(0, 16).map(async (f) => decodeImage(fs.readFileSync(f))));
  const oursInputs = await Promise.all(decoded.map((d) => preprocess(d, card.input.size, card.input.mean as never, card.input.std as never)));

  const rows: Latency[] = [];
  for (const threads of [1, 2]) rows.push(await measureSession(path.join(ours.dir, 'model.onnx'), `ours: ${card.version} (${card.input.size}×${card.input.size})`, card.input.size, oursInputs, threads, iterations));
  const notes = [`our model: ${ours.note} (${path.relative(REPO, ours.dir)})`];
  const incRows: Latency[] = [];
  if (fs.existsSync(INCEPTION)) {
    const incInputs = await Promise.all(decoded.slice(0, 4).map((d) => preprocess(d, 299)));
    for (const threads of [1, 2]) incRows.push(await measureSession(INCEPTION, 'InceptionV3 (299×299)', 299, incInputs, threads, incIterations));
  } else {
    notes.push(`InceptionV3 ONNX missing: create it with  ${INCEPTION_HOWTO}`);
    process.stderr.write(`bench model: ${INCEPTION} is missing; create it with:\n  ${INCEPTION_HOWTO}\n`);
  }
  rows.push(...incRows);
  const base = (threads: number) => incRows.find((r) => r.threads === threads);
  const md1 = printTable({
    title: 'Classifier inference, batch 1, onnxruntime-node CPU (baseline: InceptionV3 299×299, same threads)',
    columns: ['model', 'threads', 'p50 ms', 'p99 ms', 'images/s', 'speed-up vs InceptionV3'],
    rows: rows.map((r) => [r.model, String(r.threads), r.p50, r.p99, r.imagesPerSecond, base(r.threads) ? `${(base(r.threads)!.p50 / r.p50).toFixed(1)}×` : 'n/a']),
    notes: [...notes, `${iterations} runs per row for our model, ${incIterations} for InceptionV3, after 5 warm-up runs`, machineLine(m)],
  });

  const label = labelThroughput(files, ours.dir);
  const md2 = printTable({
    title: `End to end: \`vegvision label\` on the seed sample (${label.files} files: decode + classify + colours)`,
    columns: ['measure', 'value'],
    rows: [
      ['whole command, files/s', label.filesPerSecond],
      ['steady state (startup subtracted), files/s', label.steadyFilesPerSecond],
      ['startup (1 file), s', label.startupS],
      ['wall for all files, s', label.wallS],
    ],
  });
  await barChart(
    'model.png',
    'Classifier inference p50, ms per image, batch 1 (lower is better)',
    `${ours.note}; ${machineLine(m)}`,
    rows.map((r) => ({ label: `${r.model.split(' (')[0].replace('ours: ', '')} ${r.threads}T`, value: r.p50, unit: 'ms', baseline: r.model.startsWith('Inception') })),
  );
  saveResult('model', { machine: m, model: { dir: path.relative(REPO, ours.dir), note: ours.note, version: card.version }, latency: rows, label }, md1 + '\n' + md2);
}
