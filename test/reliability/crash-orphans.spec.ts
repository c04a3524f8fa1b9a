// kill -9 in the middle of work, then start again: the orphan sweeper leaves exactly the
// originals that recorded events refer to, and no temporary file. The product runs as a child
// process (`vegvision serve` / `vegvision import`, as a user runs it) on a temp data dir:
//   1. `vegvision import` of the seed sample, killed (SIGKILL) once it has recorded some images;
//   2. `vegvision serve`, killed (SIGKILL) three times in the middle of upload bursts;
//   3. what such a kill leaves, planted as well so that every run has it whatever the timing
//      of the kills: a complete original with no event, and a half-written temporary file;
//   4. `vegvision serve` with a grace period of 0 s: once its start-up sweep is done
//      (vegvision_orphan_sweeps_total on /metrics), the objects folder holds exactly the
//      originals the event log refers to and nothing else.
// Before the sweeper the same run left 5 originals without events and 3 + 4 temporary files.
import { freePort } from '@vegvision/test-support';
import { FileEventStore } from '@vegvision/event-store';
import { LocalObjectStorage, originalKey } from '@vegvision/storage';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { SEED_DIR } from './hostile-corpus';
import { testModelDir, upload } from './harness';

jest.setTimeout(600_000);

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'services/vegvision/bin/vegvision.js');

interface Child {
  process: ChildProcess;
  exited: Promise<void>;
  output(): string;
}

function start(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { process: child, exited, output: () => output };
}

async function until(what: string, child: Child, check: () => boolean | Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (child.process.exitCode !== null) throw new Error(`${what}: the process exited with ${child.process.exitCode}:\n${child.output()}`);
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function kill9(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await child.exited;
}

async function serve(dataDir: string, env: NodeJS.ProcessEnv): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = start(['--data-dir', dataDir, 'serve', '--port', String(port)], env);
  await until('serve listening', child, () => /listening on http/.test(child.output()));
  return { child, url: `http://127.0.0.1:${port}` };
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Object keys the ImageUploaded events of the data dir's event log refer to. */
async function referencedKeys(dataDir: string): Promise<Set<string>> {
  const store = await FileEventStore.open({ path: path.join(dataDir, 'event-store') });
  const referenced = new Set<string>();
  try {
    for await (const e of store.readAll()) if (e.type === 'ImageUploaded') referenced.add(String(e.data['objectKey']));
  } finally {
    await store.close();
  }
  return referenced;
}

/** Originals no event refers to and temporary files, in the objects folder. */
async function leftovers(dataDir: string): Promise<{ images: number; orphans: number; temporaries: number }> {
  const referenced = await referencedKeys(dataDir);
  const objectsDir = path.join(dataDir, 'objects');
  const files = filesUnder(objectsDir).map((f) => path.relative(objectsDir, f).split(path.sep).join('/'));
  return {
    images: referenced.size,
    orphans: files.filter((f) => f.endsWith('@obj') && !referenced.has(f.slice(0, -'@obj'.length))).length,
    temporaries: files.filter((f) => f.includes('@tmp.')).length,
  };
}

describe('kill -9 during uploads and imports, then the orphan sweeper', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-crash-'));
    const modelDir = testModelDir();
    env = {
      ...process.env,
      ...(modelDir ? { VEGVISION_MODEL_DIR: modelDir } : {}),
      VEGVISION_LOG_LEVEL: 'warn',
      VEGVISION_UPLOAD_RATE_PER_MINUTE: '0',
      VEGVISION_MAX_CONCURRENT_UPLOADS: '0',
      VEGVISION_CONSOLE_DIR: path.join(dataDir, 'no-console'),
    };
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('leaves exactly the originals the events refer to, and no temporary file', async () => {
    const objectsDir = path.join(dataDir, 'objects');
    const eventLog = path.join(dataDir, 'event-store', 'events.jsonl');
    const lines = () => (fs.existsSync(eventLog) ? fs.readFileSync(eventLog, 'utf8').split('\n').length - 1 : 0);

    // 1. An import killed midway.
    const importing = start(['--data-dir', dataDir, 'import', SEED_DIR], env);
    await until('import recording', importing, () => lines() >= 40);
    await kill9(importing);

    // 2. Three servers killed during upload bursts (distinct photos and repeats of one).
    const base = fs.readFileSync(path.join(SEED_DIR, 'Carrot/1001.jpg'));
    let seed = 0;
    const settled: PromiseSettledResult<Response>[] = [];
    for (let round = 0; round < 3; round++) {
      const { child, url } = await serve(dataDir, env);
      const photos = await Promise.all(
        Array.from({ length: 24 }, () => sharp(base).resize(40 + (seed++ % 200), 30 + round, { fit: 'fill' }).png().toBuffer()),
      );
      const same = photos[0];
      const inFlight = [...photos, same, same, same, same].map((p, i) => upload(url, p, `crash-${round}-${i}.png`, 'image/png'));
      // Kill once some uploads were answered and others are still being written.
      let answered = 0;
      inFlight.forEach((p) => void p.then(() => answered++, () => undefined));
      await until('some uploads answered', child, () => answered >= 4 + round * 4);
      await kill9(child);
      settled.push(...(await Promise.allSettled(inFlight)));
    }
    expect(settled.some((r) => r.status === 'fulfilled')).toBe(true);
    expect(settled.some((r) => r.status === 'rejected')).toBe(true); // cut off by the kill

    const debris = await leftovers(dataDir);
    console.log(`crash report: ${JSON.stringify({ answered: settled.filter((r) => r.status === 'fulfilled').length, cutOff: settled.filter((r) => r.status === 'rejected').length, ...debris })}`);

    // 3. What a kill between storing an original and recording it leaves, and a torn temp file.
    const orphanBytes = await sharp(base).resize(33, 22).png().toBuffer();
    const orphanKey = originalKey(createHash('sha256').update(orphanBytes).digest('hex'));
    const planted = new LocalObjectStorage({ dir: objectsDir, publicBaseUrl: '', signingSecret: 'x'.repeat(16) });
    await planted.put(orphanKey, orphanBytes, { contentType: 'image/png' });
    const torn = path.join(objectsDir, 'originals', `${orphanKey.split('/')[2]}@tmp.${randomUUID()}`);
    fs.mkdirSync(path.dirname(torn), { recursive: true });
    fs.writeFileSync(torn, Buffer.from('VVOB half an envelope'));

    // 4. Start again with no grace period; the start-up sweep cleans up.
    const { child, url } = await serve(dataDir, { ...env, VEGVISION_ORPHAN_GRACE_SECONDS: '0' });
    try {
      await until('a completed orphan sweep', child, async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return /^vegvision_orphan_sweeps_total\{outcome="completed"\} [1-9]/m.test(text);
      }, 60_000);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const removed = (kind: string) => Number(new RegExp(`^vegvision_orphans_removed_total\\{kind="${kind}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
      expect(removed('original')).toBeGreaterThanOrEqual(1);
      expect(removed('temporary')).toBeGreaterThanOrEqual(1);
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
    }

    const referenced = await referencedKeys(dataDir);
    const files = filesUnder(objectsDir).map((f) => path.relative(objectsDir, f).split(path.sep).join('/'));
    expect(files.filter((f) => f.includes('@tmp.'))).toEqual([]);
    expect(files.map((f) => f.replace(/@obj$/, '')).sort()).toEqual([...referenced].sort());
    expect(referenced.has(orphanKey)).toBe(false);
    expect(referenced.size).toBeGreaterThan(40 / 2); // the import and the uploads recorded images
  });
});
