// The labelling pool of this process (analysis/analysis-pool.ts), sized by configuration.
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import os from 'node:os';
import type { VegvisionConfig } from '@vegvision/config';
import { AnalysisPool } from './analysis';
import { CONFIG } from './tokens';

/**
 * The worker threads that decode, classify and measure colours for this process: started on the
 * first image (an api-only process never starts them), ended on shutdown, after the consumers
 * stopped (they stop in beforeApplicationShutdown, see jobs/worker-supervisor.ts). One thread
 * per core but one by default: the main thread has the event store, the bus, the read model and
 * HTTP to run (on 2 cores a second thread bought 5% on an import for 90 MB of RSS).
 */
@Injectable()
export class LabellingPool extends AnalysisPool implements OnApplicationShutdown {
  constructor(@Inject(CONFIG) config: VegvisionConfig) {
    super({ threads: config.classifier.labelThreads || Math.max(1, os.availableParallelism() - 1) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
