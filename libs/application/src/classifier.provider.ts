import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  ModelNotFoundError,
  defaultModelDir,
  defaultModelsDir,
  listModels,
  loadModelCard,
  verifyModel,
  type ModelInfo,
  type VerifiedModel,
} from '@vegvision/classifier';
import type { VegvisionConfig } from '@vegvision/config';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from './logger';
import { CONFIG, LOGGER } from './tokens';

/**
 * The model registry of this process: every model version in the models folder, the active
 * one (configuration), and the versions checked so far (each loaded and run once, then its
 * session released: the labelling pool's threads hold the sessions that label).
 */
@Injectable()
export class ClassifierProvider implements OnApplicationShutdown {
  private readonly loaded = new Map<string, Promise<VerifiedModel>>();
  private activeDir?: string;

  constructor(
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  modelsDir(): string {
    return this.config.classifier.modelsDir ?? defaultModelsDir();
  }

  activeModelDir(): string {
    this.activeDir ??= this.config.classifier.modelDir ?? defaultModelDir(this.modelsDir());
    return this.activeDir;
  }

  /** Every known model version (oldest first) and the active one. */
  async models(): Promise<{ active: string; models: ModelInfo[] }> {
    const models = await listModels(this.modelsDir()).catch(() => [] as ModelInfo[]);
    const activeDir = this.activeModelDir();
    let activeInfo = models.find((m) => m.dir === activeDir);
    if (!activeInfo) {
      const card = await loadModelCard(activeDir, { verifyChecksum: false });
      activeInfo = {
        version: card.version,
        dir: activeDir,
        sha256: card.sha256.toLowerCase(),
        architecture: card.architecture,
        classes: [...card.classes],
        metrics: card.metrics,
        createdAt: card.createdAt,
      };
      models.push(activeInfo);
    }
    return { active: activeInfo.version, models };
  }

  /**
   * A model version's human-readable card (model-card.md beside model-card.json), or null when the
   * version has none. @throws ModelNotFoundError for an unknown version.
   */
  async cardText(version: string): Promise<string | null> {
    const { models } = await this.models();
    const info = models.find((m) => m.version === version);
    if (!info) throw new ModelNotFoundError(`unknown model version "${version}"`, this.modelsDir());
    return readFile(join(info.dir, 'model-card.md'), 'utf8').catch(() => null);
  }

  /** The active model, checked once on first use. */
  get(): Promise<VerifiedModel> {
    return this.load(this.activeModelDir());
  }

  /** A model version from the models folder, checked once on first use. */
  async forVersion(version: string): Promise<VerifiedModel> {
    const { models } = await this.models();
    const info = models.find((m) => m.version === version);
    if (!info) {
      throw new ModelNotFoundError(
        `unknown model version "${version}" (known: ${models.map((m) => m.version).join(', ') || 'none'})`,
        this.modelsDir(),
      );
    }
    return this.load(info.dir);
  }

  private load(dir: string): Promise<VerifiedModel> {
    let p = this.loaded.get(dir);
    if (!p) {
      p = verifyModel(dir).then((m) => {
        this.log.info({ model: m.version, dir }, 'classifier model checked');
        return m;
      });
      this.loaded.set(dir, p);
      p.catch(() => this.loaded.delete(dir));
    }
    return p;
  }

  onApplicationShutdown(): void {
    this.loaded.clear();
  }
}
