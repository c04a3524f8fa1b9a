#!/usr/bin/env node
// Entry point of the `vegvision` CLI: runs the TypeScript sources through SWC (keeps the
// decorator metadata NestJS needs) with the workspace's path aliases.
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', '..', '..', 'tsconfig.json');
require('@swc-node/register');
require('../src/main.ts');
