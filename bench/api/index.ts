// bench/api: the embedded server (`vegvision serve`, its own process, seed sample imported)
// under a fixed request rate from a second process on loopback (bench/api/loadgen.ts):
// browse and facets queries vs /healthz (baseline) at the same rate; then the latency from an
// upload to its labels being visible (ImageClassified + ColourDetected on the SSE stream).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { LoadResult } from './loadgen';
import { REPO, SEED_DIR, barChart, machine, machineLine, modelDir, peakRss, printTable, saveResult, seedFiles, summarise, type Args } from '../lib/report';
import { readSse } from '@vegvision/test-support';

const CLI = path.join(REPO, 'services/vegvision/bin/vegvision.js');
const KINDS = ['Bean', 'Broccoli', 'Cabbage', 'Carrot', 'Cauliflower', 'Potato', 'Pumpkin', 'Tomato'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitHttp(url: string, child: ChildProcess, timeoutMs = 180_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer in time`);
}

function runLoad(url: string, rate: number, seconds: number, connections: number, paths: string[]): LoadResult {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bench/run-loadgen.js'), url, String(rate), String(seconds), String(connections), ...paths], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: (seconds + 120) * 1000,
  });
  if (r.status !== 0) throw new Error(`load generator failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as LoadResult;
}

/** Reads an SSE stream and calls back per event (type, parsed data). */
function subscribe(url: string, onEvent: (type: string, data: { data?: { imageId?: string } }) => void): () => void {
  return readSse(url, (m) => {
    if (m.data) onEvent(m.event, JSON.parse(m.data));
  });
}

async function uploadLatency(url: string, count: number): Promise<{ samples: number[]; statuses: number[] }> {
  const seen = new Map<string, Set<string>>();
  const waiters = new Map<string, () => void>();
  const stop = subscribe(`${url}/api/events`, (type, data) => {
    const id = data.data?.imageId;
    if (!id) return;
    const s = seen.get(id) ?? new Set<string>();
    s.add(type);
    seen.set(id, s);
    if (s.has('ImageClassified') && s.has('ColourDetected')) waiters.get(id)?.();
  });
  await new Promise((r) => setTimeout(r, 500)); // the subscription is live before the first upload
  const files = seedFiles();
  const samples: number[] = [];
  const statuses: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      // New bytes each time (a different size of a seed photo), so each upload is a new image.
      const bytes = await sharp(fs.readFileSync(files[(i * 7) % files.length])).resize(200 + i, 180, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer();
      const form = new FormData();
      form.append('file', new Blob([bytes], { type: 'image/jpeg' }), `bench-${i}.jpg`);
      const t0 = performance.now();
      const res = await fetch(`${url}/api/images`, { method: 'POST', body: form });
      statuses.push(res.status);
      const { imageId } = (await res.json()) as { imageId: string };
      await new Promise<void>((resolve, reject) => {
        const s = seen.get(imageId);
        if (s?.has('ImageClassified') && s.has('ColourDetected')) return resolve();
        const t = setTimeout(() => reject(new Error(`labels of ${imageId} not seen in 120 s`)), 120_000);
        waiters.set(imageId, () => (clearTimeout(t), resolve()));
      });
      samples.push(performance.now() - t0);
    }
  } finally {
    stop();
  }
  return { samples, statuses };
}

export async function benchApi(flags: Args = {}): Promise<void> {
  const m = machine();
  const model = modelDir();
  const rate = Number(flags['rate'] ?? 100);
  const seconds = Number(flags['seconds'] ?? 15);
  const connections = Number(flags['connections'] ?? 16);
  const uploads = Number(flags['uploads'] ?? 50);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-bench-api-'));
  const env: NodeJS.ProcessEnv = { ...process.env, VEGVISION_MODEL_DIR: model.dir, VEGVISION_LOG_LEVEL: 'warn', VEGVISION_UPLOAD_RATE_PER_MINUTE: '0' };
  for (const k of Object.keys(env)) if (/^VEGVISION_(MODE|DATABASE_URL|KAFKA|S3_|EVENT_STORE|BUS|STORAGE|READ_MODEL)/.test(k)) delete env[k];
  let server: ChildProcess | undefined;
  const t0 = Date.now();
  const say = (msg: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${msg}\n`);
  try {
    say('api: importing the seed sample into a fresh embedded data dir...');
    const imp = spawnSync(process.execPath, [CLI, '--data-dir', dataDir, 'import', SEED_DIR], { cwd: REPO, env, encoding: 'utf8' });
    if (imp.status !== 0) throw new Error(`import failed: ${imp.stderr.slice(-2000)}`);
    const port = await freePort();
    server = spawn(process.execPath, [CLI, '--data-dir', dataDir, 'serve', '--port', String(port)], { cwd: REPO, env, stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    await waitHttp(`${url}/readyz`, server);
    say('api: server ready');
    const warm = runLoad(url, 20, 2, 4, ['/api/images?count=9', '/api/catalog/facets']);
    void warm;

    const scenarios: [string, string[]][] = [
      ['GET /healthz (baseline)', ['/healthz']],
      ['GET /api/images?count=9&kind=… (browse)', KINDS.map((k) => `/api/images?count=9&kind=${k}`)],
      ['GET /api/catalog/facets', ['/api/catalog/facets']],
    ];
    const results: { name: string; r: LoadResult }[] = [];
    for (const [name, paths] of scenarios) {
      say(`api: ${name} at ${rate} req/s for ${seconds} s...`);
      results.push({ name, r: runLoad(url, rate, seconds, connections, paths) });
    }
    const base = results[0].r;
    say(`api: ${uploads} uploads, waiting for each one's labels on SSE...`);
    const up = await uploadLatency(url, uploads);
    const upStats = summarise(up.samples);
    const serverPeak = server.pid ? peakRss(server.pid) : 0;

    const md1 = printTable({
      title: `API under a fixed rate of ${rate} req/s for ${seconds} s (${connections} connections, open loop, latency from the scheduled send time)`,
      columns: ['endpoint', 'achieved req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors / non-2xx', 'p50 vs /healthz'],
      rows: results.map(({ name, r }) => [name, r.achievedRps, r.p50, r.p99, r.max, `${r.errors} / ${r.non2xx}`, `${(r.p50 / base.p50).toFixed(2)}×`]),
      notes: [`catalog: the seed sample (270 images); model: ${model.note}`, machineLine(m)],
    });
    const md2 = printTable({
      title: `Upload → labels visible (202, then ImageClassified + ColourDetected on /api/events), ${uploads} sequential uploads`,
      columns: ['measure', 'ms'],
      rows: [
        ['p50', upStats.p50],
        ['p99', upStats.p99],
        ['mean', upStats.mean],
      ],
      notes: [`statuses: ${[...new Set(up.statuses)].join(', ')}; server peak RSS ${(serverPeak / 1048576).toFixed(0)} MB`],
    });
    await barChart(
      'api.png',
      `API p50 latency at ${rate} req/s (lower is better)`,
      `${machineLine(m)}`,
      [
        ...results.map(({ name, r }, i) => ({ label: name.replace(/ \(.*\)$/, '').replace('GET ', ''), value: r.p50, unit: `ms p50, p99 ${r.p99.toFixed(1)} ms`, baseline: i === 0 })),
        { label: 'upload → labels visible', value: upStats.p50, unit: `ms p50, p99 ${upStats.p99.toFixed(0)} ms` },
      ],
    );
    saveResult('api', { machine: m, rate, seconds, connections, model: model.note, load: results, upload: { ...upStats, statuses: up.statuses }, serverPeakRssBytes: serverPeak }, md1 + '\n' + md2);
  } finally {
    if (server && server.exitCode === null) {
      say('api: stopping the server');
      server.kill('SIGTERM');
      const exited = await Promise.race([
        new Promise<boolean>((r) => server!.once('exit', () => r(true))),
        new Promise<boolean>((r) => setTimeout(() => r(false), 30_000).unref()),
      ]);
      if (!exited) {
        say('api: the server did not stop within 30 s of SIGTERM: killed');
        server.kill('SIGKILL');
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
