import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { VegetableClassifier, defaultModelDir } from '@vegvision/classifier';
import type { VegvisionConfig } from '@vegvision/config';
import type { Logger } from './logger';
import { CONFIG, LOGGER } from './tokens';

/** The active classifier model: loaded once (one ONNX session) on first use and reused. */
@Injectable()
export class ClassifierProvider implements OnApplicationShutdown {
  private loading?: Promise<VegetableClassifier>;

  constructor(
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  get(): Promise<VegetableClassifier> {
    if (!this.loading) {
      const dir = this.config.classifier.modelDir ?? defaultModelDir();
      const threads = this.config.classifier.threads || undefined;
      this.loading = VegetableClassifier.load(dir, { intraOpNumThreads: threads }).then((c) => {
        this.log.info({ model: c.version, dir }, 'classifier model loaded');
        return c;
      });
      this.loading.catch(() => (this.loading = undefined));
    }
    return this.loading;
  }

  async onApplicationShutdown(): Promise<void> {
    const c = await this.loading?.catch(() => undefined);
    await c?.close();
  }
}
