'use strict';
// Entry of a labelling pool thread (analysis-pool.ts). Plain JavaScript, like
// libs/imaging/src/hevc-decode.worker.js, so that it starts as it is in every runtime the
// sources run in: a worker thread has a module loader of its own, and neither the loader hook of
// the CLI and the servers (bin/*.js) nor Jest's transform reaches it. It registers the
// workspace's TypeScript loader (tools/ts-loader: SWC output cached on disk, path aliases) and
// runs analysis.worker.ts.
require('../../../../tools/ts-loader/register');
require('./analysis.worker.ts');
