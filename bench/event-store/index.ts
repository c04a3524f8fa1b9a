// bench/event-store: peak RSS of the file event store against the number of events it holds,
// the on-disk index (this tree) against the previous implementation that kept every event in
// memory (baseline, measured in the same run: its source is taken from git at LEGACY_COMMIT).
//
// For each size a synthetic store is written once (three events per image, payloads shaped and
// sized like ImageUploaded / ColourDetected / ImageClassified); then each implementation runs in a
// fresh child process (bench/event-store/probe.ts) on its own copy: open, a catch-up subscription
// over everything (what the relay does on start-up), 200 stream reads, 1,000 appends, close.
import { FileEventStore } from '@vegvision/event-store';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, barChart, machine, machineLine, printTable, saveResult, type Args } from '../lib/report';

/** The last commit whose FileEventStore held the whole log in memory. */
export const LEGACY_COMMIT = '863653a';
const DEFAULT_SIZES = [1_000, 39_681, 100_000]; // 39,681 = 3 events × the 13,227 images of the dataset

interface Probe {
  seen: number;
  head: number;
  openS: number;
  catchUpS: number;
  appendMsPerEvent: number;
  peakRssBytes: number;
}

/** Writes the previous implementation into `dir`, its relative imports pointed at this tree's modules. */
function legacyImplementation(dir: string): string {
  const source = execFileSync('git', ['show', `${LEGACY_COMMIT}:libs/event-store/src/file/file-event-store.ts`], { cwd: REPO, encoding: 'utf8' });
  const src = path.join(REPO, 'libs/event-store/src');
  const file = path.join(dir, 'legacy-file-event-store.ts');
  fs.writeFileSync(file, source.replace(/from '\.\.\/([^']+)'/g, (_m, rel: string) => `from '${path.join(src, rel)}'`));
  return file;
}

function hex(n: number): string {
  return '#' + ((n * 2654435761) >>> 8).toString(16).padStart(6, '0').slice(0, 6).toUpperCase();
}

/** Three events of one synthetic image, sized like the real ones (≈ 0.5–0.9 KB of JSON each). */
function imageEvents(i: number): { type: string; data: Record<string, unknown> }[] {
  const imageId = randomUUID();
  const sha = (imageId.replace(/-/g, '') + imageId.replace(/-/g, '')).slice(0, 64);
  const at = new Date(1_750_000_000_000 + i * 1000).toISOString();
  const shares = (k: number) => Array.from({ length: 12 }, (_, j) => ({ hex: hex(k * 12 + j), share: ((i + j) % 13) / 13 }));
  return [
    {
      type: 'ImageUploaded',
      data: { imageId, objectKey: `originals/${sha.slice(0, 2)}/${sha}`, sha256: sha, contentType: 'image/jpeg', width: 224, height: 224, sizeBytes: String(4000 + (i % 900)), source: 'IMAGE_SOURCE_CATALOG', datasetSplit: 'train', groundTruthKind: 'Bean', originalName: `${i}.jpg`, uploadedAt: at },
    },
    { type: 'ColourDetected', data: { imageId, algorithmVersion: 'mean-euclidean-v1', rgbHex: hex(i), rybHex: hex(i + 1), rgbShares: shares(1), rybShares: shares(2), detectedAt: at } },
    {
      type: 'ImageClassified',
      data: { imageId, modelVersion: 'mnv2-160-v1', kind: 'Bean', confidence: 0.93, top: [{ kind: 'Bean', score: 0.93 }, { kind: 'Broccoli', score: 0.04 }, { kind: 'Cabbage', score: 0.01 }], classifiedAt: at },
    },
  ];
}

/** A store of `events` synthetic events in `dir` (one append per event, as the pipeline does). */
export async function writeStore(dir: string, events: number): Promise<void> {
  const store = await FileEventStore.open({ path: dir, durability: 'none' });
  try {
    for (let i = 0, written = 0; written < events; i++) {
      const stream = `image-${randomUUID()}`;
      for (const e of imageEvents(i)) {
        if (written++ >= events) break;
        await store.append(stream, [{ eventId: randomUUID(), type: e.type, data: e.data as never, metadata: { schemaVersion: 1, correlationId: randomUUID(), occurredAt: new Date().toISOString() } }]);
      }
    }
  } finally {
    await store.close();
  }
}

function copyStore(from: string, to: string, files: string[]): void {
  fs.mkdirSync(to, { recursive: true });
  for (const f of files) if (fs.existsSync(path.join(from, f))) fs.copyFileSync(path.join(from, f), path.join(to, f));
}

function probe(implementation: string, dir: string, expected: number): Probe {
  const r = spawnSync(process.execPath, ['-r', path.join(REPO, 'tools/ts-loader/register'), path.join(__dirname, 'probe.ts'), implementation, dir, '1000'], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`probe ${path.basename(implementation)} on ${expected} events failed: ${r.stderr.slice(-2000)}`);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as Probe;
  if (result.seen !== expected || result.head !== expected + 999) throw new Error(`probe ${path.basename(implementation)}: saw ${result.seen} events, head ${result.head}, expected ${expected}`);
  return result;
}

export async function benchEventStore(flags: Args = {}): Promise<void> {
  const m = machine();
  const sizes = typeof flags['sizes'] === 'string' ? flags['sizes'].split(',').map(Number) : DEFAULT_SIZES;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-bench-es-'));
  const legacy = legacyImplementation(work);
  const current = path.join(REPO, 'libs/event-store/src/file/file-event-store.ts');
  const mb = (b: number) => b / 1048576;
  const signed = (b: number) => `${b >= 0 ? '+' : '−'}${Math.abs(mb(b)).toFixed(0)}`;
  const results: { events: number; legacy: Probe; migrating: Probe; indexed: Probe; logMiB: number; indexMiB: number }[] = [];
  try {
    for (const n of sizes) {
      process.stdout.write(`event-store: writing ${n} synthetic events…\n`);
      const pristine = path.join(work, `store-${n}`);
      await writeStore(pristine, n);
      const logMiB = mb(fs.statSync(path.join(pristine, 'events.jsonl')).size);
      const indexMiB = mb(fs.statSync(path.join(pristine, 'index.sqlite')).size);
      const run = (name: string, implementation: string, files: string[]) => {
        const dir = path.join(work, `${name}-${n}`);
        copyStore(pristine, dir, files);
        try {
          return probe(implementation, dir, n);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      };
      const legacyProbe = run('legacy', legacy, ['events.jsonl']);
      const migrating = run('migrating', current, ['events.jsonl']);
      const indexed = run('indexed', current, ['events.jsonl', 'index.sqlite', 'index.sqlite-wal']);
      results.push({ events: n, legacy: legacyProbe, migrating, indexed, logMiB, indexMiB });
      fs.rmSync(pristine, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const rows: (string | number)[][] = [];
  for (const r of results) {
    rows.push([r.events.toLocaleString('en'), `in memory (${LEGACY_COMMIT}) — baseline`, mb(r.legacy.peakRssBytes), '1.00×', r.legacy.openS, r.legacy.catchUpS, r.legacy.appendMsPerEvent, `${r.logMiB.toFixed(1)} log`]);
    rows.push(['', 'index on disk, first open (builds the index)', mb(r.migrating.peakRssBytes), `${(r.migrating.peakRssBytes / r.legacy.peakRssBytes).toFixed(2)}×`, r.migrating.openS, r.migrating.catchUpS, r.migrating.appendMsPerEvent, '']);
    rows.push(['', 'index on disk', mb(r.indexed.peakRssBytes), `${(r.indexed.peakRssBytes / r.legacy.peakRssBytes).toFixed(2)}×`, r.indexed.openS, r.indexed.catchUpS, r.indexed.appendMsPerEvent, `${r.indexMiB.toFixed(1)} index`]);
  }
  const first = results[0];
  const last = results[results.length - 1];
  const md = printTable({
    title: 'File event store: peak RSS against the number of events (open, catch-up subscription, 200 stream reads, 1,000 appends)',
    columns: ['events', 'implementation', 'peak RSS MB', 'vs baseline', 'open s', 'catch-up s', 'ms/append', 'on disk MiB'],
    rows,
    notes: [
      `growth of peak RSS from ${first.events.toLocaleString('en')} to ${last.events.toLocaleString('en')} events: baseline ${signed(last.legacy.peakRssBytes - first.legacy.peakRssBytes)} MB, index on disk ${signed(last.indexed.peakRssBytes - first.indexed.peakRssBytes)} MB`,
      'peak RSS = VmHWM of the child process (Node + SWC hook + the store); durability none (no fsync) so that timings show the store, not the disk',
      'synthetic events: 3 per image, shaped and sized like ImageUploaded / ColourDetected / ImageClassified (the log is ≈ 0.6 KB per event)',
      machineLine(m),
    ],
  });
  const bars = results.flatMap((r) => [
    { label: `${r.events.toLocaleString('en')} events, in memory (baseline)`, value: mb(r.legacy.peakRssBytes), unit: 'MB', baseline: true },
    { label: `${r.events.toLocaleString('en')} events, index on disk`, value: mb(r.indexed.peakRssBytes), unit: 'MB' },
  ]);
  await barChart('event-store-memory.png', 'File event store: peak RSS by number of events (lower is better)', machineLine(m), bars);
  saveResult('event-store-memory', { machine: m, legacyCommit: LEGACY_COMMIT, results }, md);
}
