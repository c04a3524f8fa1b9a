// The web console's files are served beside the API: its files as they are, index.html for its
// client-side routes, and never either for an API or operations path, which the static handler
// must not even look up on disk.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createLogger } from '@vegvision/application';
import { loadConfig } from '@vegvision/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHttpApp, listen } from './http-app';

jest.setTimeout(120_000);

describe('console files', () => {
  let dir: string;
  let consoleDir: string;
  let app: NestExpressApplication;
  let url: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-console-'));
    consoleDir = path.join(dir, 'console');
    fs.mkdirSync(consoleDir);
    fs.writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><title>vegvision</title>');
    fs.writeFileSync(path.join(consoleDir, 'main.js'), 'console.log(1);');
    const config = loadConfig({ dataDir: path.join(dir, 'data'), port: 0, logLevel: 'silent', modelDir: path.resolve(__dirname, '../../classifier/fixtures/tiny-model') }, {});
    app = await createHttpApp({ config, workers: false, logger: createLogger('silent'), consoleDir });
    url = await listen(app, config);
  });
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the files of the console and index.html for its routes', async () => {
    const file = await fetch(`${url}/main.js`);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('console.log(1);');
    for (const route of ['/', '/browse', '/images/0b0f4d7e-1c1a-4e43-9d59-3f1d2c4a5b6c']) {
      const page = await fetch(`${url}${route}`);
      expect({ route, status: page.status }).toEqual({ route, status: 200 });
      expect(await page.text()).toContain('<title>vegvision</title>');
    }
  });

  it('never answers an API or operations path from the console, nor looks one up on disk', async () => {
    const looked: string[] = [];
    const real = fs.stat.bind(fs);
    const stat = jest.spyOn(fs, 'stat').mockImplementation(((p: fs.PathLike, ...rest: unknown[]) => {
      looked.push(String(p));
      return real(p, ...(rest as [never]));
    }) as typeof fs.stat);
    try {
      const missing = await fetch(`${url}/api/no-such-thing`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/api/kinds`)).status).toBe(200);
      expect(looked.filter((p) => p.startsWith(consoleDir))).toEqual([]);
      // The same handler does look up the console's own files.
      expect((await fetch(`${url}/main.js`)).status).toBe(200);
      expect(looked.filter((p) => p.startsWith(consoleDir)).length).toBeGreaterThan(0);
    } finally {
      stat.mockRestore();
    }
  });

  it('leaves other methods on console routes to the API (405 or 404 problem, not index.html)', async () => {
    const post = await fetch(`${url}/browse`, { method: 'POST' });
    expect(post.status).toBeGreaterThanOrEqual(400);
    expect(post.status).toBeLessThan(500);
    expect(await post.text()).not.toContain('<title>vegvision</title>');
  });
});
