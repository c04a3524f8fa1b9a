#!/usr/bin/env node
// Runs deploy/docker/migrate.ts from source through SWC, like the services' bin scripts.
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', '..', 'tsconfig.json');
require('@swc-node/register');
require('./migrate.ts');
