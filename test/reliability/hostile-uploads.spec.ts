// Hostile-input corpus against the real embedded API (in-process, loopback, temp data dir):
// every malformed upload gets a clear 4xx problem+json and leaves nothing behind (objects,
// event log lines, read-model rows, other files); valid-but-unusual uploads are accepted and
// get exactly the labels the pipeline computes for those bytes.
import { VegetableClassifier, defaultModelDir } from '@vegvision/classifier';
import { detectColours } from '@vegvision/colour';
import { decodeImage } from '@vegvision/imaging';
import fs from 'node:fs';
import path from 'node:path';
import { buildCorpus, describeCorpus, SEED_DIR, type HostileCase } from './hostile-corpus';
import { resolveLink, snapshot, startEmbedded, testModelDir, upload, waitReady, type Embedded } from './harness';

jest.setTimeout(600_000);

const SEED_PHOTO = path.join(SEED_DIR, 'Tomato/1001.jpg');

async function send(h: Embedded, c: HostileCase): Promise<Response> {
  const r = c.request;
  if (r.type === 'raw') {
    return fetch(`${h.url}/api/images`, { method: 'POST', body: r.body, headers: { 'content-type': r.contentType } });
  }
  return upload(h.url, r.bytes, r.fileName, r.contentType, r.field);
}

describe('hostile uploads against the embedded API', () => {
  let h: Embedded;
  let cases: HostileCase[];
  let classifier: VegetableClassifier;

  beforeAll(async () => {
    if (!fs.existsSync(SEED_PHOTO)) throw new Error(`seed sample not found at ${SEED_DIR}: set VEGVISION_SHARED_DIR`);
    cases = await buildCorpus(SEED_PHOTO);
    h = await startEmbedded({ uploadRatePerMinute: 0 });
    classifier = await VegetableClassifier.load(testModelDir() ?? defaultModelDir());
  });
  afterAll(async () => {
    await classifier?.close();
    await h?.close();
  });

  it('has at least 30 hostile cases, of every family', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.expect.kind === 'reject').length).toBeGreaterThanOrEqual(30);
    const codes = new Set(cases.map((c) => (c.expect.kind === 'reject' ? c.expect.code : 'accepted')));
    for (const code of ['empty_file', 'unsupported_media_type', 'corrupt_image', 'image_too_large', 'missing_file', 'unexpected_field', 'malformed_multipart', 'accepted']) {
      expect(codes).toContain(code);
    }
    // Printed for the reliability report.
    console.log(`hostile corpus: ${cases.length} cases (${describeCorpus(cases)})`);
  });

  it('rejects each malformed upload with a 4xx problem+json and stores nothing', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      if (c.expect.kind !== 'reject') continue;
      const before = await snapshot(h);
      const res = await send(h, c);
      const text = await res.text();
      const after = await snapshot(h);
      const type = res.headers.get('content-type') ?? '';
      let body: { code?: string; status?: number; detail?: string } = {};
      try {
        body = JSON.parse(text);
      } catch {
        // reported below
      }
      const problems: string[] = [];
      if (res.status !== c.expect.status) problems.push(`status ${res.status} (want ${c.expect.status})`);
      if (!type.startsWith('application/problem+json')) problems.push(`content-type ${type}`);
      if (body.code !== c.expect.code) problems.push(`code ${body.code} (want ${c.expect.code})`);
      if (body.status !== res.status || !body.detail) problems.push(`problem body ${text.slice(0, 200)}`);
      if (res.headers.get('x-content-type-options') !== 'nosniff') problems.push('no nosniff header');
      try {
        expect(after).toEqual(before);
      } catch {
        problems.push('state changed: ' + JSON.stringify({ before: { ...before, readModel: before.readModel.length }, after: { ...after, readModel: after.readModel.length } }));
      }
      if (problems.length) failures.push(`${c.name}: ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('accepts valid-but-unusual uploads (polyglots, CMYK, 16-bit, EXIF orientations, AVIF, HEIC, odd names) and labels them correctly', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      if (c.expect.kind !== 'accept') continue;
      const bytes = c.request.type === 'file' ? c.request.bytes : c.request.fileBytes;
      if (!bytes) throw new Error(`${c.name}: an accepted raw case needs fileBytes`);
      const res = await send(h, c);
      const accepted = (await res.json()) as { imageId: string; width: number; height: number };
      if (res.status !== 202) {
        failures.push(`${c.name}: status ${res.status} ${JSON.stringify(accepted)}`);
        continue;
      }
      const image = await waitReady(h.url, accepted.imageId);
      const decoded = await decodeImage(bytes);
      const want = await classifier.classify(decoded);
      const colours = detectColours(decoded);
      const problems: string[] = [];
      if (c.expect.width !== undefined && (image.width !== c.expect.width || image.height !== c.expect.height)) {
        problems.push(`size ${image.width}×${image.height} (want ${c.expect.width}×${c.expect.height})`);
      }
      if (image.kind !== want.kind) problems.push(`kind ${image.kind} (want ${want.kind})`);
      if (image.rgbHex !== colours.rgb.hex || image.rybHex !== colours.ryb.hex) {
        problems.push(`colours ${image.rgbHex}/${image.rybHex} (want ${colours.rgb.hex}/${colours.ryb.hex})`);
      }
      if (c.expect.originalName !== undefined && image.originalName !== c.expect.originalName) {
        problems.push(`originalName ${JSON.stringify(image.originalName)} (want ${JSON.stringify(c.expect.originalName)})`);
      }
      // The original comes back byte for byte, typed by what was sniffed, never as HTML.
      const original = await fetch(resolveLink(h, String(image.url)));
      const served = Buffer.from(await original.arrayBuffer());
      if (original.status !== 200 || !served.equals(bytes)) problems.push(`original not served back (${original.status})`);
      if (!/^image\/(jpeg|png|webp|avif|heic|heif)/.test(original.headers.get('content-type') ?? '')) {
        problems.push(`served as ${original.headers.get('content-type')}`);
      }
      if (original.headers.get('x-content-type-options') !== 'nosniff') problems.push('original served without nosniff');
      if (problems.length) failures.push(`${c.name}: ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);

    // Nothing was written outside the objects folder, whatever the file names said.
    const state = await snapshot(h);
    expect(state.dataDirFiles.filter((f) => f !== 'signing-secret')).toEqual([]);
    expect(state.objects.every((o) => /^originals\/|^[0-9a-f]/.test(o))).toBe(true);
    expect(state.objects.some((o) => o.includes('..') || o.includes('evil') || o.includes('boot'))).toBe(false);
  });
});
