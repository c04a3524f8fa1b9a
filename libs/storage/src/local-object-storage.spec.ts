import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage } from './create-storage';
import { LocalObjectStorage, serveLocalObject, verifyLocalSignature } from './local-object-storage';
import { InvalidStorageArgumentError, type ListedObject } from './storage.port';
import { describeStorageContract } from './testing';

const SECRET = 'test-signing-secret-0123456789';

async function collectObjects(storage: LocalObjectStorage): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  for await (const o of storage.listObjects()) out.push(o);
  return out;
}

/** A stand-in for the API route: GET /api/objects/<encoded key>?expires=&signature= */
async function startObjectServer(getStorage: () => LocalObjectStorage): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = '/api/objects/';
      if (req.method !== 'GET' || !url.pathname.startsWith(route)) {
        res.writeHead(404).end();
        return;
      }
      let key: string;
      try {
        key = decodeURIComponent(url.pathname.slice(route.length));
      } catch {
        res.writeHead(400).end();
        return;
      }
      const served = await serveLocalObject(getStorage(), key, Object.fromEntries(url.searchParams));
      res.writeHead(served.status, { 'content-type': served.contentType }).end(served.body);
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function fetchUrl(url: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

describeStorageContract('LocalObjectStorage', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vv-storage-contract-'));
  // The server needs the storage and the storage needs the server's URL: start the server first.
  const ref: { storage?: LocalObjectStorage } = {};
  const server = await startObjectServer(() => ref.storage as LocalObjectStorage);
  const storage = new LocalObjectStorage({ dir, publicBaseUrl: server.baseUrl, signingSecret: SECRET });
  ref.storage = storage;
  return {
    storage,
    fetchUrl,
    cleanup: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('LocalObjectStorage specifics', () => {
  let dir: string;
  let storage: LocalObjectStorage;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vv-storage-'));
    storage = new LocalObjectStorage({ dir, publicBaseUrl: 'http://api.example/', signingSecret: SECRET });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores a key and a key below it side by side ("a" and "a/b")', async () => {
    await storage.put('a', Buffer.from('1'), { contentType: 'text/plain' });
    await storage.put('a/b', Buffer.from('2'), { contentType: 'text/plain' });
    expect((await storage.get('a')).toString()).toBe('1');
    expect((await storage.get('a/b')).toString()).toBe('2');
  });

  it('leaves no temp files behind, and ignores stray ones when listing', async () => {
    await storage.put('x/y', Buffer.from('1'), { contentType: 'text/plain' });
    await storage.put('x/y', Buffer.from('2'), { contentType: 'text/plain' });
    expect(await readdir(join(dir, 'x'))).toEqual(['y@obj']);
    await writeFile(join(dir, 'x', 'z@tmp.crashed'), 'partial');
    const keys: string[] = [];
    for await (const k of storage.list('')) keys.push(k);
    expect(keys).toEqual(['x/y']);
  });

  it('removeIncompleteWrites removes the temp files a killed put() left, older than the cut-off only', async () => {
    await storage.put('x/y', Buffer.from('1'), { contentType: 'text/plain' });
    const old = join(dir, 'x', `y@tmp.${randomUUID()}`);
    const fresh = join(dir, 'x', `z@tmp.${randomUUID()}`);
    const deep = join(dir, 'a', 'b', `c@tmp.${randomUUID()}`);
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    for (const f of [old, fresh, deep]) await writeFile(f, 'partial');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(old, hourAgo, hourAgo);
    await utimes(deep, hourAgo, hourAgo);
    expect(await storage.removeIncompleteWrites(new Date(Date.now() - 60_000))).toBe(2);
    expect((await readdir(join(dir, 'x'))).sort()).toEqual(['y@obj', fresh.slice(fresh.lastIndexOf('/') + 1)].sort());
    expect(await readdir(join(dir, 'a', 'b'))).toEqual([]);
    expect((await storage.get('x/y')).toString()).toBe('1');
    expect(await storage.removeIncompleteWrites(new Date(Date.now() + 60_000))).toBe(1);
    expect(await readdir(join(dir, 'x'))).toEqual(['y@obj']);
  });

  it('listObjects gives the time of the last put()', async () => {
    await storage.put('k', Buffer.from('12345'), { contentType: 'text/plain' });
    const dayAgo = new Date(Date.now() - 86_400_000);
    await utimes(join(dir, 'k@obj'), dayAgo, dayAgo);
    const [listed] = await collectObjects(storage);
    expect(listed).toEqual({ key: 'k', size: 5, lastModified: dayAgo });
    await storage.put('k', Buffer.from('123'), { contentType: 'text/plain' });
    const [renewed] = await collectObjects(storage);
    expect(renewed.size).toBe(3);
    expect(renewed.lastModified.getTime()).toBeGreaterThan(dayAgo.getTime());
  });

  it('builds presigned links on the public base URL with an HMAC the route can check', async () => {
    const url = new URL(await storage.presignGet('originals/ab/abc', { expiresInSeconds: 60 }));
    expect(`${url.origin}${url.pathname}`).toBe('http://api.example/api/objects/originals/ab/abc');
    const expires = url.searchParams.get('expires')!;
    const signature = url.searchParams.get('signature')!;
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    const now = Number(expires) - 30;
    expect(verifyLocalSignature(SECRET, 'originals/ab/abc', expires, signature, now)).toBe(true);
    expect(verifyLocalSignature(SECRET, 'originals/ab/abc', Number(expires), signature, Number(expires))).toBe(true);
    expect(verifyLocalSignature(SECRET, 'originals/ab/abc', expires, signature, Number(expires) + 1)).toBe(false);
    expect(verifyLocalSignature('another-secret-0123456789', 'originals/ab/abc', expires, signature, now)).toBe(false);
    expect(verifyLocalSignature(SECRET, 'originals/ab/abd', expires, signature, now)).toBe(false);
    expect(verifyLocalSignature(SECRET, 'originals/ab/abc', expires, signature.slice(0, 63), now)).toBe(false);
    expect(verifyLocalSignature(SECRET, 'originals/ab/abc', `${expires}x`, signature, now)).toBe(false);
    expect(verifyLocalSignature(SECRET, '../abc', expires, signature, now)).toBe(false);
  });

  it('serveLocalObject answers 400 / 401 / 403 / 404 / 200', async () => {
    await storage.put('k', Buffer.from('hello'), { contentType: 'text/plain; charset=utf-8' });
    const url = new URL(await storage.presignGet('k', { expiresInSeconds: 60 }));
    const query = Object.fromEntries(url.searchParams);
    expect(await serveLocalObject(storage, 'k', query)).toEqual({
      status: 200,
      body: Buffer.from('hello'),
      contentType: 'text/plain; charset=utf-8',
    });
    expect((await serveLocalObject(storage, '../k', query)).status).toBe(400);
    expect((await serveLocalObject(storage, 'k', {})).status).toBe(401);
    expect((await serveLocalObject(storage, 'k', { ...query, signature: 'f'.repeat(64) })).status).toBe(403);
    const expired = await serveLocalObject(storage, 'k', query, Number(query.expires) + 1);
    expect(expired.status).toBe(403);
    expect(JSON.parse(expired.body.toString())).toMatchObject({ code: 'LINK_INVALID' });
    await storage.delete('k');
    expect((await serveLocalObject(storage, 'k', query)).status).toBe(404);
  });

  it('rejects a bad content type and a non-buffer body', async () => {
    await expect(storage.put('k', Buffer.from('x'), { contentType: '' })).rejects.toBeInstanceOf(InvalidStorageArgumentError);
    await expect(storage.put('k', Buffer.from('x'), { contentType: 'text/plain\r\nx: y' })).rejects.toMatchObject({
      code: 'INVALID_STORAGE_ARGUMENT',
    });
    await expect(storage.put('k', 'text' as never, { contentType: 'text/plain' })).rejects.toMatchObject({
      code: 'INVALID_STORAGE_ARGUMENT',
    });
    expect(await storage.head('k')).toBeNull();
  });

  it('rejects a bad configuration', () => {
    expect(() => new LocalObjectStorage({ dir, publicBaseUrl: 'http://x', signingSecret: 'short' })).toThrow(InvalidStorageArgumentError);
    expect(() => new LocalObjectStorage({ dir, publicBaseUrl: 'not a url', signingSecret: SECRET })).toThrow(InvalidStorageArgumentError);
    expect(() => new LocalObjectStorage({ dir: '', publicBaseUrl: 'http://x', signingSecret: SECRET })).toThrow(InvalidStorageArgumentError);
  });

  it('createStorage builds a local storage', () => {
    expect(createStorage({ kind: 'local', dir, publicBaseUrl: 'http://x', signingSecret: SECRET })).toBeInstanceOf(LocalObjectStorage);
    expect(() => createStorage({ kind: 'nope' } as never)).toThrow(InvalidStorageArgumentError);
  });
});
