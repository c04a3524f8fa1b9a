// The relay service of the distributed mode: worker role "relay", with /healthz, /readyz and /metrics.
import 'reflect-metadata';
import { runService } from '@vegvision/http-api';

runService({ name: 'relay', roles: ['relay'], api: false }).catch((error: unknown) => {
  process.stderr.write(`vegvision-relay: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
