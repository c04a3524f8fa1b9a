#!/usr/bin/env node
// Entry point of the `vegvision` CLI: runs the TypeScript sources through SWC (keeps the
// decorator metadata NestJS needs) with the workspace's path aliases; tools/ts-loader keeps
// the output on disk, so a start loads neither SWC nor the TypeScript compiler.
require('../../../tools/ts-loader/register');
require('../src/main.ts');
