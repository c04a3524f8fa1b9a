#!/usr/bin/env node
// Runs bench/run.ts through SWC with the workspace's path aliases (like the vegvision CLI).
require('../tools/ts-loader/register');
require('./run.ts');
