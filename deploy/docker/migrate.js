#!/usr/bin/env node
// Runs deploy/docker/migrate.ts from source through SWC, like the services' bin scripts.
require('../../tools/ts-loader/register');
require('./migrate.ts');
