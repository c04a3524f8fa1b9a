// Bounded soak of the embedded product on loopback: uploads and browsing run concurrently for
// VEGVISION_SOAK_SECONDS (default 60), then every accepted upload must have its events
// (ImageUploaded, ImageClassified, ColourDetected) and its labels in the catalog, and memory
// after the run must not have grown without bound compared with after the warm-up.
import { EVENT_STORE } from '@vegvision/application';
import { imageStreamId } from '@vegvision/domain';
import type { EventStore } from '@vegvision/event-store';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { SEED_DIR } from './hostile-corpus';
import { startEmbedded, upload, type Embedded } from './harness';

const SOAK_SECONDS = Number(process.env['VEGVISION_SOAK_SECONDS'] ?? 60);
jest.setTimeout((SOAK_SECONDS + 600) * 1000);

const KINDS = ['Tomato', 'Carrot', 'Potato', 'Broccoli', 'Cabbage'];

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}

function measure(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers };
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

describe(`soak: ${SOAK_SECONDS} s of concurrent uploads and browsing (embedded, loopback)`, () => {
  let h: Embedded;
  let seeds: Buffer[];

  beforeAll(async () => {
    const csv = fs.readFileSync(path.join(SEED_DIR, 'seed-labels.csv'), 'utf8');
    const files = csv.split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split(',')[0]);
    seeds = files.slice(0, 60).map((f) => fs.readFileSync(path.join(SEED_DIR, f)));
    h = await startEmbedded({ uploadRatePerMinute: 0 });
  });
  afterAll(async () => h?.close());

  it('keeps every accepted upload and does not grow memory without bound', async () => {
    const deadline = Date.now() + SOAK_SECONDS * 1000;
    const warmUpEnd = Date.now() + Math.max(5, SOAK_SECONDS * 0.25) * 1000;
    const accepted = new Map<string, number>(); // imageId -> uploads
    const errors: string[] = [];
    let browses = 0;
    let counter = 0;
    let warm: Memory | undefined;

    // A unique image per upload: a seed photo at a size derived from the counter.
    const nextImage = async (): Promise<Buffer> => {
      const i = counter++;
      const seed = seeds[i % seeds.length];
      return sharp(seed).resize(96 + (i % 97), 72 + Math.floor(i / 97) % 89, { fit: 'fill' }).jpeg({ quality: 80 }).toBuffer();
    };

    const uploader = async () => {
      while (Date.now() < deadline) {
        const bytes = await nextImage();
        const res = await upload(h.url, bytes, `soak-${counter}.jpg`);
        const body = (await res.json()) as { imageId?: string };
        if (res.status !== 202 || !body.imageId) errors.push(`upload ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
        else accepted.set(body.imageId, (accepted.get(body.imageId) ?? 0) + 1);
      }
    };
    const browser = async () => {
      let i = 0;
      while (Date.now() < deadline) {
        const p = i++ % 3 === 0 ? '/api/catalog/facets' : `/api/images?count=9&kind=${KINDS[i % KINDS.length]}`;
        const res = await fetch(`${h.url}${p}`);
        await res.arrayBuffer();
        if (res.status !== 200) errors.push(`GET ${p}: ${res.status}`);
        browses++;
        if (!warm && Date.now() >= warmUpEnd) warm = measure();
        // Yield so uploads and the workers get the loop too (this is a soak, not a flood).
        await new Promise((r) => setImmediate(r));
      }
    };
    await Promise.all([uploader(), uploader(), browser(), browser()]);
    warm ??= measure();

    // Drain: every accepted upload must be labelled.
    await h.relay.waitUntilIdle();
    const end = measure();

    const store = h.app.get<EventStore>(EVENT_STORE, { strict: false });
    const missing: string[] = [];
    for (const imageId of accepted.keys()) {
      const events = await store.readStream(imageStreamId(imageId));
      const types = new Set(events.map((e) => e.type));
      for (const t of ['ImageUploaded', 'ImageClassified', 'ColourDetected']) {
        if (![...types].some((x) => x.endsWith(t))) missing.push(`${imageId}: no ${t}`);
      }
      const view = await h.readModel.getImage(imageId);
      if (!view || view.status !== 'ready' || !view.kind || !view.rgbHex || !view.rybHex) {
        missing.push(`${imageId}: catalog row ${view ? view.status : 'missing'}`);
      }
    }
    const facets = await h.readModel.facets();

    const report = {
      seconds: SOAK_SECONDS,
      uploadsAccepted: [...accepted.values()].reduce((a, b) => a + b, 0),
      distinctImages: accepted.size,
      browses,
      catalogTotal: facets.total,
      gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
      warm: { rss: mb(warm.rss), heapUsed: mb(warm.heapUsed), external: mb(warm.external) },
      end: { rss: mb(end.rss), heapUsed: mb(end.heapUsed), external: mb(end.external) },
    };
    console.log(`soak report: ${JSON.stringify(report)}`);

    expect(errors).toEqual([]);
    expect(accepted.size).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    expect(facets.total).toBe(accepted.size);
    // Generous bounds: the catalog itself grows (SQLite pages, caches), a leak grows much faster.
    expect(end.heapUsed).toBeLessThan(warm.heapUsed * 2 + 64 * 1048576);
    expect(end.rss).toBeLessThan(warm.rss * 2 + 256 * 1048576);
  });
});
