// The embedded product in-process on loopback (port 0, temp data dir) for the reliability
// suites, with a snapshot of everything an upload could leave behind.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { READ_MODEL, RelayWorker } from '@vegvision/application';
import { loadConfig, type RawConfig, type VegvisionConfig } from '@vegvision/config';
import { createHttpApp, listen } from '@vegvision/http-api';
import { CATALOG_PROJECTION, type ReadModel } from '@vegvision/read-model';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

/** The trained model when libs/classifier/models/DEFAULT exists, else the tiny fixture (or VEGVISION_MODEL_DIR). */
export function testModelDir(): string | undefined {
  if (process.env['VEGVISION_MODEL_DIR']) return process.env['VEGVISION_MODEL_DIR'];
  if (fs.existsSync(path.join(REPO, 'libs/classifier/models/DEFAULT'))) return undefined;
  return path.join(REPO, 'libs/classifier/fixtures/tiny-model');
}

export interface Embedded {
  app: NestExpressApplication;
  url: string;
  config: VegvisionConfig;
  dataDir: string;
  readModel: ReadModel;
  relay: RelayWorker;
  close(): Promise<void>;
}

export async function startEmbedded(overrides: RawConfig = {}): Promise<Embedded> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-reliability-'));
  const modelDir = testModelDir();
  const config = loadConfig({ dataDir, port: 0, logLevel: 'silent', ...(modelDir ? { modelDir } : {}), ...overrides }, {});
  const app = await createHttpApp({ config, workers: true });
  const url = await listen(app, config);
  const readModel = app.get<ReadModel>(READ_MODEL, { strict: false });
  const relay = app.get(RelayWorker, { strict: false });
  return {
    app,
    url,
    config,
    dataDir,
    readModel,
    relay,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)}:${fs.statSync(p).size}`);
    }
  };
  walk(dir);
  return out.sort();
}

export interface StateSnapshot {
  objects: string[];
  eventLines: number;
  readModel: unknown[];
  /** Every file in the data dir and next to it (to catch writes outside the objects folder). */
  dataDirFiles: string[];
}

/** Waits until the workers are idle, then records objects, event log lines and read-model rows. */
export async function snapshot(h: Embedded): Promise<StateSnapshot> {
  await h.relay.waitUntilIdle();
  const storage = h.config.storage;
  const objectsDir = storage.kind === 'local' ? storage.dir : path.join(h.dataDir, 'objects');
  const eventsFile = h.config.eventStore.kind === 'file' ? h.config.eventStore.path : path.join(h.dataDir, 'events.jsonl');
  // What the ports own inside the data dir (compared above); anything else must not change.
  const rel = (p: string) => path.relative(h.dataDir, p).split(path.sep).join('/');
  const cp = h.config.checkpointStore;
  const keys = h.config.keyStore;
  const owned = [
    rel(objectsDir),
    rel(eventsFile),
    ...(h.config.readModel.kind === 'sqlite' ? [rel(h.config.readModel.path)] : []),
    ...(cp.kind === 'file' ? [rel(cp.dir)] : cp.kind === 'sqlite' ? [rel(cp.path)] : []),
    ...(keys.kind === 'file' ? [rel(keys.dir)] : keys.kind === 'sqlite' ? [rel(keys.path)] : []),
  ];
  // The file event store is a folder holding events.jsonl (and its LOCK).
  const logFile = fs.existsSync(eventsFile) && fs.statSync(eventsFile).isDirectory() ? path.join(eventsFile, 'events.jsonl') : eventsFile;
  const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
  return {
    objects: listFiles(objectsDir),
    eventLines: text.split('\n').filter((l) => l.trim()).length,
    readModel: await h.readModel.dump(CATALOG_PROJECTION),
    dataDirFiles: listFiles(h.dataDir)
      .map((f) => f.replace(/:\d+$/, ''))
      .filter((f) => !owned.some((prefix) => f === prefix || f.startsWith(`${prefix}/`) || f.startsWith(`${prefix}-`))),
  };
}

/** Polls GET /api/images/:id until the image is ready (labels projected). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function waitReady(url: string, imageId: string, timeoutMs = 180_000): Promise<any> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await fetch(`${url}/api/images/${imageId}`);
    if (r.status === 200) {
      const body = (await r.json()) as { status: string };
      if (body.status === 'ready') return body;
    } else {
      await r.arrayBuffer();
    }
    if (Date.now() > end) throw new Error(`image ${imageId} was not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** POSTs a multipart body with one file field. */
export async function upload(
  url: string,
  bytes: Uint8Array,
  fileName = 'photo.jpg',
  contentType = 'application/octet-stream',
  field = 'file',
): Promise<Response> {
  const form = new FormData();
  form.append(field, new Blob([bytes], { type: contentType }), fileName);
  return fetch(`${url}/api/images`, { method: 'POST', body: form });
}

/** A link from the API (its public URL says port 0 in tests) resolved against the listening server. */
export function resolveLink(h: Embedded, link: string): string {
  const u = new URL(link, h.url);
  return `${h.url}${u.pathname}${u.search}`;
}
