// Runs the workspace's TypeScript sources in Node (the CLI, the services, the benches) without a
// separate build: `require('<repo>/tools/ts-loader/register')`, then require a `.ts` file.
//
// Each `.ts` file is transpiled by SWC (with the decorator metadata NestJS needs and the
// `@vegvision/*` path aliases of tsconfig.base.json rewritten to relative paths) exactly as
// @swc-node/register would, but the output is kept on disk, keyed by the file's content, the
// options and the SWC version, and read back from there on every later start. On a warm cache
// neither SWC nor the TypeScript compiler is loaded: @swc-node/register loads both into every
// process (about 77 MB of RSS, and a copy of each transpiled module with its inline source map
// held in an in-memory cache), which was the largest part of an idle service's memory.
//
// Source maps go to files beside the cached code; Node reads them only when source maps are on
// (`NODE_OPTIONS=--enable-source-maps`), so stack traces can still point at the TypeScript lines.
// The cache lives in node_modules/.cache/vegvision-ts (VEGVISION_TS_CACHE_DIR to move it); it is
// safe to delete at any time, and concurrent processes filling it write each entry atomically.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = process.env.VEGVISION_TS_CACHE_DIR || path.join(ROOT, 'node_modules', '.cache', 'vegvision-ts');

/**
 * Packages that only some deployments use (the distributed adapters' clients): a module that
 * imports one requires it when it first uses it, not when the module loads (SWC's lazy CommonJS
 * imports), so an embedded process never loads them (about 50 MB of RSS together).
 */
const LOADED_ON_FIRST_USE = ['kafkajs', '@eventstore/db-client', 'pg', '@mikro-orm/postgresql', '@aws-sdk/client-s3', '@aws-sdk/s3-request-presigner'];

/** The SWC options @swc-node/register derives from tsconfig.base.json (its tsCompilerOptionsToSwcConfig). */
function swcOptions() {
  const { compilerOptions: c } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8'));
  if (String(c.module).toLowerCase() !== 'commonjs') throw new Error(`ts-loader: tsconfig.base.json module ${c.module}, expected commonjs`);
  const target = String(c.target).toLowerCase();
  const year = target === 'esnext' ? Infinity : Number(target.replace(/^es/, ''));
  const baseUrl = path.resolve(ROOT, c.baseUrl || '.');
  return {
    module: 'commonjs',
    target,
    jsx: false,
    sourcemap: Boolean(c.sourceMap),
    experimentalDecorators: Boolean(c.experimentalDecorators),
    emitDecoratorMetadata: Boolean(c.emitDecoratorMetadata),
    // TypeScript's default: define semantics from ES2022 on.
    useDefineForClassFields: c.useDefineForClassFields ?? year >= 2022,
    esModuleInterop: Boolean(c.esModuleInterop),
    dynamicImport: true,
    keepClassNames: true,
    externalHelpers: Boolean(c.importHelpers),
    baseUrl,
    paths: Object.fromEntries(Object.entries(c.paths || {}).map(([alias, targets]) => [alias, targets.map((t) => path.resolve(baseUrl, t))])),
    ignoreDynamic: false,
    // Replaces the module options @swc-node/core builds from the above (the same, plus `lazy`).
    swc: { module: { type: 'commonjs', noInterop: !c.esModuleInterop, ignoreDynamic: false, lazy: LOADED_ON_FIRST_USE } },
  };
}

const OPTIONS = swcOptions();
// Read, not required: the version is all a warm start needs of SWC.
const SWC_VERSION = JSON.parse(fs.readFileSync(require.resolve('@swc/core/package.json'), 'utf8')).version;
const SALT = `${SWC_VERSION}\0${JSON.stringify(OPTIONS)}\0`;

let swc;
/** @swc-node/core (and with it @swc/core) only when a file is not in the cache. */
const transpiler = () => (swc ??= require('@swc-node/core'));

function transpile(source, filename) {
  const key = crypto.createHash('sha256').update(SALT).update(filename).update('\0').update(source).digest('hex').slice(0, 40);
  const file = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code !== 'ENOENT' && error.code !== 'ENOTDIR') throw error;
  }
  const { code, map } = transpiler().transformSync(source, filename, OPTIONS);
  const out = code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    if (map) write(`${file}.map`, map);
    const cached = map ? `${out}//# sourceMappingURL=${new URL(`file://${file}.map`).href}\n` : out;
    write(file, cached);
    return cached;
  } catch (error) {
    // A cache that cannot be written (a read-only file system without a warmed cache, a full
    // disk) costs a compile per start, nothing else.
    if (!['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOTDIR', 'EEXIST'].includes(error.code)) throw error;
    return out;
  }
}

/** Writes a cache entry so that no process ever reads half of it. */
function write(target, text) {
  const tmp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, target);
}

/** Transpiles `filename` into the cache unless it is there already (tools/ts-loader/warm.js). */
exports.warm = (filename) => void transpile(fs.readFileSync(filename, 'utf8'), filename);
exports.cacheDir = CACHE_DIR;

if (!Module._extensions['.ts'] || !Module._extensions['.ts'].vegvision) {
  const load = function (module, filename) {
    module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
  };
  load.vegvision = true;
  Module._extensions['.ts'] = load;
}
