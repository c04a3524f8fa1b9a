// tools/ts-loader, which every bin script runs the TypeScript sources through: the first start
// compiles into the cache, a later start runs from it without loading SWC or the TypeScript
// compiler, NestJS's decorator metadata survives (the CLI's Nest context resolves its services
// by type), a changed source is compiled afresh, and the distributed adapters' clients (kafkajs,
// the KurrentDB and PostgreSQL clients, the AWS SDK) load only when an adapter first uses one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const LOADER = path.join(REPO, 'tools/ts-loader/register.js');

jest.setTimeout(120_000);

/** Runs `code` in a fresh Node with the loader and the given cache; prints which compilers were loaded. */
function run(cacheDir: string, code: string) {
  const probe = `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules\\/(@swc\\/core|@swc-node|typescript)\\//.test(k)).length) + '\\n'));`;
  const r = spawnSync(process.execPath, ['-e', `${probe} require(${JSON.stringify(LOADER)}); ${code}`], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, VEGVISION_TS_CACHE_DIR: cacheDir },
  });
  const loaded = Number(/LOADED (\d+)\n/.exec(r.stderr)?.[1] ?? NaN);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/LOADED \d+\n/, ''), compilerModules: loaded };
}

describe('tools/ts-loader', () => {
  let dir: string;
  // Inside the workspace (test-output/ is ignored), so that the sources written here resolve its
  // packages and path aliases as the workspace's own sources do.
  beforeEach(() => {
    fs.mkdirSync(path.join(REPO, 'test-output'), { recursive: true });
    dir = fs.mkdtempSync(path.join(REPO, 'test-output/ts-loader-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('compiles on the first start and runs from its cache afterwards, with decorator metadata', () => {
    const cache = path.join(dir, 'cache');
    // A Nest service resolved by its constructor parameter's type: needs emitDecoratorMetadata.
    const src = path.join(dir, 'app.ts');
    fs.writeFileSync(
      src,
      [
        "import 'reflect-metadata';",
        "import { Injectable, Module } from '@nestjs/common';",
        "import { NestFactory } from '@nestjs/core';",
        "import { ALGORITHM_VERSIONS } from '@vegvision/colour';",
        '@Injectable() class Clock { now() { return 42; } }',
        '@Injectable() class Greeter { constructor(readonly clock: Clock) {} }',
        '@Module({ providers: [Clock, Greeter] }) class AppModule {}',
        'NestFactory.createApplicationContext(AppModule, { logger: false }).then(async (app) => {',
        '  console.log(`answer ${app.get(Greeter).clock.now()} ${ALGORITHM_VERSIONS.subject}`);',
        '  await app.close();',
        '});',
      ].join('\n'),
    );
    const first = run(cache, `require(${JSON.stringify(src)});`);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toBe('answer 42 subject-oklab-v3');
    expect(first.compilerModules).toBeGreaterThan(0);
    expect(fs.readdirSync(cache).some((f) => f.endsWith('.js'))).toBe(true);

    const second = run(cache, `require(${JSON.stringify(src)});`);
    expect(second.status).toBe(0);
    expect(second.stdout.trim()).toBe('answer 42 subject-oklab-v3');
    expect(second.compilerModules).toBe(0);

    // A changed source is compiled again, not served stale.
    fs.writeFileSync(src, fs.readFileSync(src, 'utf8').replace('return 42', 'return 43'));
    const third = run(cache, `require(${JSON.stringify(src)});`);
    expect(third.stdout.trim()).toBe('answer 43 subject-oklab-v3');
    expect(third.compilerModules).toBeGreaterThan(0);
  });

  it('runs when its cache cannot be written (a read-only file system without a warmed cache)', () => {
    // A path under a regular file: no process, root included, can create it.
    fs.writeFileSync(path.join(dir, 'not-a-dir'), '');
    const cache = path.join(dir, 'not-a-dir', 'cache');
    const src = path.join(dir, 'plain.ts');
    fs.writeFileSync(src, 'const n: number = 6 * 7;\nconsole.log(`n=${n}`);\n');
    const r = run(cache, `require(${JSON.stringify(src)});`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('n=42');
  });

  it("loads the distributed adapters' client packages only when one is used", () => {
    const cache = path.join(dir, 'cache');
    const script = path.join(dir, 'adapters.ts');
    const packages = ['kafkajs', '@eventstore/db-client', 'pg', '@mikro-orm/postgresql', '@aws-sdk/client-s3'];
    fs.writeFileSync(
      script,
      [
        "import { createBus } from '@vegvision/bus';",
        "import '@vegvision/event-store';",
        "import '@vegvision/storage';",
        "import '@vegvision/read-model';",
        "import '@vegvision/checkpoint-store';",
        "import '@vegvision/key-store';",
        `const packages = ${JSON.stringify(packages)};`,
        "const loaded = () => packages.filter((p) => Object.keys(require.cache).some((k) => k.includes(`/node_modules/${p}/`)));",
        'console.log(JSON.stringify(loaded()));',
        "createBus({ kind: 'kafka', brokers: ['127.0.0.1:1'] });",
        'console.log(JSON.stringify(loaded()));',
      ].join('\n'),
    );
    const r = run(cache, `require(${JSON.stringify(script)});`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([[], ['kafkajs']]);
  });
});
