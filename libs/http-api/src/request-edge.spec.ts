// The HTTP edge refuses what a client can get wrong with a 4xx problem+json, never a 5xx:
// bodies on routes that take none, oversized or malformed JSON, repeated query parameters,
// unsupported request content types, undeclared methods (405 + Allow), bad correlation ids;
// and it keeps a browser's UTF-8 file name while stripping control and format characters.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createLogger } from '@vegvision/application';
import { loadConfig } from '@vegvision/config';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createHttpApp, listen } from './http-app';

jest.setTimeout(120_000);

const TOKEN = 'edge-test-token-0123456789';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Any method, headers and body (fetch refuses a body on GET). */
function raw(url: string, method: string, pathAndQuery: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${pathAndQuery}`, { method, headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function expectProblem(answer: RawAnswer, status: number, code: string): Record<string, unknown> {
  expect({ status: answer.status, body: answer.body.slice(0, 300) }).toMatchObject({ status });
  expect(answer.headers['content-type']).toContain('application/problem+json');
  const problem = JSON.parse(answer.body) as Record<string, unknown>;
  expect(problem).toMatchObject({ status, code });
  expect(String(problem['detail']).length).toBeGreaterThan(10);
  return problem;
}

const bigJson = JSON.stringify({ model: 'x', pad: 'a'.repeat(200_000) });
const manyParams = Array.from({ length: 1500 }, (_, i) => `p${i}=${i}`).join('&');
const deepJson = `{"model":${'['.repeat(40)}"x"${']'.repeat(40)}}`;
const deepForm = `a${'[b]'.repeat(40)}=1`;

describe('HTTP edge: hostile requests get a 4xx problem, never a 5xx', () => {
  let dir: string;
  let app: NestExpressApplication;
  let url: string;
  const errors: unknown[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-edge-'));
    const config = loadConfig(
      {
        dataDir: dir,
        port: 0,
        logLevel: 'silent',
        adminToken: TOKEN,
        uploadRatePerMinute: 0,
        modelDir: path.resolve(__dirname, '../../classifier/fixtures/tiny-model'),
      },
      {},
    );
    const logger = createLogger('silent');
    // The problem filter logs every 5xx: none may happen.
    jest.spyOn(logger, 'error').mockImplementation(((...args: unknown[]) => void errors.push(args)) as never);
    app = await createHttpApp({ config, workers: true, logger });
    url = await listen(app, config);
  });
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    // Nothing a client sent may be logged as an internal error.
    expect(errors).toEqual([]);
  });

  describe('bodies sent to routes that take none are never read', () => {
    it.each([
      ['a 200 KB JSON body', 'application/json', bigJson],
      ['an urlencoded body of 1,500 parameters', 'application/x-www-form-urlencoded', manyParams],
      ['JSON nested 40 deep', 'application/json', deepJson],
      ['an urlencoded body nested 40 deep', 'application/x-www-form-urlencoded', deepForm],
    ])('GET /healthz with %s → 200', async (_name, type, body) => {
      const answer = await raw(url, 'GET', '/healthz', { 'content-type': type }, body);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ status: 'ok' });
    });

    it.each(['/healthz', '/api/kinds', '/api/images?count=1'])('the same bodies POSTed to GET-only %s → 405', async (p) => {
      for (const [type, body] of [
        ['application/json', bigJson],
        ['application/x-www-form-urlencoded', manyParams],
        ['application/json', deepJson],
      ] as const) {
        if (p.startsWith('/api/images')) continue; // POST /api/images is the upload (below)
        const answer = await raw(url, 'POST', p, { 'content-type': type }, body);
        expectProblem(answer, 405, 'method_not_allowed');
      }
    });
  });

  describe('POST /api/admin/relabel: the one JSON body', () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    it.each([
      { name: 'JSON over the 16 KiB limit', type: 'application/json', body: bigJson, status: 413, code: 'body_too_large' },
      { name: 'malformed JSON', type: 'application/json', body: '{"model":', status: 400, code: 'malformed_json' },
      { name: 'urlencoded, 1,500 parameters', type: 'application/x-www-form-urlencoded', body: manyParams, status: 415, code: 'unsupported_content_type' },
      { name: 'urlencoded nested 40 deep', type: 'application/x-www-form-urlencoded', body: deepForm, status: 415, code: 'unsupported_content_type' },
      { name: 'JSON nested 40 deep', type: 'application/json', body: deepJson, status: 400, code: 'model_required' },
      { name: 'a JSON array', type: 'application/json', body: '[1,2]', status: 400, code: 'invalid_relabel_request' },
      { name: 'an unknown field', type: 'application/json', body: '{"model":"mnv2","extra":1}', status: 400, code: 'invalid_relabel_request' },
      { name: 'a negative throttle', type: 'application/json', body: '{"model":"mnv2","throttleMs":-1}', status: 400, code: 'invalid_relabel_request' },
      { name: 'text/plain', type: 'text/plain', body: 'model=x', status: 415, code: 'unsupported_content_type' },
      { name: 'JSON in latin1', type: 'application/json; charset=latin1', body: '{"model":"x"}', status: 415, code: 'unsupported_charset' },
    ])('$name → $status $code', async ({ type, body, status, code }) => {
      expectProblem(await raw(url, 'POST', '/api/admin/relabel', { ...auth, 'content-type': type }, body), status, code);
    });

    it('gzip-encoded JSON → 415 unsupported_content_encoding', async () => {
      const answer = await raw(url, 'POST', '/api/admin/relabel', { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' }, Buffer.from([0x1f, 0x8b, 0, 0]));
      expectProblem(answer, 415, 'unsupported_content_encoding');
    });

    it('an unknown model → 404 model_not_found; no body → 400 model_required; no token → 401 before the body is read', async () => {
      expectProblem(await raw(url, 'POST', '/api/admin/relabel', { ...auth, 'content-type': 'application/json' }, '{"model":"no-such-model"}'), 404, 'model_not_found');
      expectProblem(await raw(url, 'POST', '/api/admin/relabel', auth), 400, 'model_required');
      expectProblem(await raw(url, 'POST', '/api/admin/relabel', { 'content-type': 'application/json' }, bigJson), 401, 'unauthorized');
    });
  });

  describe('model cards', () => {
    it("serves the active model's card as text; an unknown version is 404, a malformed one 400", async () => {
      const models = JSON.parse((await raw(url, 'GET', '/api/models')).body) as { active: string };
      const card = await raw(url, 'GET', `/api/models/${models.active}/card`);
      expect({ status: card.status, body: card.body.slice(0, 200) }).toMatchObject({ status: 200 });
      expect(card.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(card.headers['x-content-type-options']).toBe('nosniff');
      expect(card.body).toContain(models.active);
      expectProblem(await raw(url, 'GET', '/api/models/no-such-model/card'), 404, 'model_not_found');
      expectProblem(await raw(url, 'GET', '/api/models/..%2Fsecrets/card'), 400, 'model_required');
    });
  });

  describe('query parameters are single values', () => {
    it.each([
      '/api/images?palette=RGB&palette=RYB',
      '/api/images?palette=RGB&colour=%23FF0000&colour=%230000FF',
      '/api/images?count=1&count=2',
      '/api/images?kind=Tomato&kind=Bean',
      '/api/events?imageId=0b7f3a52-54b4-4b8e-9a55-2f1b7c1e0f01&imageId=0b7f3a52-54b4-4b8e-9a55-2f1b7c1e0f02',
      '/api/objects/originals/ab/cd?expires=1&expires=2&signature=x',
    ])('GET %s → 400 repeated_parameter', async (q) => {
      const problem = expectProblem(await raw(url, 'GET', q), 400, 'repeated_parameter');
      expect(typeof problem['parameter']).toBe('string');
    });

    it.each([
      ['/api/images?count=', 'invalid_count'],
      ['/api/images?kind=', 'unknown_kind'],
      ['/api/images?palette=rgb', 'unknown_palette'],
      ['/api/images?palette=RGB&colour=red', 'invalid_colour'],
      ['/api/events?imageId=nope', 'invalid_image_id'],
    ])('GET %s → 400 %s', async (q, code) => {
      expectProblem(await raw(url, 'GET', q), 400, code);
    });
  });

  describe('uploads', () => {
    let png: Buffer;
    beforeAll(async () => {
      png = await sharp({ create: { width: 24, height: 16, channels: 3, background: '#ff8800' } }).png().toBuffer();
    });

    const multipart = (boundary: string, fileName: Buffer, bytes: Buffer) =>
      Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="`),
        fileName,
        Buffer.from('"\r\nContent-Type: image/png\r\n\r\n'),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);

    it.each([
      ['multipart/mixed; boundary=b0undary', 'unsupported_content_type'],
      ['text/plain', 'unsupported_content_type'],
      ['application/json', 'unsupported_content_type'],
    ])('Content-Type %s → 415 %s, body not read', async (type, code) => {
      const answer = await raw(url, 'POST', '/api/images', { 'content-type': type }, multipart('b0undary', Buffer.from('a.png'), png));
      expectProblem(answer, 415, code);
    });

    it('no Content-Type → 415; a text field beside the file → 400 malformed_multipart', async () => {
      expectProblem(await raw(url, 'POST', '/api/images', {}, png), 415, 'unsupported_content_type');
      const form = new FormData();
      form.append('note', 'hello');
      form.append('file', new Blob([png], { type: 'image/png' }), 'a.png');
      const res = await fetch(`${url}/api/images`, { method: 'POST', body: form });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('malformed_multipart');
    });

    const originalNameOf = async (imageId: string): Promise<string | null> => {
      for (let i = 0; i < 200; i++) {
        const res = await fetch(`${url}/api/images/${imageId}`);
        if (res.status === 200) return ((await res.json()) as { originalName: string | null }).originalName;
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`image ${imageId} never reached the catalog`);
    };

    it('keeps a browser’s UTF-8 file name (RFC 7578), as raw UTF-8 bytes and through FormData', async () => {
      const name = 'морковь🥕.jpg';
      const a = await raw(url, 'POST', '/api/images', { 'content-type': 'multipart/form-data; boundary=XyZ' }, multipart('XyZ', Buffer.from(name, 'utf8'), png));
      expect(a.status).toBe(202);
      expect(await originalNameOf((JSON.parse(a.body) as { imageId: string }).imageId)).toBe(name);

      const other = await sharp({ create: { width: 24, height: 16, channels: 3, background: '#0088ff' } }).png().toBuffer();
      const form = new FormData();
      form.append('file', new Blob([other], { type: 'image/png' }), 'über Ça 日本.png');
      const b = await fetch(`${url}/api/images`, { method: 'POST', body: form });
      expect(b.status).toBe(202);
      expect(await originalNameOf(((await b.json()) as { imageId: string }).imageId)).toBe('über Ça 日本.png');
    });

    it('strips C1 control and format characters from the file name', async () => {
      const bytes = await sharp({ create: { width: 24, height: 16, channels: 3, background: '#22aa22' } }).png().toBuffer();
      // U+0085 NEL and U+009B CSI (C1), U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE, U+FEFF BOM.
      const name = 'evil\u0085\u009b[2J\u202egnp.exe\u200b\ufeff.png';
      const a = await raw(url, 'POST', '/api/images', { 'content-type': 'multipart/form-data; boundary=XyZ' }, multipart('XyZ', Buffer.from(name, 'utf8'), bytes));
      expect(a.status).toBe(202);
      expect(await originalNameOf((JSON.parse(a.body) as { imageId: string }).imageId)).toBe('evil[2Jgnp.exe.png');
    });

    it('bounds X-Correlation-Id: 128 safe characters are kept, 12 KB or unsafe ones are 400 and store nothing', async () => {
      const bytes = await sharp({ create: { width: 24, height: 16, channels: 3, background: '#aa22aa' } }).png().toBuffer();
      const send = (id: string) => {
        const form = new FormData();
        form.append('file', new Blob([bytes], { type: 'image/png' }), 'c.png');
        return fetch(`${url}/api/images`, { method: 'POST', body: form, headers: { 'X-Correlation-Id': id } });
      };
      for (const bad of ['x'.repeat(12 * 1024), 'a'.repeat(129), 'has space', 'semi;colon', '-leading-dash', 'ünïcode']) {
        const res = await send(bad);
        expect(res.status).toBe(400);
        expect(((await res.json()) as { code: string }).code).toBe('invalid_correlation_id');
      }
      const facets = (await (await fetch(`${url}/api/catalog/facets`)).json()) as { total: number };
      const ok = 'Ab0._:-'.padEnd(128, 'z');
      const res = await send(ok);
      expect(res.status).toBe(202);
      expect(((await res.json()) as { correlationId: string }).correlationId).toBe(ok);
      // Only the accepted upload reached the catalog.
      for (let i = 0; i < 200; i++) {
        const now = (await (await fetch(`${url}/api/catalog/facets`)).json()) as { total: number };
        if (now.total > facets.total) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(((await (await fetch(`${url}/api/catalog/facets`)).json()) as { total: number }).total).toBe(facets.total + 1);
    });
  });

  describe('undeclared methods on known paths: 405 with Allow', () => {
    it.each([
      ['DELETE', '/api/images', 'GET, HEAD, OPTIONS, POST'],
      ['PUT', '/api/images/0b7f3a52-54b4-4b8e-9a55-2f1b7c1e0f01', 'DELETE, GET, HEAD, OPTIONS'],
      ['GET', '/api/images/0b7f3a52-54b4-4b8e-9a55-2f1b7c1e0f01/corrections', 'OPTIONS, POST'],
      ['PATCH', '/api/catalog/facets', 'GET, HEAD, OPTIONS'],
      ['POST', '/api/kinds', 'GET, HEAD, OPTIONS'],
      ['DELETE', '/api/admin/relabel', 'GET, HEAD, OPTIONS, POST'],
      ['PUT', '/api/objects/originals/ab/cd', 'GET, HEAD, OPTIONS'],
      ['POST', '/readyz', 'GET, HEAD, OPTIONS'],
      ['TRACE', '/metrics', 'GET, HEAD, OPTIONS'],
    ])('%s %s → 405, Allow: %s', async (method, p, allow) => {
      const answer = await raw(url, method, p);
      const problem = expectProblem(answer, 405, 'method_not_allowed');
      expect(answer.headers['allow']).toBe(allow);
      expect(problem['allow']).toEqual(allow.split(', '));
    });

    it('OPTIONS on a known path → 204 with Allow; unknown paths stay 404', async () => {
      const answer = await raw(url, 'OPTIONS', '/api/images');
      expect(answer.status).toBe(204);
      expect(answer.headers['allow']).toBe('GET, HEAD, OPTIONS, POST');
      expectProblem(await raw(url, 'DELETE', '/api/nothing-here'), 404, 'not_found');
      expect((await raw(url, 'HEAD', '/api/kinds')).status).toBe(200);
    });
  });

  describe('the OpenAPI document', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let doc: any;
    beforeAll(async () => {
      doc = await (await fetch(`${url}/api/docs/openapi.json`)).json();
    });

    it('defines every path parameter and documents every path the API serves', () => {
      for (const [p, item] of Object.entries<Record<string, { parameters?: { name: string; in: string; schema?: unknown }[] }>>(doc.paths)) {
        for (const [, op] of Object.entries(item)) {
          for (const name of [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
            const param = op.parameters?.find((x) => x.in === 'path' && x.name === name);
            expect({ path: p, name, defined: Boolean(param?.schema) }).toEqual({ path: p, name, defined: true });
          }
        }
      }
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/objects/{key}', '/healthz', '/readyz', '/metrics', '/api/admin/relabel/{id}']));
    });

    it('carries the constraints the server enforces', () => {
      const params = Object.fromEntries(doc.paths['/api/images'].get.parameters.map((x: { name: string; schema: unknown }) => [x.name, x.schema]));
      expect(params.count).toMatchObject({ type: 'integer', minimum: 1, maximum: 9 });
      expect(params.kind.enum).toHaveLength(16);
      expect(params.palette).toMatchObject({ enum: ['RGB', 'RYB'] });
      expect(params.colour).toMatchObject({ pattern: '^#?[0-9A-Fa-f]{6}$' });
      const header = doc.paths['/api/images'].post.parameters.find((x: { name: string }) => x.name === 'X-Correlation-Id');
      expect(header.schema).toMatchObject({ maxLength: 128 });
    });

    it('declares every 4xx/5xx answer as problem+json with the Problem schema', () => {
      let n = 0;
      for (const [p, item] of Object.entries<Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>(doc.paths)) {
        for (const op of Object.values(item)) {
          for (const [status, response] of Object.entries(op.responses)) {
            if (Number(status) < 400 || p === '/readyz') continue; // /readyz answers 503 with its checks, as JSON
            expect(response.content?.['application/problem+json']?.schema).toEqual({ $ref: '#/components/schemas/Problem' });
            n++;
          }
        }
      }
      expect(n).toBeGreaterThan(30);
      expect(doc.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'detail', 'code']);
    });
  });
});
