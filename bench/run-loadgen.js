#!/usr/bin/env node
// The load generator of bench/api as its own process (see bench/api/loadgen.ts).
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
process.env.VV_LOADGEN_MAIN = '1';
require('@swc-node/register');
require('./api/loadgen.ts');
