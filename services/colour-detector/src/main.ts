// The colour-detector service of the distributed mode: worker role "colour", with /healthz, /readyz and /metrics.
import 'reflect-metadata';
import { runService } from '@vegvision/http-api';

runService({ name: 'colour-detector', roles: ['colour'], api: false }).catch((error: unknown) => {
  process.stderr.write(`vegvision-colour-detector: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
