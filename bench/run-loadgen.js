#!/usr/bin/env node
// The load generator of bench/api as its own process (see bench/api/loadgen.ts).
process.env.VV_LOADGEN_MAIN = '1';
require('../tools/ts-loader/register');
require('./api/loadgen.ts');
