#!/usr/bin/env node
// Image build helper (deps stage only): the services run their TypeScript sources through
// tools/ts-loader, which compiles them with SWC (@swc-node/core, @swc/core: devDependencies of
// the root package.json). This moves those packages into "dependencies" of the package.json
// copy inside the build stage, at the exact versions package-lock.json pins, so that
// `npm ci --omit=dev` installs them
// (and nothing else from the dev tooling). The repository's package.json is never changed.
const fs = require('node:fs');

const LOADER = ['@swc-node/core', '@swc/core', '@swc/helpers'];
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));

for (const name of LOADER) {
  const locked = lock.packages?.[`node_modules/${name}`]?.version;
  if (!locked) throw new Error(`${name} is not in package-lock.json: the image cannot run the TypeScript sources`);
  const spec = pkg.devDependencies?.[name] ?? pkg.dependencies?.[name];
  if (!spec) throw new Error(`${name} is not declared in package.json`);
  if (pkg.devDependencies) delete pkg.devDependencies[name];
  pkg.dependencies = { ...pkg.dependencies, [name]: spec };
  process.stdout.write(`runtime dependency: ${name}@${locked}\n`);
}
fs.writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n');
