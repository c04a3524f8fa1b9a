// bench/ingest: `vegvision import` of the dataset (or --limit N of it, spread over every class)
// into the embedded mode, timed until every image is classified, coloured and projected;
// peak RSS of the process(es). Baseline in the same run: `vegvision label` on the same files
// (decode + classify + colours, no event store, bus, storage or read model), so the ratio is
// the cost of event sourcing. With the stack variables set (deploy/local/stack.sh env), the
// distributed variant runs the five services as separate processes on the real servers.
// --preloaded-events N: the embedded import once more, into a data dir whose event store already
// holds N synthetic events (bench/event-store's, the relay's checkpoint at their end, so they are
// not replayed): peak RSS against the catalog's history, in the same run.
import { LIVE_COLOUR_VARIANTS, RELAY_CHECKPOINT } from '@vegvision/application';
import { createCheckpointStore } from '@vegvision/checkpoint-store';
import { FileEventStore } from '@vegvision/event-store';
import { runWatched, type RunResult } from '../lib/watch';
import { loadConfig } from '@vegvision/config';
import { createReadModel } from '@vegvision/read-model';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeStore } from '../event-store';
import { labelThroughput } from '../model';
import { DATASET_DIR, REPO, barChart, machine, machineLine, modelDir, printTable, saveResult, type Args } from '../lib/report';

const KIND_DIR = /^[A-Z][A-Za-z_]+$/;

/** Every image of the dataset as [split, kind, file], interleaved across classes so a prefix is balanced. */
export function datasetFiles(root = DATASET_DIR): { split: string; kind: string; file: string }[] {
  const perClass: { split: string; kind: string; file: string }[][] = [];
  for (const split of fs.readdirSync(root).sort()) {
    const sd = path.join(root, split);
    if (!fs.statSync(sd).isDirectory()) continue;
    for (const kind of fs.readdirSync(sd).sort()) {
      const kd = path.join(sd, kind);
      if (!KIND_DIR.test(kind) || !fs.statSync(kd).isDirectory()) continue;
      perClass.push(fs.readdirSync(kd).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort().map((file) => ({ split, kind, file: path.join(kd, file) })));
    }
  }
  const out: { split: string; kind: string; file: string }[] = [];
  for (let i = 0; out.length < perClass.reduce((a, c) => a + c.length, 0); i++) for (const c of perClass) if (c[i]) out.push(c[i]);
  return out;
}

/** A folder of symlinks in the Kaggle layout holding the first `limit` files. */
export function subsetDir(limit: number): { dir: string; files: string[] } {
  const all = datasetFiles();
  const picked = all.slice(0, Math.min(limit, all.length));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-bench-subset-'));
  for (const f of picked) {
    const target = path.join(dir, f.split, f.kind);
    fs.mkdirSync(target, { recursive: true });
    fs.symlinkSync(f.file, path.join(target, path.basename(f.file)));
  }
  return { dir, files: picked.map((f) => f.file) };
}

/** Fills the data dir's event store with `events` synthetic events, already published (the relay's checkpoint at the last). */
async function preload(dataDir: string, events: number): Promise<void> {
  const config = loadConfig({ dataDir }, {});
  if (config.eventStore.kind !== 'file') throw new Error('preloading expects the file event store');
  process.stdout.write(`writing ${events} synthetic events…\n`);
  await writeStore(config.eventStore.path, events);
  const store = await FileEventStore.open({ path: config.eventStore.path });
  const head = await store.headPosition().finally(() => store.close());
  const checkpoints = await createCheckpointStore(config.checkpointStore);
  await checkpoints.save(RELAY_CHECKPOINT, head).finally(() => checkpoints.close());
}

async function embedded(subset: string, n: number, model: string, preloadedEvents = 0): Promise<RunResult & { labelled: number; total: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-bench-ingest-'));
  try {
    if (preloadedEvents > 0) await preload(dataDir, preloadedEvents);
    const env: NodeJS.ProcessEnv = { ...process.env, VEGVISION_MODEL_DIR: model, VEGVISION_LOG_LEVEL: 'warn', VEGVISION_MODE: 'embedded' };
    for (const k of Object.keys(env)) if (/^VEGVISION_(DATABASE_URL|KAFKA|S3_|EVENT_STORE|BUS|STORAGE|READ_MODEL)/.test(k)) delete env[k];
    const r = await runWatched([path.join(REPO, 'services/vegvision/bin/vegvision.js'), '--data-dir', dataDir, 'import', subset], env);
    const rmConfig = loadConfig({ dataDir }, {}).readModel;
    if (rmConfig.kind !== 'sqlite') throw new Error('embedded ingest expects the SQLite read model');
    const rm = await createReadModel(rmConfig);
    try {
      const f = await rm.facets();
      const labelled = Object.values(f.kinds).reduce((a, b) => a + b, 0);
      if (f.total !== n || labelled !== n) throw new Error(`embedded ingest: ${f.total} images, ${labelled} labelled, expected ${n}`);
      return { ...r, labelled, total: f.total };
    } finally {
      await rm.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function distributed(subset: string, n: number, classifiers = 1): Promise<(RunResult & { ready: number; classifiers: number }) | string> {
  const missing = ['VEGVISION_DATABASE_URL', 'VEGVISION_KAFKA_BROKERS', 'VEGVISION_S3_ENDPOINT'].filter((v) => !process.env[v]);
  if (missing.length) return `skipped: ${missing.join(', ')} not set (set -a; eval "$(bash deploy/local/stack.sh env)")`;
  // The distributed end-to-end suite's harness: isolated schemas, topic and bucket per run.
  const { Cluster } = await import('../../test/distributed/cluster');
  const cluster = await Cluster.create();
  try {
    await cluster.startAll();
    for (let i = 1; i < classifiers; i++) await cluster.start('classifier');
    const pids = Object.fromEntries(cluster.running().map((s) => [s.label, s.process.pid ?? 0]));
    const r = await runWatched([path.join(REPO, 'services/vegvision/bin/vegvision.js'), 'import', subset], cluster.env, pids);
    // Verified rows: every image ready, each classified and coloured once.
    const ready = await cluster.readyCount();
    if (ready !== n) throw new Error(`distributed ingest: ${ready} ready images, expected ${n}`);
    const events = await cluster.eventCounts();
    const colours = n * LIVE_COLOUR_VARIANTS.length; // whole photo + subject
    if (events['ImageUploaded'] !== n || events['ImageClassified'] !== n || events['ColourDetected'] !== colours) {
      throw new Error(`distributed ingest: events ${JSON.stringify(events)}, expected ${n} uploads and labels, ${colours} colours`);
    }
    return { ...r, ready, classifiers };
  } finally {
    await cluster.dispose();
  }
}

export async function benchIngest(flags: Args = {}): Promise<void> {
  const m = machine();
  const model = modelDir();
  const limit = flags['limit'] ? Number(flags['limit']) : Infinity;
  const { dir, files } = subsetDir(limit);
  const n = files.length;
  try {
    process.stdout.write(`ingest: ${n} images from ${path.relative(REPO, DATASET_DIR)} (model: ${model.note})\n`);
    const baselineFiles = files.slice(0, Math.min(n, Number(flags['label-files'] ?? 500)));
    const label = labelThroughput(baselineFiles, model.dir);
    const emb = await embedded(dir, n, model.dir);
    const embRate = n / emb.wallS;
    const preloadedEvents = Number(flags['preloaded-events'] ?? 0);
    const preloaded = preloadedEvents > 0 ? await embedded(dir, n, model.dir, preloadedEvents) : undefined;
    // Distributed, once per classifier replica count (default 1 and 2), in this same run.
    const replicaCounts = String(flags['classifier-replicas'] ?? '1,2').split(',').map(Number).filter((x) => Number.isInteger(x) && x >= 1);
    const dists: ((RunResult & { ready: number; classifiers: number }) | string)[] = [];
    for (const r of replicaCounts) {
      dists.push(
        flags['no-distributed']
          ? 'skipped (--no-distributed)'
          : await distributed(dir, n, r).catch((e: Error) => `failed: ${e.message.slice(0, 300)}`),
      );
    }
    const mb = (b: number) => (b / 1048576).toFixed(0);
    const cpuPerImage = (r: RunResult) =>
      Object.entries(r.cpuS)
        .map(([k, v]) => `${k} ${((v * 1000) / n).toFixed(1)}`)
        .join(', ');
    const rows: (string | number)[][] = [
      [`baseline: vegvision label (decode+classify+colour, ${baselineFiles.length} files, steady)`, String(baselineFiles.length), '—', label.steadyFilesPerSecond, '1.00×', '—', '—'],
      ['embedded import (file event store, in-process bus, SQLite)', String(n), emb.wallS, embRate, `${(embRate / label.steadyFilesPerSecond).toFixed(2)}×`, mb(emb.peakRssBytes), cpuPerImage(emb)],
    ];
    if (preloaded) {
      const rate = n / preloaded.wallS;
      rows.push([
        `embedded import into a store already holding ${preloadedEvents.toLocaleString('en')} events (peak RSS ${(preloaded.peakRssBytes / emb.peakRssBytes).toFixed(2)}× the empty store's)`,
        String(n),
        preloaded.wallS,
        rate,
        `${(rate / label.steadyFilesPerSecond).toFixed(2)}×`,
        mb(preloaded.peakRssBytes),
        cpuPerImage(preloaded),
      ]);
    }
    replicaCounts.forEach((replicas, i) => {
      const dist = dists[i];
      const what = `distributed, ${replicas} classifier replica${replicas > 1 ? 's' : ''} (api, relay, colour-detector, projector + import; PostgreSQL, Kafka, SeaweedFS)`;
      if (typeof dist === 'string') {
        rows.push([what, String(n), dist, '—', '—', '—', '—']);
        return;
      }
      const rate = n / dist.wallS;
      rows.push([
        what,
        String(n),
        dist.wallS,
        rate,
        `${(rate / label.steadyFilesPerSecond).toFixed(2)}×`,
        `${mb(dist.peakRssBytes)} (${Object.entries(dist.perProcess).map(([k, v]) => `${k} ${mb(v)}`).join(', ')})`,
        cpuPerImage(dist),
      ]);
    });
    const md = printTable({
      title: `Ingest until every image is classified, coloured and projected (${n} images)`,
      columns: ['pipeline', 'images', 'wall s', 'images/s', 'vs label', 'peak RSS MB', 'CPU ms/image per process'],
      rows,
      notes: [
        `model: ${model.note} (${path.relative(REPO, model.dir)})`,
        'peak RSS = VmHWM of each process, summed over the processes of the run',
        'CPU ms/image = (user + system CPU of the process during the import) / images; services are measured from the start of the import',
        'distributed rows verified: every image ready in the read model, exactly one ImageUploaded and ImageClassified and one ColourDetected per colour measure each',
        machineLine(m),
      ],
    });
    const bars = [
      { label: 'vegvision label (baseline)', value: label.steadyFilesPerSecond, unit: 'images/s', baseline: true },
      { label: 'embedded import', value: embRate, unit: 'images/s' },
      ...replicaCounts.flatMap((r, i) => {
        const d = dists[i];
        return typeof d === 'string' ? [] : [{ label: `distributed, ${r} classifier${r > 1 ? 's' : ''}`, value: n / d.wallS, unit: 'images/s' }];
      }),
    ];
    // A full-dataset run keeps its own files next to the --limit ones.
    const name = flags['name'] ? String(flags['name']) : Number.isFinite(limit) ? 'ingest' : 'ingest-full';
    await barChart(`${name}.png`, `Ingest throughput, ${n} images (higher is better)`, `${model.note}; ${machineLine(m)}`, bars);
    saveResult(name, { machine: m, images: n, model: model.note, label, embedded: emb, preloaded: preloaded && { events: preloadedEvents, ...preloaded }, distributed: dists }, md);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
