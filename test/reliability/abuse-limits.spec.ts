// Abuse limits of the HTTP API against the real embedded product on loopback: upload size
// (413 before the body is read), per-client upload rate (429 + Retry-After), slow uploads
// (408), server timeouts, CORS, security headers, the admin token, temporary links.
import { TokenBucketLimiter } from '@vegvision/http-api';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import sharp from 'sharp';
import { SEED_DIR } from './hostile-corpus';
import { resolveLink, snapshot, startEmbedded, upload, waitReady, type Embedded } from './harness';

jest.setTimeout(300_000);

const MIB = 1024 * 1024;

async function photo(seed = 0): Promise<Buffer> {
  const base = fs.readFileSync(path.join(SEED_DIR, 'Carrot/1001.jpg'));
  return sharp(base).resize(64 + seed, 48, { fit: 'fill' }).jpeg().toBuffer();
}

interface RawResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Bytes of the request body written before the response arrived. */
  sent: number;
  /** The server closed the connection. */
  closed: boolean;
}

/**
 * A multipart upload written by hand: `declaredLength` in Content-Length (or chunked when
 * undefined), `total` bytes of body written in 64 KiB chunks until the response arrives, then
 * optionally stalling (no more bytes) to test timeouts.
 */
function rawUpload(url: string, opts: { declaredLength?: number; total: number; stallAfter?: number }): Promise<RawResult> {
  const u = new URL(`${url}/api/images`);
  const boundary = 'vvAbuseBoundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff`,
    'latin1',
  );
  return new Promise((resolve, reject) => {
    let sent = 0;
    let responded = false;
    const headers: http.OutgoingHttpHeaders = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    if (opts.declaredLength !== undefined) headers['content-length'] = opts.declaredLength;
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers, agent: false });
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const pump = () => {
      while (!responded && sent < opts.total && (opts.stallAfter === undefined || sent < opts.stallAfter)) {
        const piece = sent === 0 ? head : chunk;
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!responded && sent >= opts.total && opts.stallAfter === undefined) {
        req.end(`\r\n--${boundary}--\r\n`);
      }
    };
    req.on('response', (res) => {
      responded = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        const socket = req.socket;
        const done = (closed: boolean) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, sent, closed });
        if (!socket || socket.destroyed) return done(true);
        socket.once('close', () => done(true));
        // Connection: close answers end the socket; anything else would keep it.
        setTimeout(() => {
          if (!socket.destroyed) {
            socket.destroy();
            done(false);
          }
        }, 5000).unref();
      });
    });
    // The server may close while we are still writing (that is the point): ignore write errors after a response.
    req.on('error', (e) => {
      if (!responded) reject(e);
    });
    pump();
  });
}

describe('upload size limits', () => {
  let h: Embedded;
  beforeAll(async () => (h = await startEmbedded({ maxUploadBytes: 1 * MIB, uploadRatePerMinute: 0 })));
  afterAll(async () => h?.close());

  it('refuses a declared 50 MB upload with 413 before reading its body, and closes the connection', async () => {
    const before = await snapshot(h);
    const r = await rawUpload(h.url, { declaredLength: 50 * MIB, total: 50 * MIB });
    expect(r.status).toBe(413);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(r.body)).toMatchObject({ status: 413, code: 'image_too_large', limitBytes: 1 * MIB });
    expect(r.sent).toBeLessThan(50 * MIB); // refused early, not after 50 MB
    expect(r.closed).toBe(true);
    expect(await snapshot(h)).toEqual(before);
  });

  it('stops a chunked upload (no Content-Length) at the limit with 413: multer never buffers past it', async () => {
    const before = await snapshot(h);
    const r = await rawUpload(h.url, { total: 8 * MIB });
    expect(r.status).toBe(413);
    // multer's limit answered (the decoder's own size check would say "The file is 8.0 MiB").
    expect(JSON.parse(r.body)).toMatchObject({ status: 413, code: 'image_too_large', detail: 'The upload is larger than the allowed maximum.' });
    expect(await snapshot(h)).toEqual(before);
  });

  it('sets the server request and header timeouts from the configuration', () => {
    const server = h.app.getHttpServer() as http.Server;
    expect(server.requestTimeout).toBe(h.config.limits.requestTimeoutMs);
    expect(server.headersTimeout).toBe(h.config.limits.headersTimeoutMs);
    expect(server.headersTimeout).toBeLessThanOrEqual(server.requestTimeout);
  });
});

describe('slow uploads', () => {
  let h: Embedded;
  beforeAll(async () => (h = await startEmbedded({ uploadTimeoutSeconds: 1, uploadRatePerMinute: 0 })));
  afterAll(async () => h?.close());

  it('answers 408 to an upload whose body stops arriving, closes the connection and stores nothing', async () => {
    const before = await snapshot(h);
    const r = await rawUpload(h.url, { declaredLength: 2 * MIB, total: 2 * MIB, stallAfter: 128 * 1024 });
    expect(r.status).toBe(408);
    expect(JSON.parse(r.body)).toMatchObject({ status: 408, code: 'upload_timeout' });
    expect(r.closed).toBe(true);
    expect(await snapshot(h)).toEqual(before);
  });

  it('still accepts a normal upload', async () => {
    const res = await upload(h.url, await photo(1), 'ok.jpg');
    expect(res.status).toBe(202);
  });
});

describe('uploads in progress over all clients', () => {
  let h: Embedded;
  beforeAll(async () => (h = await startEmbedded({ maxConcurrentUploads: 2, uploadTimeoutSeconds: 6, uploadRatePerMinute: 0 })));
  afterAll(async () => h?.close());

  it('answers 503 problem+json with Retry-After past the cap, stores nothing, and frees the slots afterwards', async () => {
    // Two slow uploads hold both slots until the upload timeout ends them.
    const slow = [0, 1].map(() => rawUpload(h.url, { declaredLength: 2 * MIB, total: 2 * MIB, stallAfter: 128 * 1024 }));
    let busy: Response | undefined;
    for (let i = 0; i < 100 && !busy; i++) {
      const res = await upload(h.url, await photo(50 + i), 'third.jpg');
      if (res.status === 503) busy = res;
      else {
        // Only while the slow uploads are still being admitted can an upload slip through.
        expect(res.status).toBe(202);
        await res.arrayBuffer();
      }
    }
    expect(busy).toBeDefined();
    expect(busy!.headers.get('content-type')).toContain('application/problem+json');
    expect(busy!.headers.get('retry-after')).toBe('1');
    expect(await busy!.json()).toMatchObject({ status: 503, code: 'server_busy', retryAfterSeconds: 1 });
    const before = await snapshot(h);
    const again = await upload(h.url, await photo(49), 'fourth.jpg');
    expect(again.status).toBe(503);
    await again.arrayBuffer();
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([408, 408]);
    expect(await snapshot(h)).toEqual(before);
    // The slots are free again.
    const res = await upload(h.url, await photo(3), 'after.jpg');
    expect(res.status).toBe(202);
  });
});

describe('upload rate per client', () => {
  it('token bucket: bursts up to the limit, refills continuously, says when to retry', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(6, () => now); // one token every 10 s
    for (let i = 0; i < 6; i++) expect(limiter.take('a').allowed).toBe(true);
    const refused = limiter.take('a');
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.retryAfterSeconds).toBe(10);
    expect(limiter.take('b').allowed).toBe(true); // per client
    now += 9_999;
    expect(limiter.take('a').allowed).toBe(false);
    now += 2;
    expect(limiter.take('a').allowed).toBe(true);
    now += 3_600_000;
    expect(limiter.take('a').remaining).toBe(5); // capped at the burst size
    const small = new TokenBucketLimiter(1, () => now, 3);
    for (const k of ['1', '2', '3', '4', '5']) small.take(k);
    expect(small.size).toBe(3); // bounded memory
    expect(() => new TokenBucketLimiter(0)).toThrow(RangeError);
  });

  it('answers 429 problem+json with Retry-After past the configured rate, and stores nothing', async () => {
    const h = await startEmbedded({ uploadRatePerMinute: 3 });
    try {
      for (let i = 0; i < 3; i++) {
        const ok = await upload(h.url, await photo(i + 10), `ok${i}.jpg`);
        expect(ok.status).toBe(202);
        expect(ok.headers.get('ratelimit-limit')).toBe('3');
        expect(ok.headers.get('ratelimit-remaining')).toBe(String(2 - i));
        await ok.arrayBuffer();
      }
      const before = await snapshot(h);
      const res = await upload(h.url, await photo(20), 'one-too-many.jpg');
      expect(res.status).toBe(429);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(20);
      expect(await res.json()).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: retryAfter });
      expect(await snapshot(h)).toEqual(before);
      // Spelling the route differently does not get around the limit.
      for (const p of ['/api/images/', '/API/Images', '/api/images?x=1']) {
        const form = new FormData();
        form.append('file', new Blob([await photo(21)]), 'x.jpg');
        const r = await fetch(`${h.url}${p}`, { method: 'POST', body: form });
        expect({ p, status: r.status }).toEqual({ p, status: 429 });
        await r.arrayBuffer();
      }
      expect(await snapshot(h)).toEqual(before);
      // Browsing is not rate limited.
      expect((await fetch(`${h.url}/api/images?count=3`)).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe('upload rate behind a reverse proxy', () => {
  const uploadAs = async (h: Embedded, forwardedFor: string, seed: number) => {
    const form = new FormData();
    form.append('file', new Blob([await photo(seed)]), `p${seed}.jpg`);
    const res = await fetch(`${h.url}/api/images`, { method: 'POST', body: form, headers: { 'X-Forwarded-For': forwardedFor } });
    await res.arrayBuffer();
    return res.status;
  };

  it('ignores X-Forwarded-For by default: a client cannot get a fresh bucket by inventing addresses', async () => {
    const h = await startEmbedded({ uploadRatePerMinute: 2 });
    try {
      expect(await uploadAs(h, '203.0.113.1', 30)).toBe(202);
      expect(await uploadAs(h, '203.0.113.2', 31)).toBe(202);
      expect(await uploadAs(h, '203.0.113.3', 32)).toBe(429);
    } finally {
      await h.close();
    }
  });

  it('with the proxy trusted, limits each client it names and not the proxy', async () => {
    // The test client connects over loopback, like a proxy on the same host would.
    const h = await startEmbedded({ uploadRatePerMinute: 2, trustProxy: 'loopback' });
    try {
      expect(await uploadAs(h, '203.0.113.1', 40)).toBe(202);
      expect(await uploadAs(h, '203.0.113.1', 41)).toBe(202);
      expect(await uploadAs(h, '203.0.113.1', 42)).toBe(429);
      // Another client behind the same proxy still has its own bucket.
      expect(await uploadAs(h, '198.51.100.9', 43)).toBe(202);
      // An address the client prepended itself is not believed: the proxy appended the real one.
      expect(await uploadAs(h, '198.51.100.77, 203.0.113.1', 44)).toBe(429);
    } finally {
      await h.close();
    }
  });
});

describe('CORS, security headers, admin token, temporary links', () => {
  let h: Embedded;
  const ADMIN = 'admin-token-0123456789abcdef';
  beforeAll(
    async () =>
      (h = await startEmbedded({ corsOrigins: 'https://console.example.org', adminToken: ADMIN, linkTtlSeconds: 2, uploadRatePerMinute: 0 })),
  );
  afterAll(async () => h?.close());

  it('allows only the configured origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${h.url}/api/images`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const ok = await preflight('https://console.example.org');
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://console.example.org');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    const evil = await preflight('https://evil.example.com');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${h.url}/api/kinds`, { headers: { origin: 'https://evil.example.com' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();

    const closed = await startEmbedded({ uploadRatePerMinute: 0 });
    try {
      const r = await fetch(`${closed.url}/api/kinds`, { headers: { origin: 'https://console.example.org' } });
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await closed.close();
    }
  });

  it('sends the security headers on API answers and errors', async () => {
    for (const p of ['/api/kinds', '/api/images?count=99', '/nope']) {
      const r = await fetch(`${h.url}${p}`);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(r.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('keeps the admin API behind the token', async () => {
    const list = (auth?: string) => fetch(`${h.url}/api/admin/relabel`, { headers: auth ? { authorization: auth } : {} });
    const none = await list();
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'unauthorized' });
    const wrong = await list('Bearer admin-token-0123456789abcdeX');
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: 'forbidden' });
    expect((await list(`Basic ${ADMIN}`)).status).toBe(401);
    const post = await fetch(`${h.url}/api/admin/relabel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x' }),
    });
    expect(post.status).toBe(401);
    const right = await list(`Bearer ${ADMIN}`);
    expect(right.status).toBe(200);
    expect(await right.json()).toEqual({ runs: [] });

    const disabled = await startEmbedded({ uploadRatePerMinute: 0 });
    try {
      const r = await fetch(`${disabled.url}/api/admin/relabel`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(r.status).toBe(403);
      expect(await r.json()).toMatchObject({ code: 'admin_disabled' });
    } finally {
      await disabled.close();
    }
  });

  it('serves originals through links that cannot be forged and expire', async () => {
    const bytes = await photo(30);
    const res = await upload(h.url, bytes, 'linked.jpg');
    expect(res.status).toBe(202);
    const { imageId } = (await res.json()) as { imageId: string };
    await waitReady(h.url, imageId);
    // A fresh link each time: GET the image, use its link at once.
    const freshLink = async () => new URL(resolveLink(h, ((await (await fetch(`${h.url}/api/images/${imageId}`)).json()) as { url: string }).url));
    const link = await freshLink();
    const good = await fetch(link);
    expect(good.status).toBe(200);
    expect(Buffer.from(await good.arrayBuffer()).equals(bytes)).toBe(true);

    const variant = (edit: (u: URL) => void) => {
      const u = new URL(link);
      edit(u);
      return fetch(u);
    };
    const sig = link.searchParams.get('signature')!;
    const expires = Number(link.searchParams.get('expires'));
    const flipped = (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1);
    const cases: [string, (u: URL) => void, number, string][] = [
      ['tampered signature', (u) => u.searchParams.set('signature', flipped), 403, 'invalid_link'],
      ['extended expiry', (u) => u.searchParams.set('expires', String(expires + 3600)), 403, 'invalid_link'],
      ['no signature', (u) => u.searchParams.delete('signature'), 401, 'link_not_signed'],
      ['other object, same signature', (u) => (u.pathname = u.pathname.replace(/[0-9a-f]{64}/, '0'.repeat(64))), 403, 'invalid_link'],
      ['path traversal in the key', (u) => (u.pathname = '/api/objects/..%2F..%2Fsigning-secret'), 0, ''],
    ];
    for (const [name, edit, status, code] of cases) {
      const r = await variant(edit);
      const text = await r.text();
      if (status) {
        expect({ name, status: r.status }).toEqual({ name, status });
        expect({ name, code: JSON.parse(text).code }).toEqual({ name, code });
      } else {
        expect({ name, ok: r.status >= 400 && r.status < 500 }).toEqual({ name, ok: true });
      }
      // Never the object, never the secret.
      expect(text.includes(fs.readFileSync(path.join(h.dataDir, 'signing-secret'), 'utf8').trim())).toBe(false);
    }

    // The link stops working once its expiry (2 s) has passed.
    const end = Date.now() + 30_000;
    let status = 200;
    while (status === 200 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 250));
      const r = await fetch(link);
      status = r.status;
      await r.arrayBuffer();
    }
    expect(status).toBe(403);
    expect(Math.floor(Date.now() / 1000)).toBeGreaterThan(expires);
  });
});

describe('shutdown', () => {
  it('closes promptly while a server-sent events client is still connected', async () => {
    const h = await startEmbedded({ uploadRatePerMinute: 0 });
    const controller = new AbortController();
    const res = await fetch(`${h.url}/api/events`, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    // Resolves when the stream ends or breaks (the server closed it).
    const ended = (async () => {
      try {
        for (;;) if ((await reader.read()).done) return true;
      } catch {
        return true;
      }
    })();
    // Without forceCloseConnections app.close() waited for the client to leave (forever).
    await h.close();
    expect(await ended).toBe(true);
    controller.abort();
  });
});
