// The classifier service of the distributed mode: worker role "classifier", with /healthz, /readyz and /metrics.
import 'reflect-metadata';
import { runService } from '@vegvision/http-api';

runService({ name: 'classifier', roles: ['classifier'], api: false }).catch((error: unknown) => {
  process.stderr.write(`vegvision-classifier: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
