// bench/api: the embedded server (`vegvision serve`, its own process, seed sample imported) and,
// with the stack variables set (deploy/local/stack.sh env), the distributed api service with the
// four other services behind it, each under a fixed request rate from a second process on
// loopback (bench/api/loadgen.ts): browse and facets queries vs /healthz (baseline) at the same
// rate; then the latency from an upload to its labels being visible, on the SSE stream and in
// the catalog (GET /api/images/:id). Scenarios: /healthz (the baseline), browse by kind, the
// catalog listing (a first page and cursor pages), facets unfiltered and with a kind filter;
// each with the server's CPU time per request (process user + system time over the phase,
// divided by the requests answered) and the load average at the phase's end.
// Options: --rate (default 500), --seconds (15), --connections (16), --uploads (50),
// --catalog N (grow the catalog to N images with synthetic rows, see ./synthetic.ts),
// --no-distributed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { LoadResult } from './loadgen';
import { REPO, SEED_DIR, barChart, cpuSeconds, machine, machineLine, modelDir, peakRss, printTable, saveResult, seedFiles, summarise, type Args } from '../lib/report';
import { growCatalogAt } from './synthetic';
import { stopServer, waitHttp } from '../lib/server';
import { freePort, readSse } from '@vegvision/test-support';

const CLI = path.join(REPO, 'services/vegvision/bin/vegvision.js');
const KINDS = ['Bean', 'Broccoli', 'Cabbage', 'Carrot', 'Cauliflower', 'Potato', 'Pumpkin', 'Tomato'];

function runLoad(url: string, rate: number, seconds: number, connections: number, paths: string[]): LoadResult {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bench/run-loadgen.js'), url, String(rate), String(seconds), String(connections), ...paths], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: (seconds + 120) * 1000,
  });
  if (r.status !== 0) throw new Error(`load generator failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as LoadResult;
}

/** Milliseconds from each upload's POST until its labels are visible, two ways. */
interface UploadLatency {
  /** ImageClassified and ColourDetected both arrived on /api/events. */
  events: number[];
  /** GET /api/images/:id answers with a kind and a colour (the read model has both). */
  catalog: number[];
  statuses: number[];
}

async function uploadLatency(url: string, count: number): Promise<UploadLatency> {
  const seen = new Map<string, Set<string>>();
  const waiters = new Map<string, () => void>();
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const stop = readSse(
    `${url}/api/events`,
    (m) => {
      const id = m.data ? (JSON.parse(m.data) as { data?: { imageId?: string } }).data?.imageId : undefined;
      if (!id) return;
      const s = seen.get(id) ?? new Set<string>();
      s.add(m.event);
      seen.set(id, s);
      if (s.has('ImageClassified') && s.has('ColourDetected')) waiters.get(id)?.();
    },
    opened,
  );
  await open; // the subscription is live before the first upload
  const files = seedFiles();
  const out: UploadLatency = { events: [], catalog: [], statuses: [] };
  try {
    for (let i = 0; i < count; i++) {
      // New bytes each time (a different size of a seed photo), so each upload is a new image.
      const bytes = await sharp(fs.readFileSync(files[(i * 7) % files.length])).resize(200 + i, 180, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer();
      const form = new FormData();
      form.append('file', new Blob([bytes], { type: 'image/jpeg' }), `bench-${i}.jpg`);
      const t0 = performance.now();
      const res = await fetch(`${url}/api/images`, { method: 'POST', body: form });
      out.statuses.push(res.status);
      const { imageId } = (await res.json()) as { imageId: string };
      const onEvents = new Promise<number>((resolve, reject) => {
        const s = seen.get(imageId);
        if (s?.has('ImageClassified') && s.has('ColourDetected')) return resolve(performance.now() - t0);
        const t = setTimeout(() => reject(new Error(`labels of ${imageId} not seen in 120 s`)), 120_000);
        waiters.set(imageId, () => (clearTimeout(t), resolve(performance.now() - t0)));
      });
      // Polled every 10 ms: the catalog figure is exact to about that.
      const inCatalog = (async () => {
        const end = Date.now() + 120_000;
        while (Date.now() < end) {
          const r = await fetch(`${url}/api/images/${imageId}`);
          if (r.status === 200) {
            const body = (await r.json()) as { kind: string | null; rgbHex: string | null };
            if (body.kind && body.rgbHex) return performance.now() - t0;
          } else await r.arrayBuffer();
          await new Promise((w) => setTimeout(w, 10));
        }
        throw new Error(`${imageId} not labelled in the catalog in 120 s`);
      })();
      const [e, c] = await Promise.all([onEvents, inCatalog]);
      out.events.push(e);
      out.catalog.push(c);
    }
  } finally {
    stop();
  }
  return out;
}

/** A scenario's name short enough for the chart's label column. */
const SHORT_NAMES: [RegExp, string][] = [
  [/healthz/, '/healthz'],
  [/\(browse\)$/, 'browse by kind'],
  [/\(first page\)$/, 'listing, first page'],
  [/\(cursor pages\)$/, 'listing, cursor pages'],
  [/\(kind filter\)$/, 'facets, kind filter'],
  [/facets$/, 'facets'],
];
const shortName = (name: string) => SHORT_NAMES.find(([re]) => re.test(name))?.[1] ?? name;

/** One load phase: the generator's figures, the server's CPU per request and the load average after it. */
interface Phase {
  name: string;
  r: LoadResult;
  /** Server CPU milliseconds (user + system, every process serving the mode) per request answered. */
  cpuMsPerRequest: number;
  loadAvg: number[];
}

/** Paths of listing pages after the first: the first page's next links, followed a few pages on. */
async function cursorPages(url: string, count: number): Promise<string[]> {
  const out: string[] = [];
  for (const sort of ['newest', 'confidence_desc']) {
    let next: string | null = `/api/catalog/images?sort=${sort}`;
    while (next && out.length < (sort === 'newest' ? count / 2 : count)) {
      const page = (await (await fetch(url + next)).json()) as { links: { next: string | null } };
      next = page.links.next;
      if (next) out.push(next);
    }
  }
  return out;
}

interface ModeResult {
  mode: string;
  catalogSize: number;
  load: Phase[];
  upload: UploadLatency;
  /** Peak RSS per process serving the mode. */
  rss: Record<string, number>;
}

/** The load scenarios and the upload latency against one running deployment. */
interface Options {
  rate: number;
  seconds: number;
  connections: number;
  uploads: number;
  /** Catalog size to grow to with synthetic rows; 0: the seed sample only. */
  catalog: number;
  /** Distributed: stop the relay and the three consumers before the load (the api service alone on the servers). */
  apiAlone: boolean;
}

async function measure(mode: string, url: string, pids: () => number[], o: Options, say: (m: string) => void) {
  const cursors = await cursorPages(url, 16);
  const scenarios: [string, string[]][] = [
    ['GET /healthz (baseline)', ['/healthz']],
    ['GET /api/images?count=9&kind=… (browse)', KINDS.map((k) => `/api/images?count=9&kind=${k}`)],
    ['GET /api/catalog/images (first page)', ['/api/catalog/images', '/api/catalog/images?sort=confidence_desc']],
    ['GET /api/catalog/images?cursor=… (cursor pages)', cursors],
    ['GET /api/catalog/facets', ['/api/catalog/facets']],
    ['GET /api/catalog/facets?kind=… (kind filter)', KINDS.map((k) => `/api/catalog/facets?kind=${k}`)],
  ];
  runLoad(url, 50, 3, 4, scenarios.flatMap(([, paths]) => paths)); // warm-up
  const load: Phase[] = [];
  const cpu = () => pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  for (const [name, paths] of scenarios) {
    say(`api (${mode}): ${name} at ${o.rate} req/s for ${o.seconds} s...`);
    const c0 = cpu();
    const r = runLoad(url, o.rate, o.seconds, o.connections, paths);
    const cpuMsPerRequest = ((cpu() - c0) * 1000) / Math.max(1, r.completed);
    load.push({ name, r, cpuMsPerRequest, loadAvg: os.loadavg() });
    say(
      `  ${r.achievedRps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(0)} ms, ` +
        `${r.errors} errors / ${r.non2xx} non-2xx, ${cpuMsPerRequest.toFixed(2)} CPU ms/req, load ${os.loadavg()[0].toFixed(2)}`,
    );
  }
  say(`api (${mode}): ${o.uploads} uploads, waiting for each one's labels...`);
  const upload = o.uploads > 0 ? await uploadLatency(url, o.uploads) : { events: [], catalog: [], statuses: [] };
  return { load, upload };
}

async function embeddedMode(model: string, o: Options, say: (m: string) => void): Promise<ModeResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-bench-api-'));
  const env: NodeJS.ProcessEnv = { ...process.env, VEGVISION_MODEL_DIR: model, VEGVISION_LOG_LEVEL: 'warn', VEGVISION_UPLOAD_RATE_PER_MINUTE: '0' };
  for (const k of Object.keys(env)) if (/^VEGVISION_(MODE|DATABASE_URL|KAFKA|S3_|EVENT_STORE|BUS|STORAGE|READ_MODEL)/.test(k)) delete env[k];
  let server: ChildProcess | undefined;
  try {
    say('api (embedded): importing the seed sample into a fresh data dir...');
    const imp = spawnSync(process.execPath, [CLI, '--data-dir', dataDir, 'import', SEED_DIR], { cwd: REPO, env, encoding: 'utf8' });
    if (imp.status !== 0) throw new Error(`import failed: ${imp.stderr.slice(-2000)}`);
    let catalogSize = 270;
    if (o.catalog > 0) {
      say(`api (embedded): growing the catalog to ${o.catalog} images (synthetic rows)...`);
      catalogSize = await growCatalogAt({ kind: 'sqlite', path: path.join(dataDir, 'read-model.sqlite') }, o.catalog);
    }
    const port = await freePort();
    server = spawn(process.execPath, [CLI, '--data-dir', dataDir, 'serve', '--port', String(port)], { cwd: REPO, env, stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    await waitHttp(`${url}/readyz`, server);
    say('api (embedded): server ready');
    const pid = server.pid ?? 0;
    const r = await measure('embedded', url, () => [pid], o, say);
    return { mode: 'embedded', catalogSize, ...r, rss: { serve: server.pid ? peakRss(server.pid) : 0 } };
  } finally {
    if (server) await stopServer(server, (m) => say(`api (embedded): ${m}`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function distributedMode(o: Options, say: (m: string) => void): Promise<ModeResult | string> {
  const missing = ['VEGVISION_DATABASE_URL', 'VEGVISION_KAFKA_BROKERS', 'VEGVISION_S3_ENDPOINT'].filter((v) => !process.env[v]);
  if (missing.length) return `skipped: ${missing.join(', ')} not set (set -a; eval "$(bash deploy/local/stack.sh env)"; set +a)`;
  // The distributed end-to-end suite's harness: five services as processes, isolated schemas, topic and bucket.
  const { Cluster } = await import('../../test/distributed/cluster');
  const cluster = await Cluster.create();
  cluster.env['VEGVISION_UPLOAD_RATE_PER_MINUTE'] = '0'; // the bench is one client
  try {
    say('api (distributed): starting the five services...');
    await cluster.startAll();
    say('api (distributed): importing the seed sample...');
    await cluster.runImport(SEED_DIR);
    let catalogSize = 270;
    if (o.catalog > 0) {
      say(`api (distributed): once the projector has caught up, growing the catalog to ${o.catalog} images (synthetic rows)...`);
      catalogSize = await growCatalogAt({ kind: 'postgres', url: process.env['VEGVISION_DATABASE_URL']!, schema: cluster.readSchema }, o.catalog, 270);
    }
    if (o.apiAlone) {
      // What the other four services cost the api's tails on a shared machine: the same load
      // with only the api service (and the servers) running.
      say('api (distributed): stopping relay, classifier, colour-detector and projector (--api-alone)...');
      await Promise.all(cluster.running().filter((s) => s.name !== 'api').map((s) => s.stop()));
    }
    // CPU per request: the api service's (it answers every read; the others idle meanwhile).
    const apiPid = [...cluster.services.values()].find((s) => s.name === 'api')?.process.pid ?? 0;
    const r = await measure('distributed', cluster.api, () => [apiPid], o, say);
    const rss = Object.fromEntries([...cluster.services.values()].map((s) => [s.name, s.process.pid ? peakRss(s.process.pid) : 0]));
    return { mode: 'distributed', catalogSize, ...r, rss };
  } finally {
    await cluster.dispose();
  }
}

export async function benchApi(flags: Args = {}): Promise<void> {
  const m = machine();
  const model = modelDir();
  const o = {
    rate: Number(flags['rate'] ?? 500),
    seconds: Number(flags['seconds'] ?? 15),
    connections: Number(flags['connections'] ?? 16),
    uploads: Number(flags['uploads'] ?? 50),
    catalog: Number(flags['catalog'] ?? 0),
    apiAlone: Boolean(flags['api-alone']),
  };
  // A distributed-only run keeps its own files next to the embedded (or both-modes) ones.
  const suffix = `${o.catalog > 0 ? `-${o.catalog}` : ''}${flags['no-embedded'] ? '-distributed' : ''}${o.apiAlone ? '-api-alone' : ''}`;
  const t0 = Date.now();
  const say = (msg: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${msg}\n`);
  // --no-embedded: the distributed mode only (its own /healthz is then the baseline).
  const emb = flags['no-embedded'] ? undefined : await embeddedMode(model.dir, o, say);
  const dist = flags['no-distributed']
    ? 'skipped (--no-distributed)'
    : await distributedMode(o, say).catch((e: Error) => `failed: ${e.message.slice(0, 300)}`);
  const modes = [...(emb ? [emb] : []), ...(typeof dist === 'string' ? [] : [dist])];
  if (modes.length === 0) throw new Error(`nothing measured: distributed ${dist}`);
  const mb = (b: number) => (b / 1048576).toFixed(0);

  const base = modes[0].load[0].r;
  const md1 = printTable({
    title: `API under a fixed rate of ${o.rate} req/s for ${o.seconds} s (${o.connections} connections, open loop, latency from the scheduled send time)`,
    columns: ['mode', 'endpoint', 'achieved req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors / non-2xx', `p50 vs ${modes[0].mode} /healthz`, 'server CPU ms/req', 'load avg (1 min)'],
    rows: modes.flatMap((md) =>
      md.load.map(({ name, r, cpuMsPerRequest, loadAvg }) => [
        md.mode,
        name,
        r.achievedRps,
        r.p50,
        r.p99,
        r.max,
        `${r.errors} / ${r.non2xx}`,
        `${(r.p50 / base.p50).toFixed(2)}×`,
        cpuMsPerRequest,
        loadAvg[0],
      ]),
    ),
    notes: [
      `catalog: ${o.catalog > 0 ? `${modes.map((md) => `${md.mode} ${md.catalogSize}`).join(', ')} images: the seed sample (270, imported) grown with synthetic projected rows (bench/api/synthetic.ts)` : 'the seed sample (270 images)'}; model: ${model.note}`,
      'server CPU ms/req: user + system CPU time of the serving process (distributed: the api service) over the phase, divided by the requests answered (10 ms clock ticks)',
      ...(typeof dist === 'string' ? [`distributed: ${dist}`] : [
            o.apiAlone
              ? 'distributed: the api service on PostgreSQL (read model) alone; relay, classifier, colour-detector and projector stopped after the seed import (--api-alone)'
              : 'distributed: the api service on PostgreSQL (read model), behind it relay, classifier, colour-detector and projector on Kafka and S3',
          ]),
      machineLine(m),
    ],
  });
  const stats = modes.map((md) => ({ mode: md.mode, events: summarise(md.upload.events), catalog: summarise(md.upload.catalog) }));
  const embCatalog = stats[0].catalog.p50;
  // No uploads (--uploads 0): no upload table and no upload bar.
  const md2 = o.uploads === 0 ? '' : printTable({
    title: `Upload → labels visible, ${o.uploads} sequential uploads: from the POST until ImageClassified + ColourDetected arrived on /api/events, and until GET /api/images/:id shows both labels`,
    columns: ['mode', 'events p50 ms', 'events p99 ms', 'catalog p50 ms', 'catalog p99 ms', 'catalog mean ms', 'catalog p50 vs embedded', 'peak RSS MB'],
    rows: modes.map((md, i) => [
      md.mode,
      stats[i].events.p50,
      stats[i].events.p99,
      stats[i].catalog.p50,
      stats[i].catalog.p99,
      stats[i].catalog.mean,
      `${(stats[i].catalog.p50 / embCatalog).toFixed(2)}×`,
      `${mb(Object.values(md.rss).reduce((a, b) => a + b, 0))} (${Object.entries(md.rss).map(([k, v]) => `${k} ${mb(v)}`).join(', ')})`,
    ]),
    notes: [
      `statuses: ${[...new Set(modes.flatMap((md) => md.upload.statuses))].join(', ')}; the catalog is polled every 10 ms`,
      'embedded: events are sent once projected; distributed: the api tails the event store, so events can arrive before the projector has written the row',
    ],
  });
  await barChart(
    `api${suffix}.png`,
    `API p50 latency at ${o.rate} req/s${o.catalog > 0 ? `, ${o.catalog} images` : ''}${o.uploads === 0 ? '' : ', and upload → labels in the catalog'} (lower is better)`,
    `${machineLine(m)}`,
    modes.flatMap((md, mi) => [
      ...md.load.map(({ name, r, cpuMsPerRequest }, i) => ({
        label: `${md.mode}: ${shortName(name)}`,
        value: r.p50,
        unit: `ms p50, p99 ${r.p99.toFixed(1)} ms, ${cpuMsPerRequest.toFixed(2)} CPU ms/req`,
        baseline: mi === 0 && i === 0,
      })),
      ...(o.uploads === 0 ? [] : [{ label: `${md.mode}: upload → labels`, value: stats[mi].catalog.p50, unit: `ms p50, p99 ${stats[mi].catalog.p99.toFixed(0)} ms` }]),
    ]),
  );
  saveResult(
    `api${suffix}`,
    {
      machine: m,
      ...o,
      model: model.note,
      modes: modes.map((md, i) => ({ mode: md.mode, load: md.load, upload: { events: stats[i].events, catalog: stats[i].catalog, statuses: md.upload.statuses }, peakRssBytes: md.rss })),
      distributed: typeof dist === 'string' ? dist : 'measured',
    },
    md1 + '\n' + md2,
  );
}
