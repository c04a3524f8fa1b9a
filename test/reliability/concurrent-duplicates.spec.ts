// Any number of identical uploads at once: one image, every upload answered 202 and recorded
// (one ImageUploaded each, uploadCount = accepted count), `duplicate: false` for exactly one of
// them, the original stored once and served, the image labelled. Run on the embedded product
// with the file event store + local storage and with the PostgreSQL event store + S3 storage
// (+ PostgreSQL read model), when VEGVISION_DATABASE_URL and VEGVISION_S3_ENDPOINT are set.
//
// Before: 16 at once gave 11-12 × 202 and 4-5 × 500 (WrongExpectedRevisionError after 10
// retries), the failed requests deleted the original the accepted ones point to, and every
// answer said `duplicate: false`.
import { EVENT_STORE, LIVE_COLOUR_VARIANTS, Metrics, OBJECT_STORAGE } from '@vegvision/application';
import type { RawConfig } from '@vegvision/config';
import { imageStreamId } from '@vegvision/domain';
import type { EventStore } from '@vegvision/event-store';
import { S3ObjectStorage, originalKey, type ObjectStorage } from '@vegvision/storage';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import sharp from 'sharp';
import { SEED_DIR } from './hostile-corpus';
import { resolveLink, startEmbedded, upload, waitReady, type Embedded } from './harness';

jest.setTimeout(600_000);

const COUNTS = [2, 8, 16, 64];

/** A photo of its own for each count (the same bytes within one burst). */
async function photo(seed: number): Promise<Buffer> {
  const base = fs.readFileSync(path.join(SEED_DIR, 'Pumpkin/1001.jpg'));
  return sharp(base).resize(80 + seed, 60, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
}

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function burst(url: string, bytes: Buffer, n: number): Promise<Answer[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const res = await upload(url, bytes, `same-${i}.jpg`, 'image/jpeg');
      return { status: res.status, body: await res.json() };
    }),
  );
}

async function keys(storage: ObjectStorage): Promise<string[]> {
  const out: string[] = [];
  for await (const key of storage.list('originals/')) out.push(key);
  return out;
}

function describeMatrix(mode: string, setup: () => Promise<{ overrides: RawConfig; cleanup(): Promise<void> }>): void {
  describe(`${mode}: N identical uploads at once`, () => {
    let h: Embedded;
    let cleanup: () => Promise<void> = async () => undefined;
    const stored: string[] = [];

    beforeAll(async () => {
      const s = await setup();
      cleanup = s.cleanup;
      // No abuse limit in the way: every one of the N requests reaches the ingest.
      h = await startEmbedded({ uploadRatePerMinute: 0, maxConcurrentUploads: 0, ...s.overrides });
    });
    afterAll(async () => {
      await h?.close();
      await cleanup();
    });

    it.each(COUNTS)('%i at once: one image, every upload recorded, one first upload', async (n) => {
      const bytes = await photo(n);
      const answers = await burst(h.url, bytes, n);

      expect(answers.map((a) => a.status)).toEqual(Array(n).fill(202));
      const imageIds = new Set(answers.map((a) => a.body.imageId));
      expect(imageIds.size).toBe(1);
      const [imageId] = imageIds;
      expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
      expect(answers.filter((a) => a.body.duplicate === true)).toHaveLength(n - 1);

      const ready = await waitReady(h.url, imageId as string);
      await h.relay.waitUntilIdle();
      const store = h.app.get<EventStore>(EVENT_STORE, { strict: false });
      const events = await store.readStream(imageStreamId(imageId as string));
      const uploads = events.filter((e) => e.type === 'ImageUploaded');
      expect(uploads).toHaveLength(n);
      expect(new Set(uploads.map((e) => e.eventId)).size).toBe(n);
      expect(events.filter((e) => e.type === 'ImageClassified')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'ColourDetected')).toHaveLength(LIVE_COLOUR_VARIANTS.length); // whole photo + subject
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));

      expect(await h.readModel.getImage(imageId as string)).toMatchObject({ uploadCount: n, status: 'ready' });
      const key = originalKey(answers[0].body.sha256);
      stored.push(key);
      const storage = h.app.get<ObjectStorage>(OBJECT_STORAGE, { strict: false });
      expect(await keys(storage)).toEqual([...stored].sort());
      expect((await storage.get(key)).equals(bytes)).toBe(true);
      // Local storage links are relative to the API; S3 links go straight to the S3 server.
      const link = await fetch(/^https?:/.test(ready.url) ? ready.url : resolveLink(h, ready.url));
      expect(link.status).toBe(200);
      expect(Buffer.from(await link.arrayBuffer()).equals(bytes)).toBe(true);

      const metrics = h.app.get(Metrics, { strict: false });
      const dead = (await metrics.deadLettered.get()).values.reduce((sum, v) => sum + v.value, 0);
      expect(dead).toBe(0);
    });
  });
}

describe('embedded, default abuse limits: 64 identical uploads at once', () => {
  let h: Embedded;
  beforeAll(async () => {
    h = await startEmbedded();
  });
  afterAll(() => h?.close());

  it('answers 202, 429 or 503 only, and records exactly the accepted ones', async () => {
    const bytes = await photo(500);
    const answers = await burst(h.url, bytes, 64);
    expect(answers.filter((a) => ![202, 429, 503].includes(a.status))).toEqual([]);
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    const imageId = accepted[0].body.imageId as string;
    await waitReady(h.url, imageId);
    await h.relay.waitUntilIdle();
    expect(await h.readModel.getImage(imageId)).toMatchObject({ uploadCount: accepted.length, status: 'ready' });
    const events = await h.app.get<EventStore>(EVENT_STORE, { strict: false }).readStream(imageStreamId(imageId));
    expect(events.filter((e) => e.type === 'ImageUploaded')).toHaveLength(accepted.length);
  });
});

describeMatrix('embedded (file event store, local storage)', async () => ({ overrides: {}, cleanup: async () => undefined }));

const databaseUrl = process.env['VEGVISION_DATABASE_URL'];
const s3Endpoint = process.env['VEGVISION_S3_ENDPOINT'];
if (!databaseUrl || !s3Endpoint) {
  console.warn('SKIPPED: concurrent duplicates on PostgreSQL + S3 — VEGVISION_DATABASE_URL or VEGVISION_S3_ENDPOINT not set');
  describe.skip('PostgreSQL event store + S3 storage (needs VEGVISION_DATABASE_URL and VEGVISION_S3_ENDPOINT)', () => {
    it('runs against real servers', () => undefined);
  });
} else {
  describeMatrix('PostgreSQL event store + S3 storage + PostgreSQL read model', async () => {
    const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const s3 = {
      endpoint: s3Endpoint,
      region: process.env['VEGVISION_S3_REGION'] ?? 'us-east-1',
      bucket: `vvtest-dupes-${run}`,
      accessKeyId: process.env['VEGVISION_S3_ACCESS_KEY_ID'] ?? '',
      secretAccessKey: process.env['VEGVISION_S3_SECRET_ACCESS_KEY'] ?? '',
    };
    const admin = new S3ObjectStorage(s3);
    await admin.ensureBucket();
    const schemas = [`vv_dupes_es_${run}`, `vv_dupes_rm_${run}`];
    return {
      overrides: {
        eventStore: 'postgres',
        eventStoreSchema: schemas[0],
        readModel: 'postgres',
        readModelSchema: schemas[1],
        databaseUrl,
        storage: 's3',
        s3Endpoint,
        s3Region: s3.region,
        s3Bucket: s3.bucket,
        s3AccessKeyId: s3.accessKeyId,
        s3SecretAccessKey: s3.secretAccessKey,
      },
      async cleanup() {
        try {
          for await (const key of admin.list()) await admin.delete(key);
          await admin.client.send(new DeleteBucketCommand({ Bucket: s3.bucket }));
        } finally {
          await admin.close();
        }
        const pg = new Client({ connectionString: databaseUrl });
        await pg.connect();
        try {
          for (const schema of schemas) await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await pg.end();
        }
      },
    };
  });
}
