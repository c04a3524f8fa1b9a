// Corrections and deletion in distributed mode: five services as separate processes on the
// real PostgreSQL, Kafka and S3 of deploy/local, the CLI as a child process. A correction made
// through the api service is projected by the projector service and survives a relabel run
// concurrently with more corrections (CLI); the relabel report counts it as ground truth. A
// deletion removes the original from S3 (its presigned link stops working) and the image from
// the read model and destroys the image's data key in PostgreSQL, so the file name the event log
// holds sealed can never be read again; a rebuild (CLI) and a relabel keep it out; the same bytes
// uploaded again are a new upload.
import { defaultModelDir } from '@vegvision/classifier';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Cluster, REPO, SEED, missingStackVars, stackScript, waitFor } from './cluster';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const json = async (r: Response): Promise<Json> => r.json();
const ANA = 'ana-token-0123456789';
const BO = 'bo-token-0123456789';

const missing = missingStackVars();
if (missing.length) console.warn(`SKIPPED: distributed corrections and deletion suite — ${missing.join(', ')} not set`);
const describeStack = missing.length ? describe.skip : describe;

jest.setTimeout(900_000);

describeStack('corrections and deletion, distributed on the real stack', () => {
  let cluster: Cluster;
  let dir: string;
  let models: string;
  let fixtureVersion: string;

  async function cli(...args: string[]): Promise<string> {
    const child = spawn(process.execPath, [path.join(REPO, 'services/vegvision/bin/vegvision.js'), ...args], {
      cwd: REPO,
      env: { ...cluster.env, VEGVISION_MODELS_DIR: models },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`vegvision ${args.join(' ')} exited ${code}:\n${out.slice(-4000)}`);
    return out;
  }
  const correct = (id: string, body: unknown, token = ANA) =>
    fetch(`${cluster.api}/api/images/${id}/corrections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const image = async (id: string): Promise<Json | null> => {
    const r = await fetch(`${cluster.api}/api/images/${id}`);
    return r.status === 200 ? json(r) : null;
  };

  beforeAll(async () => {
    stackScript('stack.sh', 'up');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vvd-truth-'));
    models = path.join(dir, 'models');
    const active = defaultModelDir();
    const fixture = path.join(REPO, 'libs/classifier/fixtures/tiny-model');
    fixtureVersion = JSON.parse(fs.readFileSync(path.join(fixture, 'model-card.json'), 'utf8')).version as string;
    fs.cpSync(active, path.join(models, path.basename(active)), { recursive: true });
    fs.cpSync(fixture, path.join(models, fixtureVersion), { recursive: true });
    fs.writeFileSync(path.join(models, 'DEFAULT'), path.basename(active));
    const catalog = path.join(dir, 'catalog');
    for (const kind of ['Carrot', 'Tomato']) {
      fs.mkdirSync(path.join(catalog, kind), { recursive: true });
      for (const f of fs.readdirSync(path.join(SEED, kind)).sort().slice(0, 5)) fs.copyFileSync(path.join(SEED, kind, f), path.join(catalog, kind, f));
    }
    cluster = await Cluster.create();
    cluster.env['VEGVISION_EDITOR_TOKENS'] = `ana:${ANA},bo:${BO}`;
    await cluster.startAll();
    await cluster.runImport(catalog);
  });
  afterAll(async () => {
    await cluster?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('correct → shown over the model → a relabel with concurrent corrections leaves it and loses nothing → the report counts it', async () => {
    const { items } = await json(await fetch(`${cluster.api}/api/images?count=9&kind=Tomato`));
    const [first, second] = items;
    expect((await correct(first.imageId, { kind: 'Capsicum', note: 'red pepper' })).status).toBe(201);
    const shown = await waitFor('correction projected', async () => {
      const v = await image(first.imageId);
      return v?.labelSource === 'person' ? v : null;
    });
    expect(shown).toMatchObject({ kind: 'Capsicum', modelKind: 'Tomato', correction: { by: 'ana', note: 'red pepper' } });

    const [out, ...answers] = await Promise.all([
      cli('relabel', '--model', fixtureVersion, '--report-dir', dir),
      ...Array.from({ length: 6 }, (_, i) => correct(second.imageId, { kind: i === 5 ? 'Radish' : 'Potato', note: `#${i}` }, i % 2 ? BO : ANA)),
    ]);
    expect(out).toContain(`relabelled 10 image(s) with ${fixtureVersion}`);
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    const after = await waitFor('relabel projected', async () => {
      const v = await image(first.imageId);
      return v?.modelVersion === fixtureVersion ? v : null;
    });
    expect(after).toMatchObject({ kind: 'Capsicum', labelSource: 'person' });
    const concurrent = await waitFor('all corrections projected', async () => {
      const v = await image(second.imageId);
      return v?.corrections.length === 6 && v.modelVersion === fixtureVersion ? v : null;
    });
    expect(concurrent.kind).toBe(concurrent.corrections.at(-1).kind);
    expect(await cluster.eventCount('LabelCorrected')).toBe(7);
    const report = JSON.parse(fs.readFileSync(path.join(dir, `relabel-${fixtureVersion}.json`), 'utf8'));
    expect(report.groundTruth).toEqual({ corrected: 2, imported: 8 });
    expect(report.accuracyOnCorrections[fixtureVersion].total).toBe(2);
  });

  it('delete → gone from S3 and the read model, link dead, rebuild and relabel keep it out, re-upload works', async () => {
    const bytes = await sharp(fs.readFileSync(path.join(SEED, 'Tomato/1001.jpg'))).resize(310, 200, { fit: 'fill' }).png().toBuffer();
    const form = () => {
      const f = new FormData();
      f.append('file', new Blob([bytes], { type: 'image/png' }), 'mine.png');
      return f;
    };
    const accepted = await json(await fetch(`${cluster.api}/api/images`, { method: 'POST', body: form() }));
    const ready = await waitFor('upload ready', async () => {
      const v = await image(accepted.imageId);
      return v?.status === 'ready' ? v : null;
    });
    expect((await fetch(ready.url)).status).toBe(200);
    expect(ready.originalName).toBe('mine.png');
    // The event log holds the name only sealed; its key lives in the key store's schema.
    const plainInLog = async () =>
      (await cluster.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${cluster.eventSchema}".events WHERE data::text LIKE '%mine.png%'`))[0].n;
    const keyRows = async () =>
      (await cluster.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${cluster.keySchema}".data_keys WHERE id = $1`, [ready.imageId]))[0].n;
    expect(await plainInLog()).toBe(0);
    expect(await keyRows()).toBe(1);
    const res = await fetch(`${cluster.api}/api/images/${ready.imageId}`, { method: 'DELETE', headers: { authorization: `Bearer ${BO}` } });
    expect(res.status).toBe(204);
    expect([403, 404]).toContain((await fetch(ready.url)).status); // the presigned link of the gone object
    // Read-your-writes: the API answers 204 once the shared read model has dropped the image.
    expect((await fetch(`${cluster.api}/api/images/${ready.imageId}`)).status).toBe(404);
    expect((await json(await fetch(`${cluster.api}/api/catalog/facets`))).total).toBe(10);
    const [tombstone] = await cluster.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${cluster.readSchema}".deleted_images WHERE image_id = $1`, [ready.imageId]);
    expect(tombstone.n).toBe(1);
    expect(await keyRows()).toBe(0);
    expect(await plainInLog()).toBe(0);

    expect(await cli('projections', 'rebuild', 'catalog')).toBeTruthy();
    expect(await image(ready.imageId)).toBeNull();
    expect((await json(await fetch(`${cluster.api}/api/catalog/facets`))).total).toBe(10);
    expect(await cli('relabel', '--model', path.basename(defaultModelDir()), '--report-dir', dir)).toContain('(10 already done');
    expect(await image(ready.imageId)).toBeNull();

    const again = await json(await fetch(`${cluster.api}/api/images`, { method: 'POST', body: form() }));
    expect(again).toMatchObject({ imageId: ready.imageId, duplicate: false });
    const back = await waitFor('re-upload ready', async () => {
      const v = await image(ready.imageId);
      return v?.status === 'ready' ? v : null;
    });
    expect(back).toMatchObject({ originalName: 'mine.png', uploadCount: 1, labelSource: 'model', corrections: [] });
    expect((await fetch(back.url)).status).toBe(200);
    expect(cluster.service('api').output.join('\n')).not.toContain('request failed');
  });
});
