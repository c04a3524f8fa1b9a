#!/usr/bin/env node
// Runs bench/run.ts through SWC with the workspace's path aliases (like the vegvision CLI).
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
require('./run.ts');
