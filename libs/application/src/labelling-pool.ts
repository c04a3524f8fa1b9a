// The labelling pool of this process (analysis/analysis-pool.ts), sized by configuration.
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { VegvisionConfig } from '@vegvision/config';
import { AnalysisPool } from './analysis';
import { CONFIG } from './tokens';

/**
 * The worker threads that decode, classify and measure colours for this process: started on the
 * first image (an api-only process never starts them), ended on shutdown, after the consumers
 * stopped (they stop in beforeApplicationShutdown, see jobs/worker-supervisor.ts).
 */
@Injectable()
export class LabellingPool extends AnalysisPool implements OnApplicationShutdown {
  constructor(@Inject(CONFIG) config: VegvisionConfig) {
    super({ threads: config.classifier.labelThreads || undefined });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
