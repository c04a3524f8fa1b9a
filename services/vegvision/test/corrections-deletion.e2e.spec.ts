// Corrections and deletion on the embedded product, in-process: a person corrects a label, the
// image's history and the catalog show it over the model's, a relabel (run concurrently with
// more corrections of one image) leaves it shown and its diff report counts it as ground truth;
// a deleted image leaves object storage and the catalog, its link stops working, a rebuild and
// a relabel keep it out, the event log holds its file name only sealed under a key the deletion
// destroyed (crypto-shredding), and the same bytes uploaded again are a new upload. Bad input gets
// 4xx problem+json.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { KEY_STORE, OBJECT_STORAGE, READ_MODEL, RebuildService, RelabelService, RelayWorker, relabelReport, EVENT_STORE } from '@vegvision/application';
import { defaultModelDir } from '@vegvision/classifier';
import { loadConfig, type VegvisionConfig } from '@vegvision/config';
import type { EventStore } from '@vegvision/event-store';
import type { KeyStore } from '@vegvision/key-store';
import { createHttpApp, listen } from '@vegvision/http-api';
import { CATALOG_PROJECTION, type ReadModel } from '@vegvision/read-model';
import type { ObjectStorage } from '@vegvision/storage';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runImport } from '../src/commands/import';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response): Promise<any> => r.json();

const REPO = path.resolve(__dirname, '../../..');
const SHARED = process.env['VEGVISION_SHARED_DIR'] ?? path.resolve(REPO, '../shared');
const SEED = path.join(SHARED, 'data/seed-sample');
const FIXTURE = path.join(REPO, 'libs/classifier/fixtures/tiny-model');
const ANA = 'ana-token-0123456789';
const BO = 'bo-token-0123456789';

async function waitUntil<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

jest.setTimeout(600_000);

describe('corrections and deletion (embedded)', () => {
  let dir: string;
  let config: VegvisionConfig;
  let app: NestExpressApplication;
  let url: string;
  const fixtureVersion = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'model-card.json'), 'utf8')).version as string;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const correct = (id: string, body: unknown, token = ANA) =>
    fetch(`${url}/api/images/${id}/corrections`, { method: 'POST', headers: { ...auth(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const upload = async (bytes: Buffer, name: string) => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'image/png' }), name);
    const res = await fetch(`${url}/api/images`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    return json(res);
  };
  const ready = (id: string) =>
    waitUntil(async () => {
      const r = await fetch(`${url}/api/images/${id}`);
      const body = r.status === 200 ? await json(r) : null;
      return body?.status === 'ready' ? body : null;
    });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-truth-'));
    const active = defaultModelDir();
    const models = path.join(dir, 'models');
    fs.cpSync(active, path.join(models, path.basename(active)), { recursive: true });
    fs.cpSync(FIXTURE, path.join(models, fixtureVersion), { recursive: true });
    fs.writeFileSync(path.join(models, 'DEFAULT'), path.basename(active));
    // A 10-image catalog with ground-truth folders.
    const catalog = path.join(dir, 'catalog');
    for (const kind of ['Carrot', 'Tomato']) {
      fs.mkdirSync(path.join(catalog, kind), { recursive: true });
      for (const f of fs.readdirSync(path.join(SEED, kind)).sort().slice(0, 5)) fs.copyFileSync(path.join(SEED, kind, f), path.join(catalog, kind, f));
    }
    config = loadConfig(
      { dataDir: path.join(dir, 'data'), modelsDir: models, port: 0, logLevel: 'warn', editorTokens: `ana:${ANA},bo:${BO}` },
      {},
    );
    expect(await runImport(config, catalog, { wait: true })).toMatchObject({ files: 10, recorded: 10 });
    app = await createHttpApp({ config, workers: true });
    url = await listen(app, config);
  });
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad input with 4xx problem+json', async () => {
    const { items } = await json(await fetch(`${url}/api/images?count=1`));
    const id = items[0].imageId as string;
    const cases: [Promise<Response>, number, string][] = [
      [correct(id, { kind: 'Banana' }), 400, 'unknown_kind'],
      [correct(id, { kind: 'Bean', note: 'x'.repeat(10 * 1024) }), 400, 'note_too_long'],
      [correct(id, { kind: 'Bean', note: 'nul \u0000 and C1 \u0093' }), 400, 'invalid_correction'],
      [correct(id, { kind: 'Bean', note: 'lone \ud83d surrogate' }), 400, 'invalid_correction'],
      [correct(id, {}), 400, 'kind_required'],
      [correct(id, { kind: 'Bean', by: 'someone else' }), 400, 'invalid_correction'],
      [correct(id, { kind: 'Bean', note: 7 }), 400, 'invalid_correction'],
      [fetch(`${url}/api/images/${id}/corrections`, { method: 'POST', body: JSON.stringify({ kind: 'Bean' }), headers: { 'content-type': 'application/json' } }), 401, 'unauthorized'],
      [correct(id, { kind: 'Bean' }, 'wrong-token-0123456789'), 403, 'forbidden'],
      [correct('not-an-id', { kind: 'Bean' }), 400, 'invalid_image_id'],
      [correct('00000000-0000-5000-8000-000000000000', { kind: 'Bean' }), 404, 'image_not_found'],
      [fetch(`${url}/api/images/${id}`, { method: 'DELETE' }), 401, 'unauthorized'],
      [fetch(`${url}/api/images/00000000-0000-5000-8000-000000000000`, { method: 'DELETE', headers: auth(ANA) }), 404, 'image_not_found'],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status, type: expect.stringContaining('application/problem+json') });
      expect((await json(res)).code).toBe(code);
    }
    // Nothing was recorded by any of them.
    expect((await json(await fetch(`${url}/api/images/${id}`))).corrections).toEqual([]);
  });

  it('correct → history and catalog show the person\'s label → a relabel (with concurrent corrections) leaves it → the report counts it', async () => {
    const { items } = await json(await fetch(`${url}/api/images?count=9&kind=Tomato`));
    const tomato = items[0];
    const res = await correct(tomato.imageId, { kind: 'Capsicum', note: 'a red pepper, not a tomato' });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ imageId: tomato.imageId, kind: 'Capsicum', correctedBy: 'ana', previousKind: 'Tomato' });
    const shown = await json(await fetch(`${url}/api/images/${tomato.imageId}`));
    expect(shown).toMatchObject({ kind: 'Capsicum', labelSource: 'person', modelKind: 'Tomato', correction: { kind: 'Capsicum', by: 'ana', note: 'a red pepper, not a tomato' } });
    expect(shown.corrections).toHaveLength(1);
    expect((await json(await fetch(`${url}/api/images?count=9&kind=Capsicum`))).items.map((i: { imageId: string }) => i.imageId)).toEqual([tomato.imageId]);
    expect((await json(await fetch(`${url}/api/catalog/facets`))).kinds).toMatchObject({ Capsicum: 1, Tomato: 4, Carrot: 5 });

    // A relabel to another model while a second image gets eight corrections from two editors.
    const other = items[1].imageId as string;
    const relabel = app.get(RelabelService, { strict: false });
    const [progress, ...answers] = await Promise.all([
      relabel.run(fixtureVersion),
      ...Array.from({ length: 8 }, (_, i) => correct(other, { kind: i === 7 ? 'Radish' : 'Tomato', note: `#${i}` }, i % 2 ? BO : ANA)),
    ]);
    expect(progress).toMatchObject({ state: 'done', total: 10, failed: 0 });
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    // The run is done once its events are recorded; the catalog shows them once projected (as the CLI waits).
    await app.get(RelayWorker, { strict: false }).waitUntilIdle();
    const after = await json(await fetch(`${url}/api/images/${tomato.imageId}`));
    expect(after).toMatchObject({ kind: 'Capsicum', labelSource: 'person', modelVersion: fixtureVersion });
    expect(after.classifications).toHaveLength(2);
    const concurrent = await json(await fetch(`${url}/api/images/${other}`));
    expect(concurrent.corrections).toHaveLength(8); // nothing lost
    expect(concurrent.classifications.map((c: { modelVersion: string }) => c.modelVersion)).toContain(fixtureVersion);
    expect(concurrent.labelSource).toBe('person');
    // The newest correction by log position is the one shown.
    expect(concurrent.kind).toBe(concurrent.corrections.at(-1).kind);

    const report = await relabelReport(app.get<EventStore>(EVENT_STORE, { strict: false }), fixtureVersion);
    expect(report.groundTruth).toEqual({ corrected: 2, imported: 8 });
    expect(report.accuracyOnCorrections[fixtureVersion].total).toBe(2);
    expect(report.accuracy[fixtureVersion].total).toBe(10);
    // The shipped model said Tomato for the image a person called Capsicum: wrong by that truth.
    expect(report.accuracyOnCorrections[path.basename(defaultModelDir())].correct).toBeLessThan(2);
  });

  it('delete → object gone, row gone, link dead, rebuild and relabel keep it out; the same bytes uploaded again are a new upload', async () => {
    const storage = app.get<ObjectStorage>(OBJECT_STORAGE, { strict: false });
    const readModel = app.get<ReadModel>(READ_MODEL, { strict: false });
    const photo = await sharp(fs.readFileSync(path.join(SEED, 'Broccoli', fs.readdirSync(path.join(SEED, 'Broccoli')).sort()[0])))
      .resize(200, 150, { fit: 'fill' })
      .png()
      .toBuffer();
    const accepted = await upload(photo, 'my broccoli.png');
    const image = await ready(accepted.imageId);
    // The catalog shows the name; the event log holds it only sealed (under the image's data key).
    expect(image.originalName).toBe('my broccoli.png');
    if (config.eventStore.kind !== 'file') throw new Error('this spec reads the embedded file event store');
    const eventLog = path.join(config.eventStore.path, 'events.jsonl');
    const logText = () => fs.readFileSync(eventLog, 'utf8');
    const sealedNames = (imageId: string) =>
      logText()
        .split('\n')
        .filter((line) => line.includes(imageId) && line.includes('ImageUploaded'))
        .map((line) => /"sealedOriginalName":"([^"]+)"/.exec(line)?.[1]);
    expect(logText()).not.toContain('my broccoli');
    expect(sealedNames(image.imageId)).toEqual([expect.stringMatching(/^v1:[A-Za-z0-9+/=]+$/)]);
    const keys = app.get<KeyStore>(KEY_STORE, { strict: false });
    expect(await keys.get(image.imageId)).toBeDefined();
    expect(await correct(image.imageId, { kind: 'Cabbage' }).then((r) => r.status)).toBe(201);
    const link = image.url.startsWith('http') ? image.url : `${url}${image.url}`;
    expect((await fetch(link)).status).toBe(200);
    const total = (await json(await fetch(`${url}/api/catalog/facets`))).total as number;

    const res = await fetch(`${url}/api/images/${image.imageId}`, { method: 'DELETE', headers: auth(BO) });
    expect(res.status).toBe(204);
    expect(await storage.head(image.objectKey)).toBeNull();
    // Read-your-writes: the 204 comes once the catalog has dropped the image.
    expect((await fetch(`${url}/api/images/${image.imageId}`)).status).toBe(404);
    expect([403, 404]).toContain((await fetch(link)).status);
    expect((await json(await fetch(`${url}/api/catalog/facets`))).total).toBe(total - 1);
    expect(await readModel.findBySha256(image.sha256)).toBeNull();
    expect(await readModel.corrections(image.imageId)).toEqual([]);
    // A deleted image cannot be corrected or deleted again.
    expect((await correct(image.imageId, { kind: 'Bean' })).status).toBe(404);
    expect((await fetch(`${url}/api/images/${image.imageId}`, { method: 'DELETE', headers: auth(ANA) })).status).toBe(404);
    // Crypto-shredding: the log keeps the sealed name, and nothing can open it any more.
    expect(await keys.get(image.imageId)).toBeUndefined();
    expect(logText()).not.toContain('my broccoli');
    expect(sealedNames(image.imageId)).toHaveLength(1);
    if (config.keyStore.kind === 'file') {
      const keyFiles = fs.readdirSync(config.keyStore.dir);
      expect(keyFiles.length).toBeGreaterThan(0); // the other images' keys
      expect(keyFiles.filter((f) => !f.endsWith('.key'))).toEqual([]);
    }

    // A rebuild and a relabel keep it out.
    const before = await readModel.dump(CATALOG_PROJECTION);
    await app.get(RebuildService, { strict: false }).rebuild(CATALOG_PROJECTION);
    expect(await readModel.dump(CATALOG_PROJECTION)).toEqual(before);
    expect(await readModel.getImage(image.imageId)).toBeNull();
    // The rebuild opened the names of the images still there (imported: their file names).
    const { items: rebuilt } = await json(await fetch(`${url}/api/images?count=3`));
    for (const item of rebuilt) expect((await readModel.getImage(item.imageId))?.originalName).toMatch(/\.(jpe?g|png|webp)$/i);
    const relabelled = await app.get(RelabelService, { strict: false }).run(fixtureVersion);
    expect(relabelled).toMatchObject({ state: 'done', total: total - 1, failed: 0 });
    await app.get(RelayWorker, { strict: false }).waitUntilIdle();
    expect(await readModel.getImage(image.imageId)).toBeNull();
    expect(await storage.head(image.objectKey)).toBeNull();

    // The same bytes again: a new upload (not a duplicate), labelled anew, no correction.
    const again = await upload(photo, 'broccoli again.png');
    expect(again).toMatchObject({ imageId: image.imageId, duplicate: false });
    const back = await ready(image.imageId);
    expect(back).toMatchObject({ originalName: 'broccoli again.png', uploadCount: 1, labelSource: 'model', correction: null, corrections: [] });
    // Sealed under a new key, which does not open the first life's name; a rebuild shows the new one.
    expect(sealedNames(image.imageId)).toHaveLength(2);
    expect(logText()).not.toContain('broccoli again');
    await app.get(RebuildService, { strict: false }).rebuild(CATALOG_PROJECTION);
    expect(await readModel.getImage(image.imageId)).toMatchObject({ originalName: 'broccoli again.png', uploadCount: 1 });
    expect(back.classifications).toHaveLength(1);
    expect(await storage.head(image.objectKey)).not.toBeNull();
    expect((await fetch(back.url.startsWith('http') ? back.url : `${url}${back.url}`)).status).toBe(200);
    // A second upload of it is a duplicate again.
    expect(await upload(photo, 'third.png')).toMatchObject({ duplicate: true });
  });
});
