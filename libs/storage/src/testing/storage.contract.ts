// The behaviour every ObjectStorage adapter must have. Adapter specs call describeStorageContract
// with a factory; all keys of one run live under a unique prefix.
import { randomBytes, randomUUID } from 'node:crypto';
import { InvalidObjectKeyError, ObjectNotFoundError, type ObjectStorage } from '../storage.port';

export interface StorageContractFixture {
  storage: ObjectStorage;
  /** GETs a URL (a presigned link) without any credentials. */
  fetchUrl(url: string): Promise<{ status: number; body: Buffer }>;
  cleanup(): Promise<void>;
}

const TIMEOUT = 60_000;
const REFUSED = [401, 403];

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const k of it) out.push(k);
  return out;
}

/** Flips the first hex digit of the query parameter whose name contains "signature". */
function tamperSignature(url: string): string {
  const m = /([?&][^=&]*signature=)([0-9a-fA-F])/i.exec(url);
  if (!m) throw new Error(`no signature parameter in ${url}`);
  const flipped = m[2] === '0' ? '1' : '0';
  return url.slice(0, m.index) + m[1] + flipped + url.slice(m.index + m[0].length);
}

/** Adds an hour to the query parameter whose name contains "expires" (a time or a duration). */
function extendExpiry(url: string): string {
  const m = /([?&][^=&]*expires=)(\d+)/i.exec(url);
  if (!m) throw new Error(`no expires parameter in ${url}`);
  return url.slice(0, m.index) + m[1] + String(Number(m[2]) + 3600) + url.slice(m.index + m[0].length);
}

export function describeStorageContract(name: string, factory: () => Promise<StorageContractFixture>): void {
  describe(`ObjectStorage contract: ${name}`, () => {
    let fx: StorageContractFixture;
    let storage: ObjectStorage;
    const run = `contract-${randomUUID().slice(0, 8)}`;
    let n = 0;
    /** A fresh key prefix for one test, ending in '/'. */
    const prefix = () => `${run}/t${++n}/`;

    beforeAll(async () => {
      fx = await factory();
      storage = fx.storage;
    }, TIMEOUT);

    afterAll(async () => {
      if (!fx) return;
      for (const key of await collect(storage.list(`${run}/`))) await storage.delete(key);
      await storage.close();
      await fx.cleanup();
    }, TIMEOUT);

    it('ping resolves', async () => {
      await expect(storage.ping()).resolves.toBeUndefined();
    });

    it('put, get and head round-trip bytes, size and content type', async () => {
      const key = `${prefix()}photo.jpg`;
      const body = Buffer.from('not really a jpeg');
      await storage.put(key, body, { contentType: 'image/jpeg' });
      expect(await storage.get(key)).toEqual(body);
      expect(await storage.head(key)).toEqual({ key, size: body.length, contentType: 'image/jpeg' });
    }, TIMEOUT);

    it('round-trips a random 1 MB binary buffer and an empty object', async () => {
      const p = prefix();
      const body = randomBytes(1024 * 1024);
      await storage.put(`${p}big`, body, { contentType: 'application/octet-stream' });
      const back = await storage.get(`${p}big`);
      expect(back.length).toBe(body.length);
      expect(back.equals(body)).toBe(true);
      expect((await storage.head(`${p}big`))?.size).toBe(body.length);

      await storage.put(`${p}empty`, Buffer.alloc(0), { contentType: 'text/plain' });
      expect((await storage.get(`${p}empty`)).length).toBe(0);
      expect(await storage.head(`${p}empty`)).toMatchObject({ size: 0, contentType: 'text/plain' });
    }, TIMEOUT);

    it('overwrites an existing object (bytes and content type)', async () => {
      const key = `${prefix()}obj`;
      await storage.put(key, Buffer.from('first version, longer'), { contentType: 'text/plain' });
      await storage.put(key, Buffer.from('second'), { contentType: 'image/png' });
      expect((await storage.get(key)).toString()).toBe('second');
      expect(await storage.head(key)).toEqual({ key, size: 6, contentType: 'image/png' });
    }, TIMEOUT);

    it('a concurrent reader sees the old or the new object, never a mix', async () => {
      const key = `${prefix()}atomic`;
      const a = Buffer.alloc(512 * 1024, 'a');
      const b = Buffer.alloc(512 * 1024, 'b');
      await storage.put(key, a, { contentType: 'application/octet-stream' });
      const writing = storage.put(key, b, { contentType: 'application/octet-stream' });
      const reads = await Promise.all(Array.from({ length: 5 }, () => storage.get(key)));
      await writing;
      for (const r of reads) expect(r.equals(a) || r.equals(b)).toBe(true);
      expect((await storage.get(key)).equals(b)).toBe(true);
    }, TIMEOUT);

    it('get of a missing key throws ObjectNotFoundError; head gives null', async () => {
      const key = `${prefix()}missing`;
      await expect(storage.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(storage.get(key)).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND', key });
      expect(await storage.head(key)).toBeNull();
    }, TIMEOUT);

    it('delete removes an object; deleting a missing object is fine', async () => {
      const key = `${prefix()}doomed`;
      await storage.put(key, Buffer.from('x'), { contentType: 'text/plain' });
      await storage.delete(key);
      await expect(storage.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await storage.head(key)).toBeNull();
      await expect(storage.delete(key)).resolves.toBeUndefined();
      await expect(storage.delete(`${prefix()}never-existed`)).resolves.toBeUndefined();
    }, TIMEOUT);

    it('lists keys under a prefix in lexicographic order', async () => {
      const p = prefix();
      const keys = ['b', 'a/2', 'a-x', 'a/1', 'c/d/e', 'A', 'a/10'].map((k) => `${p}${k}`);
      for (const k of keys) await storage.put(k, Buffer.from(k), { contentType: 'text/plain' });
      const sorted = [...keys].sort();
      expect(await collect(storage.list(p))).toEqual(sorted);
      expect(await collect(storage.list(`${p}a/`))).toEqual([`${p}a/1`, `${p}a/10`, `${p}a/2`]);
      // A prefix may end inside a segment: "a" matches "a-x" and everything under "a/".
      expect(await collect(storage.list(`${p}a`))).toEqual([`${p}a-x`, `${p}a/1`, `${p}a/10`, `${p}a/2`]);
      expect(await collect(storage.list(`${p}nothing-here/`))).toEqual([]);
      const all = await collect(storage.list());
      expect(all).toEqual(expect.arrayContaining(keys));
      expect(all).toEqual([...all].sort());
    }, TIMEOUT);

    it('listObjects names what list names, with sizes and last write times', async () => {
      const p = prefix();
      const before = Date.now();
      await storage.put(`${p}b`, Buffer.from('bb'), { contentType: 'text/plain' });
      await storage.put(`${p}a/1`, Buffer.from('a'), { contentType: 'text/plain' });
      await storage.put(`${p}a-x`, Buffer.alloc(0), { contentType: 'text/plain' });
      const listed = await collect(storage.listObjects(p));
      expect(listed.map((o) => o.key)).toEqual(await collect(storage.list(p)));
      expect(listed.map((o) => [o.key, o.size])).toEqual([
        [`${p}a-x`, 0],
        [`${p}a/1`, 1],
        [`${p}b`, 2],
      ]);
      for (const o of listed) {
        expect(Number.isFinite(o.lastModified.getTime())).toBe(true);
        // Servers keep whole seconds (S3) and clocks drift a little: a generous window.
        expect(o.lastModified.getTime()).toBeGreaterThan(before - 120_000);
        expect(o.lastModified.getTime()).toBeLessThan(Date.now() + 120_000);
      }
      await expect(collect(storage.listObjects('../'))).rejects.toMatchObject({ code: 'INVALID_OBJECT_KEY' });
    }, TIMEOUT);

    it('removeIncompleteWrites never touches stored objects', async () => {
      const p = prefix();
      await storage.put(`${p}kept`, Buffer.from('kept'), { contentType: 'text/plain' });
      expect(await storage.removeIncompleteWrites(new Date(Date.now() + 3_600_000))).toBeGreaterThanOrEqual(0);
      expect((await storage.get(`${p}kept`)).toString()).toBe('kept');
      await expect(storage.removeIncompleteWrites(new Date('not a date'))).rejects.toMatchObject({ code: 'INVALID_STORAGE_ARGUMENT' });
    }, TIMEOUT);

    it.each(
      ['../x', '/abs', '', 'a//b', 'a/../b', 'a/./b', 'a/', 'sp ace', 'x'.repeat(513)].map((k) => [
        k.length > 40 ? `of ${k.length} characters` : JSON.stringify(k),
        k,
      ]),
    )(
      'rejects the invalid key %s with InvalidObjectKeyError',
      async (_label, bad) => {
        await expect(storage.put(bad, Buffer.from('x'), { contentType: 'text/plain' })).rejects.toBeInstanceOf(
          InvalidObjectKeyError,
        );
        await expect(storage.get(bad)).rejects.toMatchObject({ code: 'INVALID_OBJECT_KEY' });
        await expect(storage.head(bad)).rejects.toMatchObject({ code: 'INVALID_OBJECT_KEY' });
        await expect(storage.delete(bad)).rejects.toMatchObject({ code: 'INVALID_OBJECT_KEY' });
        await expect(storage.presignGet(bad, { expiresInSeconds: 60 })).rejects.toMatchObject({ code: 'INVALID_OBJECT_KEY' });
      },
      TIMEOUT,
    );

    it('rejects a list prefix that climbs out', async () => {
      await expect(collect(storage.list('../'))).rejects.toMatchObject({ code: 'INVALID_OBJECT_KEY' });
      await expect(collect(storage.list('/etc/'))).rejects.toMatchObject({ code: 'INVALID_OBJECT_KEY' });
    });

    it('rejects an out-of-range presign expiry', async () => {
      const key = `${prefix()}x`;
      for (const expiresInSeconds of [0, -1, 1.5, 8 * 24 * 3600]) {
        await expect(storage.presignGet(key, { expiresInSeconds })).rejects.toMatchObject({ code: 'INVALID_STORAGE_ARGUMENT' });
      }
    });

    it('a presigned link serves the bytes before it expires', async () => {
      const key = `${prefix()}shared.png`;
      const body = randomBytes(4096);
      await storage.put(key, body, { contentType: 'image/png' });
      const url = await storage.presignGet(key, { expiresInSeconds: 300 });
      const res = await fx.fetchUrl(url);
      expect(res.status).toBe(200);
      expect(res.body.equals(body)).toBe(true);
    }, TIMEOUT);

    it('refuses a tampered link: signature changed, key changed, expiry extended', async () => {
      const p = prefix();
      await storage.put(`${p}tamper-a`, Buffer.from('A'), { contentType: 'text/plain' });
      await storage.put(`${p}tamper-b`, Buffer.from('B'), { contentType: 'text/plain' });
      const url = await storage.presignGet(`${p}tamper-a`, { expiresInSeconds: 300 });
      expect((await fx.fetchUrl(url)).status).toBe(200);

      const badSignature = await fx.fetchUrl(tamperSignature(url));
      expect(REFUSED).toContain(badSignature.status);

      const otherKey = url.replace('tamper-a', 'tamper-b');
      expect(otherKey).not.toBe(url);
      const badKey = await fx.fetchUrl(otherKey);
      expect(REFUSED).toContain(badKey.status);
      expect(badKey.body.toString()).not.toBe('B');

      const extended = await fx.fetchUrl(extendExpiry(url));
      expect(REFUSED).toContain(extended.status);
    }, TIMEOUT);

    it('refuses an expired link', async () => {
      const key = `${prefix()}short-lived`;
      await storage.put(key, Buffer.from('soon gone'), { contentType: 'text/plain' });
      const url = await storage.presignGet(key, { expiresInSeconds: 1 });
      // The one sleep of the suite: nothing to await but the clock.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(REFUSED).toContain((await fx.fetchUrl(url)).status);
    }, TIMEOUT);
  });
}
