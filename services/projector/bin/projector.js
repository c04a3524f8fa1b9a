#!/usr/bin/env node
// Runs the projector service from its TypeScript sources (SWC keeps NestJS decorator metadata).
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', '..', '..', 'tsconfig.json');
require('@swc-node/register');
require('../src/main.ts');
