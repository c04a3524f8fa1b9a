'use strict';
// Entry of a labelling pool thread (analysis-pool.ts). Plain JavaScript, like
// libs/imaging/src/hevc-decode.worker.js, so that it starts as it is in every runtime the
// sources run in: a worker thread has a module loader of its own, and neither the SWC hook of
// the CLI and the servers (bin/*.js) nor Jest's transform reaches it. It registers the same SWC
// loader with the workspace's tsconfig.json (path aliases) and runs analysis.worker.ts.
const path = require('node:path');

process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', '..', '..', '..', 'tsconfig.json');
require('@swc-node/register');
require('./analysis.worker.ts');
