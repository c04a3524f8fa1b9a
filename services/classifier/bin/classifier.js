#!/usr/bin/env node
// Runs the classifier service from its TypeScript sources (tools/ts-loader: SWC with NestJS's decorator metadata, cached on disk).
require('../../../tools/ts-loader/register');
require('../src/main.ts');
