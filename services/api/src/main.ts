// The api service of the distributed mode: HTTP API and command side (uploads, browse, SSE).
import 'reflect-metadata';
import { runService } from '@vegvision/http-api';

runService({ name: 'api', roles: ['api'], api: true }).catch((error: unknown) => {
  process.stderr.write(`vegvision-api: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
