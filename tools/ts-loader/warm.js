#!/usr/bin/env node
// Fills the ts-loader cache (./register.js) with every TypeScript source a process may load, so
// that no start has to load SWC: `node tools/ts-loader/warm.js [dir...]` (default: libs and
// services). The container images run it at build time; a developer never needs to.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const loader = require('./register');

const ROOT = path.resolve(__dirname, '..', '..');
const SKIP = /(\.spec\.ts|\.d\.ts)$/;

function* sources(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'fixtures' && !entry.name.startsWith('.')) yield* sources(p);
    } else if (entry.name.endsWith('.ts') && !SKIP.test(entry.name)) yield p;
  }
}

const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ['libs', 'services'];
let count = 0;
for (const dir of dirs) {
  const abs = path.resolve(ROOT, dir);
  if (!fs.existsSync(abs)) continue;
  for (const file of sources(abs)) {
    loader.warm(file);
    count++;
  }
}
process.stdout.write(`ts-loader: ${count} TypeScript files in ${path.relative(ROOT, loader.cacheDir) || loader.cacheDir}\n`);
