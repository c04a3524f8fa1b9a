// Stored originals, analysed: read from object storage here (I/O), decoded, classified and
// measured in the labelling pool's threads. The classifier and colour roles of one process
// handle the same ImageUploaded nearly together: the first to ask has the image analysed for
// both (one decode), and the other takes its part of that analysis.
import { Inject, Injectable } from '@nestjs/common';
import type { VerifiedModel } from '@vegvision/classifier';
import type { ColourVariant } from '@vegvision/colour';
import type { VegvisionConfig } from '@vegvision/config';
import { ImageError } from '@vegvision/imaging';
import { ObjectNotFoundError, type ObjectStorage } from '@vegvision/storage';
import type { Analysis } from './analysis';
import { ClassifierProvider } from './classifier.provider';
import { LIVE_COLOUR_VARIANTS } from './image-commands';
import { LabellingPool } from './labelling-pool';
import { Metrics } from './metrics';
import { CONFIG, OBJECT_STORAGE } from './tokens';

/** The labelling roles that may share an analysis. */
export type LabellingRole = 'classifier' | 'colour';

/** What to find out about one image. */
export interface AnalysisNeeds {
  /** Classify with this model. */
  classifier?: VerifiedModel;
  /** Measure the colours by these variants. */
  colours?: readonly ColourVariant[];
  /** A live upload's: ahead of the backlog in the labelling pool. */
  urgent?: boolean;
}

interface SharedAnalysis {
  analysis: Promise<Analysis>;
  /** Roles of this process that have not taken their part yet. */
  waiting: Set<LabellingRole>;
  timer: NodeJS.Timeout;
}

/** At most this many analyses are held for a role that has not taken its part yet. */
export const SHARED_ANALYSES_MAX = 64;
/** A role that skips an image (already labelled) never takes its part: the entry goes after this long. */
export const SHARED_ANALYSIS_TTL_MS = 10_000;

/** A failure of the image itself (gone, undecodable): the same for every part asked of it. */
function ofTheImage(error: unknown): boolean {
  return error instanceof ImageError || error instanceof ObjectNotFoundError;
}

/** Whether `analysis` holds all that `needs` asks. */
function covers(analysis: Analysis, needs: AnalysisNeeds): boolean {
  if (needs.classifier && analysis.classification?.modelVersion !== needs.classifier.version) return false;
  return (needs.colours ?? []).every((v) => analysis.colours[v] !== undefined);
}

/** Reads stored originals and has them analysed (the bytes were validated when they were accepted). */
@Injectable()
export class Originals {
  private readonly shared = new Map<string, SharedAnalysis>();

  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    private readonly metrics: Metrics,
    private readonly pool: LabellingPool,
    private readonly classifiers: ClassifierProvider,
  ) {}

  /** One decode of the original in the pool, and what `needs` asks of it. */
  async analyse(objectKey: string, needs: AnalysisNeeds): Promise<Analysis> {
    const bytes = await this.storage.get(objectKey);
    this.metrics.decodes.inc();
    return this.pool.analyse({
      bytes,
      limits: { maxBytes: Number.MAX_SAFE_INTEGER, maxPixels: this.config.limits.maxPixels },
      modelDir: needs.classifier?.dir,
      colours: needs.colours,
      urgent: needs.urgent,
    });
  }

  /**
   * What `needs` asks of an original, for `role` (none: a replay). The first labelling role to
   * ask has the image analysed for every labelling role of this process (the classifier role:
   * the active model; the colour role: the live colour variants); the others take their part of
   * it. An entry is dropped once every role took its part, after SHARED_ANALYSIS_TTL_MS, or when
   * it is the oldest of SHARED_ANALYSES_MAX. A failure of the image (gone, undecodable) fails every
   * role that takes it; any other failure sends each role to ask for its own part alone. A
   * failed analysis is not kept (a transient failure is retried afresh); a shared one that lacks a part asked for (another model) is not used.
   */
  async analysis(objectKey: string, needs: AnalysisNeeds, role?: LabellingRole): Promise<Analysis> {
    const entry = this.shared.get(objectKey);
    if (entry && role && entry.waiting.has(role)) {
      entry.waiting.delete(role);
      if (entry.waiting.size === 0) this.drop(objectKey);
      let shared: Analysis | undefined;
      try {
        shared = await entry.analysis;
      } catch (error) {
        if (ofTheImage(error)) throw error;
      }
      return shared && covers(shared, needs) ? shared : this.analyse(objectKey, needs);
    }
    const others = this.labellingRoles().filter((r) => r !== role);
    if (!role || others.length === 0) return this.analyse(objectKey, needs);
    while (this.shared.size >= SHARED_ANALYSES_MAX) this.drop(this.shared.keys().next().value as string);
    const analysis = this.widen(needs, others).then((all) => this.analyse(objectKey, all));
    const timer = setTimeout(() => this.drop(objectKey), SHARED_ANALYSIS_TTL_MS);
    timer.unref();
    const created: SharedAnalysis = { analysis, waiting: new Set(others), timer };
    this.shared.set(objectKey, created);
    analysis.catch(() => {
      if (this.shared.get(objectKey) === created) this.drop(objectKey);
    });
    // What failed may be a part asked for another role (its model does not load, say): that
    // must not fail this role, which then asks for its own part alone.
    return analysis.catch((error: unknown) => {
      if (ofTheImage(error)) throw error;
      return this.analyse(objectKey, needs);
    });
  }

  /** `needs` with what the `others` roles will ask. */
  private async widen(needs: AnalysisNeeds, others: LabellingRole[]): Promise<AnalysisNeeds> {
    const colours = new Set(needs.colours ?? []);
    if (others.includes('colour')) for (const v of LIVE_COLOUR_VARIANTS) colours.add(v);
    const classifier = needs.classifier ?? (others.includes('classifier') ? await this.classifiers.get().catch(() => undefined) : undefined);
    return { classifier, colours: [...colours], urgent: needs.urgent };
  }

  private labellingRoles(): LabellingRole[] {
    return (['classifier', 'colour'] as const).filter((r) => this.config.roles.includes(r));
  }

  private drop(objectKey: string): void {
    const entry = this.shared.get(objectKey);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.shared.delete(objectKey);
  }
}
