// `vegvision serve` stopped (SIGTERM) while uploads are still being labelled: it exits 0 and logs
// no error. The workers stop before the ports and the classifier close (they used to close at
// the same time: "BusClosedError" / "ClassifierClosedError" at level 50 on every such stop), and
// what was not labelled yet is labelled by the next start (the relay resumes from its checkpoint).
import { freePort } from '@vegvision/test-support';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'services/vegvision/bin/vegvision.js');

jest.setTimeout(300_000);

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function serve(dataDir: string): Promise<Server> {
  const port = await freePort();
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VEGVISION_'))),
    VEGVISION_DATA_DIR: dataDir,
    VEGVISION_LOG_LEVEL: 'info',
    NODE_OPTIONS: '',
  };
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port)], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200).catch(() => false);
    if (ok) break;
    if (Date.now() > end) throw new Error(`serve did not become ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, url, output: () => out, exited };
}

/** Log lines at level error (50) or fatal (60). */
const errorLines = (output: string) => output.split('\n').filter((l) => /"level":(50|60)/.test(l));

describe('vegvision serve: stopped while labelling (embedded)', () => {
  let dir: string;
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 0 without logging an error, and the next start labels what was left', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-shutdown-'));
    const first = await serve(dir);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const bytes = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 20 * i, g: 200 - 10 * i, b: 40 } } }).jpeg().toBuffer();
      const form = new FormData();
      form.append('file', new Blob([bytes], { type: 'image/jpeg' }), `photo-${i}.jpg`);
      const res = await fetch(`${first.url}/api/images`, { method: 'POST', body: form });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { imageId: string }).imageId);
    }
    // Stop at once: most of the 12 are still queued or being labelled.
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(errorLines(first.output())).toEqual([]);

    const second = await serve(dir);
    try {
      const end = Date.now() + 120_000;
      for (;;) {
        const statuses = await Promise.all(ids.map(async (id) => ((await (await fetch(`${second.url}/api/images/${id}`)).json()) as { status?: string }).status));
        if (statuses.every((s) => s === 'ready')) break;
        if (Date.now() > end) throw new Error(`not labelled after restart: ${statuses.join(',')}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
    expect(errorLines(second.output())).toEqual([]);
  });
});
