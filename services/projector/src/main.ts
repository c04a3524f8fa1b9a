// The projector service of the distributed mode: worker role "projector", with /healthz, /readyz and /metrics.
import 'reflect-metadata';
import { runService } from '@vegvision/http-api';

runService({ name: 'projector', roles: ['projector'], api: false }).catch((error: unknown) => {
  process.stderr.write(`vegvision-projector: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
