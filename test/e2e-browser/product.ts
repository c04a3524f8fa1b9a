// Starts the real vegvision product for the browser tests: builds the console when it is
// missing or stale, imports the seed sample into a temp data dir, then runs `serve` on a free port.
import { freePort } from '@vegvision/test-support';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const SHARED = process.env['VEGVISION_SHARED_DIR'] ?? path.resolve(ROOT, '../shared');
export const SEED = path.join(SHARED, 'data/seed-sample');
export const CONSOLE_DIR = path.join(ROOT, 'frontend/dist/browser');
const CLI = path.join(ROOT, 'services/vegvision/bin/vegvision.js');
const FIXTURE_MODEL = path.join(ROOT, 'libs/classifier/fixtures/tiny-model');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds frontend/dist/browser unless it is newer than every source of the console. */
export function ensureConsoleBuilt(): void {
  const index = path.join(CONSOLE_DIR, 'index.html');
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'frontend/src')),
    fs.statSync(path.join(ROOT, 'frontend/angular.json')).mtimeMs,
  );
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources) return;
  const ng = path.join(ROOT, 'node_modules/@angular/cli/bin/ng.js');
  const result = spawnSync(process.execPath, [ng, 'build'], {
    cwd: path.join(ROOT, 'frontend'),
    env: { ...process.env, NG_CLI_ANALYTICS: 'false' },
    encoding: 'utf8',
    timeout: 540_000,
  });
  if (result.status !== 0) {
    throw new Error(`console build failed (npm run console:build):\n${result.stdout}\n${result.stderr}`);
  }
}

/** The shipped model when there is one, else the tiny fixture (everything is then "not a vegetable"). */
function modelEnv(): Record<string, string> {
  if (process.env['VEGVISION_MODEL_DIR']) return {};
  const models = path.join(ROOT, 'libs/classifier/models');
  const shipped =
    fs.existsSync(models) &&
    fs.readdirSync(models).some((d) => fs.existsSync(path.join(models, d, 'model.onnx')));
  return shipped ? {} : { VEGVISION_MODEL_DIR: FIXTURE_MODEL };
}

export interface Product {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vegvision ${args.join(' ')} exited with ${code}:\n${output}`)),
    );
  });
}

function waitForListening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    child.on('exit', (code) => reject(new Error(`vegvision serve exited with ${code} before listening:\n${output}`)));
  });
}

/**
 * A free loopback port. `serve --port 0` would listen fine, but the temporary links to the
 * originals are built from the configured port (VEGVISION_PUBLIC_URL defaults to host:port),
 * so the product needs to know its real port up front.
 */
/** The editor the console's correct and delete controls act as (VEGVISION_EDITOR_TOKENS of the product). */
export const EDITOR_NAME = 'browser-editor';
export const EDITOR_TOKEN = 'browser-editor-token-0123456789';

export async function startProduct(): Promise<Product> {
  if (!fs.existsSync(SEED)) {
    throw new Error(`seed sample not found at ${SEED}: set VEGVISION_SHARED_DIR to the folder holding data/seed-sample`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-browser-'));
  const env = {
    ...process.env,
    ...modelEnv(),
    VEGVISION_LOG_LEVEL: 'warn',
    VEGVISION_CONSOLE_DIR: CONSOLE_DIR,
    VEGVISION_EDITOR_TOKENS: `${EDITOR_NAME}:${EDITOR_TOKEN}`,
  };
  try {
    await run(['--data-dir', dataDir, 'import', SEED], env);
    const port = await freePort();
    const server = spawn(process.execPath, [CLI, '--data-dir', dataDir, 'serve', '--port', String(port)], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    const url = await waitForListening(server);
    server.stdout?.resume();
    server.stderr?.resume();
    return {
      url,
      dataDir,
      async stop() {
        if (server.exitCode === null) server.kill('SIGTERM');
        await exited;
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
