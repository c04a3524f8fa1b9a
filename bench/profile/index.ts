// bench/profile: where the embedded import's CPU goes. `vegvision import` of --limit N dataset
// images (default 300, spread over every class) into an empty embedded data dir under
// `node --cpu-prof`; the main thread's profile is split by what each sample was running (its leaf
// frame: the package or vegvision lib of the code, GC, module loading and transpiling, Node's
// internals), as CPU ms per image and share of the busy time. The .cpuprofile is kept
// (bench/results/.cache/profile-import.cpuprofile: open it in Chrome DevTools > Performance, or
// speedscope, for the flame graph). Baseline in the same run: the same files through `vegvision
// label` (no event store, bus, storage or read model), profiled the same way.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { subsetDir } from '../ingest';
import { REPO, RESULTS, barChart, machine, machineLine, modelDir, printTable, saveResult, type Args } from '../lib/report';

const CLI = path.join(REPO, 'services/vegvision/bin/vegvision.js');

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Ordered rules: the first that matches a sample's leaf frame names its category. */
const RULES: [string, (f: CallFrame) => boolean][] = [
  ['idle', (f) => f.functionName === '(idle)'],
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['native, outside JS (program)', (f) => f.functionName === '(program)'],
  ['module loading + SWC transpile', (f) => /@swc|internal\/modules|node:internal\/modules/.test(f.url) || /^(compileFunction|wrapSafe)$/.test(f.functionName)],
  ['SQLite driver (libsql)', (f) => /libsql/.test(f.url)],
  ['MikroORM', (f) => /@mikro-orm/.test(f.url)],
  ['knex', (f) => /\/knex\//.test(f.url)],
  ['onnxruntime (inference)', (f) => /onnxruntime/.test(f.url)],
  ['sharp (decode, resize)', (f) => /\/sharp\//.test(f.url)],
  ['libs/colour', (f) => /libs\/colour\//.test(f.url)],
  ['libs/classifier (preprocess)', (f) => /libs\/classifier\//.test(f.url)],
  ['libs/imaging', (f) => /libs\/imaging\//.test(f.url)],
  ['libs/event-store', (f) => /libs\/event-store\//.test(f.url)],
  ['libs/read-model', (f) => /libs\/read-model\//.test(f.url)],
  ['libs/application', (f) => /libs\/application\//.test(f.url)],
  ['libs/bus, storage, contracts, domain', (f) => /libs\/(bus|storage|contracts|domain|checkpoint-store|key-store)\//.test(f.url)],
  ['services/vegvision (CLI)', (f) => /services\/vegvision\//.test(f.url)],
  ['NestJS, rxjs, pino, protobuf', (f) => /@nestjs|\/rxjs\/|\/pino|@bufbuild/.test(f.url)],
  ['Node internals (fs, crypto, timers)', (f) => f.url.startsWith('node:') || f.url === ''],
];

export interface ProfileSplit {
  wallMs: number;
  busyMs: number;
  idleMs: number;
  byCategory: Record<string, number>;
}

/** Self time per category of a V8 CPU profile (ms). */
export function splitProfile(profile: CpuProfile): ProfileSplit {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const category = new Map<number, string>();
  const byCategory: Record<string, number> = {};
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    let c = category.get(id);
    if (c === undefined) {
      const frame = byId.get(id)?.callFrame ?? { functionName: '', url: '' };
      c = RULES.find(([, match]) => match(frame))?.[0] ?? 'other packages';
      category.set(id, c);
    }
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    byCategory[c] = (byCategory[c] ?? 0) + ms;
  }
  const idleMs = byCategory['idle'] ?? 0;
  delete byCategory['idle'];
  const busyMs = Object.values(byCategory).reduce((a, b) => a + b, 0);
  return { wallMs: (profile.endTime - profile.startTime) / 1000, busyMs, idleMs, byCategory };
}

/** The profiles of one run: its main thread's and its worker threads' (the labelling pool). */
interface Profiles {
  main: CpuProfile;
  threads: CpuProfile[];
}

/** Several threads' splits added up (wall: the longest). */
function sumSplits(splits: ProfileSplit[]): ProfileSplit {
  const byCategory: Record<string, number> = {};
  for (const s of splits) for (const [c, ms] of Object.entries(s.byCategory)) byCategory[c] = (byCategory[c] ?? 0) + ms;
  const sum = (f: (s: ProfileSplit) => number) => splits.reduce((a, s) => a + f(s), 0);
  return { wallMs: Math.max(0, ...splits.map((s) => s.wallMs)), busyMs: sum((s) => s.busyMs), idleMs: sum((s) => s.idleMs), byCategory };
}

/** Runs the CLI under --cpu-prof; resolves with the main thread's profile and the worker threads'. */
function profiled(args: string[], env: NodeJS.ProcessEnv): Promise<Profiles> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-bench-prof-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=500', CLI, ...args], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`vegvision ${args.join(' ')} exited ${code}: ${stderr}`);
        // One file per thread, CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: the main
        // thread is thread 0 (the labelling pool's threads do the decoding and inference).
        const names = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
        const mainName = names.find((f) => f.split('.')[4] === '0');
        if (!mainName) throw new Error(`no main-thread .cpuprofile written (${names.join(', ') || 'none'})`);
        const read = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as CpuProfile;
        resolve({ main: read(mainName), threads: names.filter((f) => f !== mainName).map(read) });
      } catch (error) {
        reject(error);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

export async function benchProfile(flags: Args): Promise<void> {
  const n = Number(flags['limit'] ?? 300);
  if (!Number.isInteger(n) || n < 1) throw new Error('--limit must be a positive integer');
  const model = modelDir();
  const m = machine();
  const subset = subsetDir(n);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-bench-prof-data-'));
  const env: NodeJS.ProcessEnv = { ...process.env, VEGVISION_MODEL_DIR: model.dir, VEGVISION_LOG_LEVEL: 'warn', VEGVISION_MODE: 'embedded' };
  for (const k of Object.keys(env)) if (/^VEGVISION_(DATABASE_URL|KAFKA|S3_|EVENT_STORE|BUS|STORAGE|READ_MODEL)/.test(k)) delete env[k];
  try {
    process.stdout.write(`profiling vegvision label of ${n} files (baseline), then vegvision import of the same files…\n`);
    const labelProfiles = await profiled(['label', '--json', ...subset.files], env);
    const importProfiles = await profiled(['--data-dir', dataDir, 'import', subset.dir], env);
    const cache = path.join(RESULTS, '.cache');
    fs.mkdirSync(cache, { recursive: true });
    fs.writeFileSync(path.join(cache, 'profile-import.cpuprofile'), JSON.stringify(importProfiles.main));
    const label = splitProfile(labelProfiles.main);
    const imp = splitProfile(importProfiles.main);
    const labelThreads = sumSplits(labelProfiles.threads.map(splitProfile));
    const importThreads = sumSplits(importProfiles.threads.map(splitProfile));
    const categories = Object.keys(imp.byCategory).sort((a, b) => imp.byCategory[b] - imp.byCategory[a]);
    const perImage = (ms: number) => ms / n;
    const rows: (string | number)[][] = categories.map((c) => [
      c,
      perImage(imp.byCategory[c]),
      `${((100 * imp.byCategory[c]) / imp.busyMs).toFixed(1)}%`,
      perImage(label.byCategory[c] ?? 0),
    ]);
    rows.push(['**main thread busy, total**', perImage(imp.busyMs), '100%', perImage(label.busyMs)]);
    const md = printTable({
      title: `Where the embedded import's main-thread CPU goes (${n} dataset images, empty store)`,
      columns: ['running', 'import ms/image', 'share of import', 'label ms/image (baseline)'],
      rows,
      notes: [
        `machine: ${machineLine(m)}; model: ${path.basename(model.dir)} (${model.note})`,
        `wall: import ${(imp.wallMs / 1000).toFixed(1)} s (main thread idle ${(imp.idleMs / 1000).toFixed(1)} s: waiting on fsync, sharp's and onnxruntime's own threads), label ${(label.wallMs / 1000).toFixed(1)} s`,
        'self time of each sample\'s leaf frame (V8 --cpu-prof, 0.5 ms interval); native work done inside a call from JS counts for that JS package (onnxruntime, sharp, libsql)',
        'flame graph: bench/results/.cache/profile-import.cpuprofile (Chrome DevTools > Performance > Load profile, or speedscope)',
      ],
    });
    const threadCategories = Object.keys(importThreads.byCategory)
      .filter((c) => importThreads.byCategory[c] / n >= 0.01 || (labelThreads.byCategory[c] ?? 0) / n >= 0.01)
      .sort((a, b) => importThreads.byCategory[b] - importThreads.byCategory[a]);
    const threadRows: (string | number)[][] = threadCategories.map((c) => [c, perImage(importThreads.byCategory[c]), perImage(labelThreads.byCategory[c] ?? 0)]);
    threadRows.push([
      `**labelling threads busy, total** (import: ${importProfiles.threads.length} thread(s), label: ${labelProfiles.threads.length})`,
      perImage(importThreads.busyMs),
      perImage(labelThreads.busyMs),
    ]);
    const threadsMd = printTable({
      title: `The labelling pool's threads: CPU per image (decode, inference, colour), summed over the threads`,
      columns: ['running', 'import ms/image', 'label ms/image (baseline)'],
      rows: threadRows,
      notes: ['worker threads of the labelling pool (and any other worker thread the process starts), same sampling as above'],
    });
    await barChart(
      'profile-import.png',
      `vegvision import, main-thread CPU per image by what runs (${n} images)`,
      `label (grey): the same files without event sourcing, ${perImage(label.busyMs).toFixed(1)} ms/image in all; ${machineLine(m)}`,
      [
        ...categories.slice(0, 12).map((c) => ({ label: c, value: perImage(imp.byCategory[c]), unit: 'ms/image' })),
        { label: 'label, all (baseline)', value: perImage(label.busyMs), unit: 'ms/image', baseline: true },
        { label: 'import, all', value: perImage(imp.busyMs), unit: 'ms/image' },
      ],
    );
    saveResult('profile-import', { n, model: path.basename(model.dir), machine: m, import: imp, label, importThreads, labelThreads }, `${md}\n\n${threadsMd}`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(subset.dir, { recursive: true, force: true });
  }
}
