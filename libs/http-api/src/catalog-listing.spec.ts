// GET /api/catalog/images, GET /api/catalog/facets and the sample's `measure` on the embedded
// server: pages walked to the end (stable while images arrive), each sort and filter,
// conditional facets, and every bad parameter a 400 problem+json with its stable code.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { READ_MODEL } from '@vegvision/application';
import { ImageSource } from '@vegvision/contracts';
import { loadConfig } from '@vegvision/config';
import { CATALOG_PROJECTION, type ReadModel } from '@vegvision/read-model';
import { fixtureTime, makeClassified, makeColourDetected, makeCorrected, makeDeleted, makeUploaded } from '@vegvision/read-model/testing';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createHttpApp, listen } from './http-app';

jest.setTimeout(120_000);

interface Item { imageId: string; kind: string | null; confidence: number | null; source: string; uploadedAt: string; url: string; closestKind: unknown }
interface Page { items: Item[]; nextCursor: string | null; total: number; links: { self: string; next: string | null } }

// RGB #FF0000 / RYB #FE2712 and RGB #00FF00 / RYB #66B032 are colours of the product's palettes.
const RED = { rgbHex: '#FF0000', rybHex: '#FE2712' };
const GREEN = { rgbHex: '#00FF00', rybHex: '#66B032' };

describe('HTTP API: catalog listing and facets', () => {
  let dir: string;
  let app: NestExpressApplication;
  let url: string;
  let rm: ReadModel;
  let position = 0;
  const ids: string[] = [];

  const add = async (spec: { at: number; kind: string; confidence: number; model?: string; source?: 'catalog'; colour?: typeof RED; subject?: typeof RED }) => {
    const uploaded = makeUploaded({ uploadedAt: fixtureTime(spec.at), source: spec.source ? ImageSource.CATALOG : ImageSource.UPLOAD });
    const id = uploaded.data.imageId;
    const events = [
      uploaded,
      makeClassified(id, { kind: spec.kind, confidence: spec.confidence, modelVersion: spec.model ?? 'm1' }),
      makeColourDetected(id, spec.colour ?? RED),
      ...(spec.subject ? [makeColourDetected(id, { ...spec.subject, algorithmVersion: 'subject-border-v1' })] : []),
    ];
    for (const event of events) await rm.project(CATALOG_PROJECTION, event, ++position);
    return id;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-catalog-'));
    const config = loadConfig(
      { dataDir: dir, port: 0, logLevel: 'silent', modelDir: path.resolve(__dirname, '../../classifier/fixtures/tiny-model') },
      {},
    );
    // No workers: the test writes the read model itself.
    app = await createHttpApp({ config, workers: false });
    url = await listen(app, config);
    rm = app.get(READ_MODEL) as ReadModel;
    ids.push(await add({ at: 1, kind: 'Tomato', confidence: 0.9, source: 'catalog', colour: RED, subject: GREEN }));
    ids.push(await add({ at: 2, kind: 'Tomato', confidence: 0.4, colour: GREEN }));
    ids.push(await add({ at: 3, kind: 'Carrot', confidence: 0.8, model: 'm2', colour: RED, subject: RED }));
    ids.push(await add({ at: 4, kind: 'not_a_vegetable', confidence: 0.7, colour: RED }));
    ids.push(await add({ at: 5, kind: 'Bean', confidence: 0.3, source: 'catalog', colour: GREEN }));
    await rm.project(CATALOG_PROJECTION, makeCorrected(ids[4], { kind: 'Bean' }), ++position);
  });
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = async <T>(pathAndQuery: string): Promise<T> => {
    const res = await fetch(url + pathAndQuery);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const conditionalGet = (target: string, etag: string) =>
    new Promise<{ status: number; body: string; etag?: string }>((resolve, reject) => {
      http
        .get(target, { headers: { 'If-None-Match': etag } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.statusCode === 200 ? { etag: String(res.headers.etag) } : {}) }));
        })
        .on('error', reject);
    });
  const walk = async (query: string, between?: () => Promise<void>) => {
    const seen: string[] = [];
    let next: string | null = `/api/catalog/images?${query}`;
    let pages = 0;
    let last: Page | undefined;
    while (next && pages++ < 50) {
      last = await get<Page>(next);
      seen.push(...last.items.map((i) => i.imageId));
      next = last.links.next;
      expect(next === null).toBe(last.nextCursor === null);
      if (next) await between?.();
    }
    return { ids: seen, total: last?.total };
  };

  it('walks every page of every sort, each image once, items like the sample\'s (temporary link, closestKind)', async () => {
    expect((await walk('limit=2')).ids).toEqual([...ids].reverse());
    expect((await walk('sort=oldest&limit=2')).ids).toEqual(ids);
    expect((await walk('sort=confidence_desc&limit=3')).ids).toEqual([0, 2, 3, 1, 4].map((i) => ids[i]));
    expect((await walk('sort=confidence_asc&limit=1')).ids).toEqual([4, 1, 3, 2, 0].map((i) => ids[i]));
    const page = await get<Page>('/api/catalog/images?sort=oldest&limit=2');
    expect(page).toMatchObject({ total: 5, links: { self: '/api/catalog/images?sort=oldest&limit=2' } });
    expect(page.links.next).toBe(`/api/catalog/images?sort=oldest&limit=2&cursor=${page.nextCursor}`);
    expect(page.items[0]).toMatchObject({ imageId: ids[0], kind: 'Tomato', url: expect.any(String), closestKind: null });
    const refused = await get<Page>('/api/catalog/images?kind=not_a_vegetable');
    expect(refused.items[0].closestKind).toEqual(expect.objectContaining({ kind: expect.any(String) }));
  });

  it('keeps the walk stable while images arrive between pages', async () => {
    const before = (await walk('sort=oldest')).ids;
    const added: string[] = [];
    const walked = await walk('sort=oldest&limit=2', async () => {
      added.push(await add({ at: 0, kind: 'Tomato', confidence: 0.5 }));
      added.push(await add({ at: 100 + added.length, kind: 'Tomato', confidence: 0.5 }));
    });
    expect(new Set(walked.ids).size).toBe(walked.ids.length);
    expect(walked.ids.filter((id) => before.includes(id))).toEqual(before);
    expect(walked.total).toBe(before.length + added.length);
    // Put the catalog back as it was for the other tests.
    for (const id of added) await rm.project(CATALOG_PROJECTION, makeDeleted(id), ++position);
  });

  it('answers a listing page with a weak ETag that changes with its images, and 304 to a matching If-None-Match', async () => {
    const first = await fetch(`${url}/api/catalog/images?sort=oldest&limit=2`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = await first.text();
    expect(Number(first.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    expect(JSON.parse(body)).toMatchObject({ items: [{ imageId: ids[0] }, { imageId: ids[1] }], total: 5 });
    // node:http, not fetch: fetch sends Cache-Control: no-cache with an If-None-Match of its caller's.
    const again = await conditionalGet(`${url}/api/catalog/images?sort=oldest&limit=2`, etag!);
    expect(again).toEqual({ status: 304, body: '' });
    // Another page, and the same page after one of its images changed, have other tags.
    expect((await fetch(`${url}/api/catalog/images?sort=oldest&limit=1`)).headers.get('etag')).not.toBe(etag);
    await rm.project(CATALOG_PROJECTION, makeClassified(ids[1], { kind: 'Tomato', confidence: 0.41, modelVersion: 'm1' }), ++position);
    const changed = await conditionalGet(`${url}/api/catalog/images?sort=oldest&limit=2`, etag!);
    expect(changed.status).toBe(200);
    expect(changed.etag).not.toBe(etag);
    expect((JSON.parse(changed.body) as Page).items[1]).toMatchObject({ imageId: ids[1], confidence: 0.41 });
    await rm.project(CATALOG_PROJECTION, makeClassified(ids[1], { kind: 'Tomato', confidence: 0.4, modelVersion: 'm1' }), ++position);
  });

  it('answers the random sample as JSON without an ETag', async () => {
    const res = await fetch(`${url}/api/images?count=2&kind=Tomato`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as { count: number; requested: number; filters: unknown; items: Item[] };
    expect(body).toMatchObject({ count: 2, requested: 2, filters: { kind: 'Tomato', palette: null, colour: null, measure: 'photo' } });
    expect(body.items.map((i) => i.imageId).sort()).toEqual([ids[0], ids[1]].sort());
    expect(body.items[0]).toMatchObject({ url: expect.any(String), closestKind: null });
    const head = await fetch(`${url}/api/images?count=2&kind=Tomato`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');
  });

  it('filters by kind, colour of either measure, source, model version, confidence and review', async () => {
    const only = async (query: string) => (await walk(`sort=oldest&${query}`)).ids;
    const pick = (...indexes: number[]) => indexes.map((i) => ids[i]);
    expect(await only('kind=Tomato')).toEqual(pick(0, 1));
    expect(await only('palette=RGB&colour=%23ff0000')).toEqual(pick(0, 2, 3));
    expect(await only('palette=RYB&colour=FE2712&measure=subject')).toEqual(pick(2));
    expect(await only('palette=RGB&measure=subject')).toEqual(pick(0, 2));
    expect(await only('source=catalog')).toEqual(pick(0, 4));
    expect(await only('modelVersion=m2')).toEqual(pick(2));
    expect(await only('minConfidence=0.7&maxConfidence=0.9')).toEqual(pick(0, 2, 3));
    expect(await only('minConfidence=0.8')).toEqual(pick(0, 2));
    // Doubtful: 1 (0.4) and 3 (not a vegetable); 4 is below the threshold but corrected by a person.
    expect(await only('review=true')).toEqual(pick(1, 3));
    expect(await only('review=true&kind=Tomato')).toEqual(pick(1));
    expect(await get<Page>('/api/catalog/images?kind=Pumpkin')).toMatchObject({ items: [], nextCursor: null, total: 0, links: { next: null } });
  });

  it('counts facets under the other filters; without filters every image', async () => {
    type Facets = { total: number; kinds: Record<string, number>; colours: Record<string, Record<string, number>>; subjectColours: Record<string, Record<string, number>> };
    const all = await get<Facets>('/api/catalog/facets');
    expect(all).toMatchObject({ total: 5, kinds: { Tomato: 2, Carrot: 1, Bean: 1, not_a_vegetable: 1 }, colours: { RGB: { '#FF0000': 3, '#00FF00': 2 } } });
    const tomato = await get<Facets>('/api/catalog/facets?kind=Tomato');
    expect(tomato.total).toBe(2);
    expect(tomato.kinds).toEqual(all.kinds);
    expect(tomato.colours.RGB).toEqual({ '#FF0000': 1, '#00FF00': 1 });
    const red = await get<Facets>('/api/catalog/facets?palette=RGB&colour=%23FF0000&source=upload');
    expect(red.total).toBe(2);
    expect(red.kinds).toEqual({ Carrot: 1, not_a_vegetable: 1 });
    expect(red.colours.RGB).toEqual({ '#FF0000': 2, '#00FF00': 1 });
  });

  it('samples by the subject colour with measure=subject', async () => {
    type Browse = { items: Item[]; filters: { measure: string } };
    const subject = await get<Browse>('/api/images?palette=RGB&colour=%2300FF00&measure=subject');
    expect(subject.items.map((i) => i.imageId)).toEqual([ids[0]]);
    expect(subject.filters.measure).toBe('subject');
    const photo = await get<Browse>('/api/images?palette=RGB&colour=%2300FF00');
    expect(photo.items.map((i) => i.imageId).sort()).toEqual([ids[1], ids[4]].sort());
    expect(photo.filters.measure).toBe('photo');
  });

  it.each([
    ['/api/catalog/images?limit=0', 'invalid_limit'],
    ['/api/catalog/images?limit=101', 'invalid_limit'],
    ['/api/catalog/images?limit=2.5', 'invalid_limit'],
    ['/api/catalog/images?sort=random', 'unknown_sort'],
    ['/api/catalog/images?cursor=%21%21', 'invalid_cursor'],
    ['/api/catalog/images?cursor=bm90IGEgY3Vyc29y', 'invalid_cursor'],
    ['/api/catalog/images?minConfidence=-0.1', 'invalid_confidence'],
    ['/api/catalog/images?maxConfidence=1.5', 'invalid_confidence'],
    ['/api/catalog/images?maxConfidence=Infinity', 'invalid_confidence'],
    ['/api/catalog/images?minConfidence=abc', 'invalid_confidence'],
    ['/api/catalog/images?minConfidence=0.8&maxConfidence=0.2', 'invalid_confidence_range'],
    ['/api/catalog/images?colour=%23FF0000', 'palette_required'],
    ['/api/catalog/images?palette=RYB&colour=%23FF0000', 'colour_not_in_palette'],
    ['/api/catalog/images?palette=RGB&colour=red', 'invalid_colour'],
    ['/api/catalog/images?palette=CMYK', 'unknown_palette'],
    ['/api/catalog/images?kind=Banana', 'unknown_kind'],
    ['/api/catalog/images?measure=vegetable', 'unknown_measure'],
    ['/api/catalog/images?source=web', 'unknown_source'],
    ['/api/catalog/images?modelVersion=%2Fetc', 'invalid_model_version'],
    ['/api/catalog/images?review=false', 'invalid_review'],
    ['/api/catalog/images?sort=newest&sort=oldest', 'repeated_parameter'],
    ['/api/catalog/images?limit=1&limit=2', 'repeated_parameter'],
    ['/api/catalog/facets?kind=Banana', 'unknown_kind'],
    ['/api/catalog/facets?colour=%23FF0000', 'palette_required'],
    ['/api/catalog/facets?minConfidence=0.9&maxConfidence=0.1', 'invalid_confidence_range'],
    ['/api/images?measure=vegetable', 'unknown_measure'],
  ])('GET %s → 400 %s', async (q, code) => {
    const res = await fetch(url + q);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ code, status: 400 });
  });

  it('refuses a cursor of another sort or other filters with 400 invalid_cursor', async () => {
    const page = await get<Page>('/api/catalog/images?sort=oldest&limit=1');
    for (const q of [`sort=newest&cursor=${page.nextCursor}`, `sort=oldest&kind=Tomato&cursor=${page.nextCursor}`]) {
      const res = await fetch(`${url}/api/catalog/images?${q}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'invalid_cursor' });
    }
  });
});
