// S3ObjectStorage against a real S3-compatible server (VEGVISION_S3_*). Every key of this run
// lives under a unique prefix, deleted afterwards.
import { randomUUID } from 'node:crypto';
import { createStorage } from './create-storage';
import { S3ObjectStorage, type S3ObjectStorageOptions } from './s3-object-storage';
import { InvalidStorageArgumentError } from './storage.port';
import { describeStorageContract } from './testing';

const endpoint = process.env.VEGVISION_S3_ENDPOINT;

async function fetchUrl(url: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

async function deleteAll(storage: S3ObjectStorage, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const k of storage.list(prefix)) keys.push(k);
  for (const k of keys) await storage.delete(k);
}

if (!endpoint) {
  console.warn('SKIPPED: S3ObjectStorage — VEGVISION_S3_ENDPOINT not set');
  describe.skip('S3ObjectStorage (needs VEGVISION_S3_ENDPOINT)', () => {
    it('runs against a real S3 server', () => undefined);
  });
} else {
  const runPrefix = `vvtest-storage-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
  const base: S3ObjectStorageOptions = {
    endpoint,
    region: process.env.VEGVISION_S3_REGION ?? 'us-east-1',
    bucket: process.env.VEGVISION_S3_BUCKET ?? 'vegvision',
    accessKeyId: process.env.VEGVISION_S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: process.env.VEGVISION_S3_SECRET_ACCESS_KEY ?? '',
  };

  afterAll(async () => {
    const admin = new S3ObjectStorage(base);
    try {
      await deleteAll(admin, `${runPrefix}/`);
    } finally {
      await admin.close();
    }
  }, 120_000);

  describeStorageContract('S3ObjectStorage', async () => {
    const storage = new S3ObjectStorage({ ...base, keyPrefix: `${runPrefix}/contract/` });
    await storage.ensureBucket();
    return { storage, fetchUrl, cleanup: async () => undefined };
  });

  describe('S3ObjectStorage specifics', () => {
    let storage: S3ObjectStorage;
    beforeAll(async () => {
      storage = new S3ObjectStorage({ ...base, keyPrefix: `${runPrefix}/specifics/`, listPageSize: 2 });
      await storage.ensureBucket();
    }, 60_000);
    afterAll(() => storage.close());

    it('ensureBucket is idempotent', async () => {
      await expect(storage.ensureBucket()).resolves.toBeUndefined();
      await expect(storage.ping()).resolves.toBeUndefined();
    }, 60_000);

    it('lists across pages in order (page size 2)', async () => {
      const keys = ['p/e', 'p/a', 'p/d', 'p/b', 'p/c', 'p/f', 'p/g'];
      for (const k of keys) await storage.put(k, Buffer.from(k), { contentType: 'text/plain' });
      const listed: string[] = [];
      for await (const k of storage.list('p/')) listed.push(k);
      expect(listed).toEqual([...keys].sort());
    }, 60_000);

    it('the server itself checks signatures: a tampered or unsigned request gets 403', async () => {
      await storage.put('signed', Buffer.from('secret bytes'), { contentType: 'text/plain' });
      const url = await storage.presignGet('signed', { expiresInSeconds: 120 });
      expect(url).toContain('X-Amz-Signature=');
      const ok = await fetchUrl(url);
      expect(ok.status).toBe(200);
      expect(ok.body.toString()).toBe('secret bytes');

      const tampered = url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
      expect(tampered).not.toBe(url);
      const refused = await fetchUrl(tampered);
      expect(refused.status).toBe(403);
      expect(refused.body.toString()).not.toContain('secret bytes');

      const unsigned = await fetchUrl(url.split('?')[0]);
      expect([401, 403]).toContain(unsigned.status);
    }, 60_000);

    it('wrong credentials are refused', async () => {
      const wrong = new S3ObjectStorage({ ...base, secretAccessKey: 'not-the-secret' });
      try {
        await expect(wrong.put(`${runPrefix}/x`, Buffer.from('x'), { contentType: 'text/plain' })).rejects.toThrow();
      } finally {
        await wrong.close();
      }
    }, 60_000);

    it('rejects a bad configuration with a typed error', () => {
      expect(() => new S3ObjectStorage({ ...base, bucket: '' })).toThrow(InvalidStorageArgumentError);
      expect(() => new S3ObjectStorage({ ...base, keyPrefix: 'no-slash' })).toThrow(InvalidStorageArgumentError);
      expect(() => new S3ObjectStorage({ ...base, keyPrefix: '../x/' })).toThrow(InvalidStorageArgumentError);
      expect(() => new S3ObjectStorage({ ...base, listPageSize: 0 })).toThrow(InvalidStorageArgumentError);
    });

    it('createStorage builds an S3 storage', async () => {
      const s = createStorage({ kind: 's3', ...base });
      expect(s).toBeInstanceOf(S3ObjectStorage);
      await s.close();
    });
  });
}
