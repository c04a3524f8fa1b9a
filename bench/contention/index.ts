// bench/contention: does labelling disturb the read path of the same embedded process?
// `vegvision serve` (its own process, the seed sample imported, an admin token) is browsed at a
// fixed rate from a second process (bench/api/loadgen.ts, open loop) twice in the same run:
// idle (the baseline), and while `vegvision import` of --images N dataset files (default 1,000)
// goes through that server (the server records, classifies, colours and projects every image
// in its own process; the import waits until every image is labelled). The loaded phase lasts
// exactly as long as the import: the load generator is stopped when the import exits.
// Options: --images N (1000), --rate (200), --connections (16), --seconds (idle phase, 15).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadResult } from '../api/loadgen';
import { subsetDir } from '../ingest';
import { REPO, SEED_DIR, barChart, cpuSeconds, machine, machineLine, modelDir, peakRss, printTable, saveResult, type Args } from '../lib/report';
import { freePort } from '@vegvision/test-support';
import { stopServer, waitHttp } from '../lib/server';

const CLI = path.join(REPO, 'services/vegvision/bin/vegvision.js');
const LOADGEN = path.join(REPO, 'bench/run-loadgen.js');
const KINDS = ['Bean', 'Broccoli', 'Cabbage', 'Carrot', 'Cauliflower', 'Potato', 'Pumpkin', 'Tomato'];
const BROWSE = KINDS.map((k) => `/api/images?count=9&kind=${k}`);
/** Long enough for any import here; the run is ended with SIGINT when the import exits. */
const OPEN_ENDED_S = 3600;

/** The load generator as a child process; `stop()` ends it early and resolves with its figures. */
function startLoad(url: string, rate: number, seconds: number, connections: number, paths: string[]) {
  const child = spawn(process.execPath, [LOADGEN, url, String(rate), String(seconds), String(connections), ...paths], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const done = new Promise<LoadResult>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as LoadResult) : reject(new Error(`load generator exited ${code}: ${err}`)))),
  );
  return { done, stop: () => (child.kill('SIGINT'), done) };
}

function runImport(args: string[], env: NodeJS.ProcessEnv): Promise<{ wallS: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve({ wallS: (performance.now() - t0) / 1000 }) : reject(new Error(`import exited ${code}: ${err}`))));
  });
}

interface Phase {
  name: string;
  r: LoadResult;
  cpuMsPerRequest: number;
  loadAvg: number;
}

export async function benchContention(flags: Args = {}): Promise<void> {
  const m = machine();
  const model = modelDir();
  const images = Number(flags['images'] ?? 1000);
  const rate = Number(flags['rate'] ?? 200);
  const connections = Number(flags['connections'] ?? 16);
  const idleSeconds = Number(flags['seconds'] ?? 15);
  const say = (msg: string) => process.stdout.write(`contention: ${msg}\n`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-bench-contention-'));
  const { dir: subset, files } = subsetDir(images);
  const adminToken = 'bench-contention-admin-token';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VEGVISION_MODEL_DIR: model.dir,
    VEGVISION_LOG_LEVEL: 'warn',
    VEGVISION_UPLOAD_RATE_PER_MINUTE: '0',
    VEGVISION_ADMIN_TOKEN: adminToken,
  };
  for (const k of Object.keys(env)) if (/^VEGVISION_(MODE|DATABASE_URL|KAFKA|S3_|EVENT_STORE|BUS|STORAGE|READ_MODEL)/.test(k)) delete env[k];
  let server: ChildProcess | undefined;
  try {
    say('importing the seed sample (the catalog browsed)...');
    const seed = spawnSync(process.execPath, [CLI, '--data-dir', dataDir, 'import', SEED_DIR], { cwd: REPO, env, encoding: 'utf8' });
    if (seed.status !== 0) throw new Error(`seed import failed: ${seed.stderr.slice(-2000)}`);
    const port = await freePort();
    server = spawn(process.execPath, [CLI, '--data-dir', dataDir, 'serve', '--port', String(port)], { cwd: REPO, env, stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    await waitHttp(`${url}/readyz`, server);
    const pid = server.pid ?? 0;
    await startLoad(url, 50, 3, 4, BROWSE).done; // warm-up
    const phases: Phase[] = [];
    const phase = async (name: string, run: () => Promise<LoadResult>) => {
      const c0 = cpuSeconds(pid);
      const r = await run();
      const cpuMsPerRequest = ((cpuSeconds(pid) - c0) * 1000) / Math.max(1, r.completed);
      phases.push({ name, r, cpuMsPerRequest, loadAvg: os.loadavg()[0] });
      say(`${name}: ${r.achievedRps.toFixed(0)} req/s over ${r.seconds.toFixed(1)} s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(0)} ms, ${r.errors} errors / ${r.non2xx} non-2xx`);
    };
    say(`browse at ${rate} req/s, idle server, ${idleSeconds} s...`);
    await phase('browse by kind, idle (baseline)', () => startLoad(url, rate, idleSeconds, connections, BROWSE).done);
    say(`browse at ${rate} req/s while ${files.length} images are imported through the server...`);
    let importWallS = 0;
    await phase(`browse by kind during the import of ${files.length} images`, async () => {
      const load = startLoad(url, rate, OPEN_ENDED_S, connections, BROWSE);
      try {
        importWallS = (await runImport([CLI, '--data-dir', dataDir, 'import', subset], env)).wallS;
      } catch (error) {
        await load.stop().catch(() => undefined);
        throw error;
      }
      return load.stop();
    });
    const facets = (await (await fetch(`${url}/api/catalog/facets`)).json()) as { total: number };
    // The import waited for every image's labels; a file whose bytes the seed sample already holds is the same image.
    if (facets.total < files.length) throw new Error(`contention: ${facets.total} images in the catalog after importing ${files.length}`);
    const serveRss = peakRss(pid);

    const base = phases[0].r;
    const md = printTable({
      title: `Browse at ${rate} req/s (open loop, ${connections} connections) on one embedded server, idle and while it labels a ${files.length}-image import`,
      columns: ['phase', 'achieved req/s', 'seconds', 'p50 ms', 'p99 ms', 'max ms', 'errors / non-2xx', 'p99 vs idle', 'server CPU ms/req', 'load avg (1 min)'],
      rows: phases.map((p) => [p.name, p.r.achievedRps, p.r.seconds, p.r.p50, p.r.p99, p.r.max, `${p.r.errors} / ${p.r.non2xx}`, `${(p.r.p99 / base.p99).toFixed(2)}×`, p.cpuMsPerRequest, p.loadAvg]),
      notes: [
        `import: ${files.length} Kaggle images through the server's admin import (\`vegvision import\` while \`serve\` holds the store), ${importWallS.toFixed(1)} s until every image was labelled (${(files.length / importWallS).toFixed(1)} images/s); the load ran exactly that long`,
        'server CPU ms/req during the import includes the labelling (the server does both)',
        `catalog browsed: the seed sample (270) plus the images imported so far (${facets.total} at the end); model: ${model.note}; server peak RSS ${(serveRss / 1048576).toFixed(0)} MB`,
        machineLine(m),
      ],
    });
    await barChart('contention.png', `Browse p99 at ${rate} req/s, idle vs during a ${files.length}-image import (lower is better)`, machineLine(m), [
      { label: 'idle server (baseline)', value: base.p99, unit: 'ms p99', baseline: true },
      { label: `during the import`, value: phases[1].r.p99, unit: 'ms p99' },
    ]);
    saveResult('contention', { machine: m, images: files.length, rate, connections, importWallS, phases, serveRss }, md);
  } finally {
    if (server) await stopServer(server, say);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(subset, { recursive: true, force: true });
  }
}
