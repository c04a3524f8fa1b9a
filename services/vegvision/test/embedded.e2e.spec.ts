// End to end on the embedded product, in-process: import the seed sample, upload a photo and
// receive its labels over SSE, browse with each filter, restart and find everything, rebuild
// the read model from the event log and get identical rows.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { READ_MODEL, RebuildService } from '@vegvision/application';
import { loadConfig, type VegvisionConfig } from '@vegvision/config';
import { createHttpApp, listen } from '@vegvision/http-api';
import { CATALOG_PROJECTION, type ReadModel } from '@vegvision/read-model';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runImport } from '../src/commands/import';
import { openSse } from '@vegvision/test-support';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response): Promise<any> => r.json();

const SHARED = process.env['VEGVISION_SHARED_DIR'] ?? path.resolve(__dirname, '../../../../shared');
const SEED = path.join(SHARED, 'data/seed-sample');

async function start(config: VegvisionConfig): Promise<{ app: NestExpressApplication; url: string }> {
  const app = await createHttpApp({ config, workers: true });
  const url = await listen(app, config);
  return { app, url };
}

async function waitUntil<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 120000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

jest.setTimeout(600_000);

describe('embedded product, end to end', () => {
  let dataDir: string;
  let config: VegvisionConfig;

  beforeAll(() => {
    if (!fs.existsSync(path.join(SEED, 'seed-labels.csv'))) {
      throw new Error(`seed sample not found at ${SEED}: set VEGVISION_SHARED_DIR to the folder holding data/seed-sample`);
    }
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-e2e-'));
    config = loadConfig({ dataDir, port: 0, logLevel: 'warn' }, {});
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('imports, labels, browses, survives a restart and rebuilds identically', async () => {
    // 1. Import the seed sample (270 images) and wait until every image is labelled.
    const summary = await runImport(config, SEED, { wait: true });
    expect(summary).toMatchObject({ files: 270, recorded: 270, failed: [] });
    const again = await runImport(config, SEED, { wait: false });
    expect(again).toMatchObject({ recorded: 0, alreadyRecorded: 270 });

    let { app, url } = await start(config);
    try {
      const facets = await json(await fetch(`${url}/api/catalog/facets`));
      expect(facets.total).toBe(270);
      const labelled = Object.values(facets.kinds as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(labelled).toBe(270);

      // 2. Upload a new photo (non-square PNG) and receive its labels over SSE.
      const seedJpeg = fs.readFileSync(path.join(SEED, 'Tomato/1001.jpg'));
      const photo = await sharp(seedJpeg).resize(300, 200, { fit: 'fill' }).png().toBuffer();
      const sse = openSse(`${url}/api/events`);
      await sse.ready;
      const form = new FormData();
      form.append('file', new Blob([photo], { type: 'image/png' }), 'my tomato.png');
      const res = await fetch(`${url}/api/images`, { method: 'POST', body: form });
      expect(res.status).toBe(202);
      const accepted = await json(res);
      expect(accepted).toMatchObject({ status: 'processing', width: 300, height: 200, contentType: 'image/png' });
      const isFor = (type: string) => (m: { event: string; data: string }) =>
        m.event === type && JSON.parse(m.data).data.imageId === accepted.imageId;
      const classified = JSON.parse((await sse.waitFor(isFor('ImageClassified'))).data);
      const coloured = JSON.parse((await sse.waitFor(isFor('ColourDetected'))).data);
      sse.close();
      expect(classified.data.kind).toBe('Tomato');
      expect(coloured.data.rgbHex).toMatch(/^#[0-9A-F]{6}$/);

      const image = await waitUntil(async () => {
        const r = await json(await fetch(`${url}/api/images/${accepted.imageId}`));
        return r.status === 'ready' ? r : null;
      });
      expect(image).toMatchObject({ kind: 'Tomato', source: 'upload', originalName: 'my tomato.png' });
      const original = await fetch(image.url.startsWith('http') ? image.url : `${url}${image.url}`);
      expect(original.status).toBe(200);
      expect(Buffer.from(await original.arrayBuffer()).equals(photo)).toBe(true);

      // 3. Browse with each filter.
      const byKind = await json(await fetch(`${url}/api/images?count=5&kind=Carrot`));
      expect(byKind.items).toHaveLength(5);
      expect(byKind.items.every((i: { kind: string }) => i.kind === 'Carrot')).toBe(true);
      const rgbColour = Object.keys(facets.colours.RGB)[0];
      const byColour = await json(await fetch(`${url}/api/images?count=9&palette=RGB&colour=${encodeURIComponent(rgbColour)}`));
      expect(byColour.items.length).toBe(Math.min(9, facets.colours.RGB[rgbColour]));
      expect(byColour.items.every((i: { rgbHex: string }) => i.rgbHex === rgbColour)).toBe(true);
      // Kind and colour together: take the RYB colour of a Carrot found above, so the match is not empty.
      const ryb = byKind.items[0].rybHex as string;
      const both = await json(await fetch(`${url}/api/images?count=9&kind=Carrot&palette=RYB&colour=${encodeURIComponent(ryb)}`));
      expect(both.items.length).toBeGreaterThan(0);
      expect(both.items.every((i: { kind: string; rybHex: string }) => i.kind === 'Carrot' && i.rybHex === ryb)).toBe(true);
      const bad = await fetch(`${url}/api/images?count=10`);
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
    } finally {
      await app.close();
    }

    // 4. Restart: everything is still there.
    ({ app, url } = await start(config));
    try {
      const facets = await json(await fetch(`${url}/api/catalog/facets`));
      expect(facets.total).toBe(271);

      // 5. Rebuild the read model from the event log: identical rows.
      const readModel = app.get<ReadModel>(READ_MODEL, { strict: false });
      const before = await readModel.dump(CATALOG_PROJECTION);
      const progress: number[] = [];
      await app.get(RebuildService, { strict: false }).rebuild(CATALOG_PROJECTION, (p) => progress.push(p.done));
      const after = await readModel.dump(CATALOG_PROJECTION);
      expect(after).toEqual(before);
      expect(progress.length).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});
