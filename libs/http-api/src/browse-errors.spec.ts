// Bad browse and lookup requests get a 4xx problem+json with a stable code; valid ones on an
// empty catalog answer an empty list, not an error.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@vegvision/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHttpApp, listen } from './http-app';

jest.setTimeout(120_000);

describe('HTTP API: browse and lookup errors', () => {
  let dir: string;
  let app: NestExpressApplication;
  let url: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-api-'));
    const config = loadConfig(
      {
        dataDir: dir,
        port: 0,
        logLevel: 'silent',
        modelDir: path.resolve(__dirname, '../../classifier/fixtures/tiny-model'),
      },
      {},
    );
    app = await createHttpApp({ config, workers: true });
    url = await listen(app, config);
  });
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const problem = async (pathAndQuery: string, status: number, code: string) => {
    const res = await fetch(url + pathAndQuery);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as { code: string; status: number; detail: string; title: string };
    expect(body).toMatchObject({ code, status });
    expect(body.detail.length).toBeGreaterThan(10);
    return body;
  };

  it.each([
    ['/api/images?count=0', 'invalid_count'],
    ['/api/images?count=10', 'invalid_count'],
    ['/api/images?count=abc', 'invalid_count'],
    ['/api/images?count=2.5', 'invalid_count'],
    ['/api/images?kind=Banana', 'unknown_kind'],
    ['/api/images?colour=%23FF0000', 'palette_required'],
    ['/api/images?palette=CMYK', 'unknown_palette'],
    ['/api/images?palette=RGB&colour=%23123456', 'colour_not_in_palette'],
    ['/api/images?palette=RYB&colour=%23FF0000', 'colour_not_in_palette'],
    ['/api/images/not-an-id', 'invalid_image_id'],
  ])('GET %s → 400 %s', async (q, code) => {
    await problem(q, 400, code);
  });

  it('answers 404 problems for unknown images and routes', async () => {
    await problem('/api/images/0b7f3a52-54b4-4b8e-9a55-2f1b7c1e0f01', 404, 'image_not_found');
    await problem('/api/nothing-here', 404, 'not_found');
  });

  it('answers an empty list, not an error, when nothing matches', async () => {
    for (const q of ['?count=3', '?kind=Tomato', '?palette=RGB&colour=%23ff0000', '?kind=Bean&palette=RYB&colour=FE2712']) {
      const res = await fetch(`${url}/api/images${q}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: unknown[]; count: number };
      expect(body).toMatchObject({ items: [], count: 0 });
    }
  });

  it('lists kinds, palettes and facets of an empty catalog', async () => {
    const kinds = (await (await fetch(`${url}/api/kinds`)).json()) as { kinds: string[] };
    expect(kinds.kinds).toHaveLength(15);
    const palettes = (await (await fetch(`${url}/api/palettes`)).json()) as { palettes: { name: string; colours: string[] }[] };
    expect(palettes.palettes.map((p) => [p.name, p.colours.length])).toEqual([
      ['RGB', 12],
      ['RYB', 12],
    ]);
    const facets = (await (await fetch(`${url}/api/catalog/facets`)).json()) as { total: number };
    expect(facets.total).toBe(0);
    expect((await fetch(`${url}/api/docs/openapi.json`)).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});
