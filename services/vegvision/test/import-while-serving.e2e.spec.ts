// `vegvision import` while `vegvision serve` runs on the same embedded data dir (the server holds
// the file event store): the CLI finds the server through <data dir>/server.json and hands the
// files to its admin catalog-import endpoint. Both run as child processes, like a user runs them.
// The distributed-mode counterpart (the CLI importing while the five services run on the real
// servers) is test/distributed/distributed.e2e.spec.ts.
import { freePort } from '@vegvision/test-support';
import { FileEventStore } from '@vegvision/event-store';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'services/vegvision/bin/vegvision.js');
const SHARED = process.env['VEGVISION_SHARED_DIR'] ?? path.resolve(REPO, '../shared');
const SEED = path.join(SHARED, 'data/seed-sample');
const TOKEN = 'import-while-serving-token-0123456789';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response): Promise<any> => r.json();

jest.setTimeout(300_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Run>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('vegvision import while vegvision serve runs (embedded)', () => {
  const servers: ChildProcess[] = [];
  let tmp: string;
  let catalog: string;
  const baseEnv = (dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VEGVISION_'))),
    VEGVISION_DATA_DIR: dataDir,
    VEGVISION_LOG_LEVEL: 'warn',
    NODE_OPTIONS: '',
    ...extra,
  });

  async function serve(dataDir: string, extra: Record<string, string> = {}): Promise<string> {
    const port = await freePort();
    const { child } = cli(['serve', '--port', String(port)], baseEnv(dataDir, extra));
    servers.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitFor('the server to answer /readyz', async () => (await fetch(`${url}/readyz`)).status === 200);
    return url;
  }

  beforeAll(() => {
    if (!fs.existsSync(SEED)) throw new Error(`seed sample not found at ${SEED}: set VEGVISION_SHARED_DIR`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-import-serving-'));
    // A small catalog in the Kaggle layout: 3 kinds x 2 images, in a "train" split.
    catalog = path.join(tmp, 'catalog');
    for (const kind of ['Bean', 'Carrot', 'Tomato']) {
      fs.mkdirSync(path.join(catalog, 'train', kind), { recursive: true });
      for (const name of fs.readdirSync(path.join(SEED, kind)).sort().slice(0, 2)) {
        fs.copyFileSync(path.join(SEED, kind, name), path.join(catalog, 'train', kind, name));
      }
    }
  });

  afterAll(async () => {
    for (const s of servers) if (s.exitCode === null && s.signalCode === null) s.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('hands the files to the running server, waits for the labels, and records nothing twice', async () => {
    const dataDir = path.join(tmp, 'with-token');
    const url = await serve(dataDir, { VEGVISION_ADMIN_TOKEN: TOKEN });
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'server.json'), 'utf8'))).toMatchObject({ url });

    const first = await cli(['import', catalog], baseEnv(dataDir, { VEGVISION_ADMIN_TOKEN: TOKEN })).done;
    expect(first.stderr).toContain('importing through it');
    expect(first.stderr).toContain('imported 6 file(s): 6 recorded, 0 already recorded, 0 failed');
    expect(first.code).toBe(0);

    const facets = await json(await fetch(`${url}/api/catalog/facets`));
    expect(facets.total).toBe(6);
    const labelled = Object.values(facets.kinds as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(labelled).toBe(6); // --wait (the default) returned once every image was labelled

    const again = await cli(['import', catalog, '--no-wait'], baseEnv(dataDir, { VEGVISION_ADMIN_TOKEN: TOKEN })).done;
    expect(again.stderr).toContain('imported 6 file(s): 0 recorded, 6 already recorded, 0 failed');
    expect(again.code).toBe(0);

    // The endpoint itself: bearer token, problem+json for bad input, nothing recorded then.
    const form = (relativePath?: string, withFile = true) => {
      const f = new FormData();
      if (relativePath !== undefined) f.append('path', relativePath); // read by post() into the query
      if (withFile) f.append('file', new Blob([fs.readFileSync(path.join(SEED, 'Bean', fs.readdirSync(path.join(SEED, 'Bean'))[5]))]), 'x.jpg');
      return f;
    };
    const post = (form: FormData, token: string | null = TOKEN) => {
      const relativePath = form.get('path');
      form.delete('path');
      const query = typeof relativePath === 'string' ? `?path=${encodeURIComponent(relativePath)}` : '';
      return fetch(`${url}/api/admin/catalog/images${query}`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
    };
    const expectProblem = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await json(res)).toMatchObject({ status, code });
    };
    await expectProblem(await post(form('Bean/x.jpg'), null), 401, 'unauthorized');
    await expectProblem(await post(form('Bean/x.jpg'), 'wrong-token-wrong-token'), 403, 'forbidden');
    await expectProblem(await post(form(undefined)), 400, 'invalid_catalog_path');
    await expectProblem(await post(form('Banana/x.jpg')), 400, 'invalid_catalog_path');
    await expectProblem(await post(form('../Bean/x.jpg')), 400, 'invalid_catalog_path');
    await expectProblem(await post(form('a/b/Bean/x.jpg')), 400, 'invalid_catalog_path');
    await expectProblem(await post(form('Bean/x.gif')), 400, 'invalid_catalog_path');
    await expectProblem(await post(form('Bean/x.jpg', false)), 400, 'missing_file');
    expect((await json(await fetch(`${url}/api/catalog/facets`))).total).toBe(6);
  });

  it('says what to do, without a stack trace, when the server has no admin token', async () => {
    const dataDir = path.join(tmp, 'no-token');
    await serve(dataDir);
    const run = await cli(['import', catalog], baseEnv(dataDir)).done;
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('holds the event store of');
    expect(run.stderr).toContain('VEGVISION_ADMIN_TOKEN');
    expect(run.stderr).not.toMatch(/^\s+at /m);

    // The CLI has a token but the server has none: the server's refusal is explained.
    const withToken = await cli(['import', catalog], baseEnv(dataDir, { VEGVISION_ADMIN_TOKEN: TOKEN })).done;
    expect(withToken.code).not.toBe(0);
    expect(withToken.stderr).toContain('runs without an admin token');
    expect(withToken.stderr).not.toMatch(/^\s+at /m);
  });

  it('says which process holds the store, without a stack trace, when it is not a server', async () => {
    const dataDir = path.join(tmp, 'held');
    fs.mkdirSync(dataDir, { recursive: true });
    const store = await FileEventStore.open({ path: path.join(dataDir, 'event-store') });
    try {
      const run = await cli(['import', catalog], baseEnv(dataDir)).done;
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`is in use by process ${process.pid}`);
      expect(run.stderr).toContain('wait for it to finish or stop it');
      expect(run.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await store.close();
    }
  });
});
