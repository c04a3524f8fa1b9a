// Relabel by replay: every recorded upload is replayed through a chosen model version and
// its label recorded as a new ImageClassified event (history kept). Idempotent and
// resumable by construction: one classification per (image, model version), so a re-run or
// a run resumed after a kill skips what is already recorded and appends nothing twice.
// An image that has no colours by the current colour algorithms yet (its ColourDetected was
// dead-lettered, say) gets them on the way: a relabel also repairs what the workers gave up on.
// Recolour by replay (`recolour`) is the same loop with another step: one ColourDetected per
// (image, colour algorithm version), e.g. the subject colour over a catalog recorded before it.
import { Inject, Injectable } from '@nestjs/common';
import { COLOUR_ALGORITHMS, variantOf, type ColourVariant } from '@vegvision/colour';
import { decodeEvent, isEvent } from '@vegvision/contracts';
import type { VerifiedModel } from '@vegvision/classifier';
import type { EventStore } from '@vegvision/event-store';
import { randomUUID } from 'node:crypto';
import { Subject } from 'rxjs';
import { ClassifierProvider } from './classifier.provider';
import { LIVE_COLOUR_VARIANTS } from './image-commands';
import { LabellingService } from './labelling.service';
import { LabellingPool } from './labelling-pool';
import { EVENT_STORE } from './tokens';

/** What every replay over the catalog (relabel, recolour) reports. */
export interface ReplayProgress {
  id: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  total: number;
  /** Images looked at so far (recorded + skipped + failed). */
  done: number;
  /** Already recorded by this version (earlier run or live upload). */
  skipped: number;
  failed: number;
  startedAt: string;
  finishedAt?: string;
  error?: string;
}

export interface RelabelProgress extends ReplayProgress {
  model: string;
  relabelled: number;
  /** Images that had no colours by the current colour algorithms and got them in this run. */
  recoloured: number;
}

export interface RecolourProgress extends ReplayProgress {
  /** The colour algorithm version recorded. */
  algorithm: string;
  recoloured: number;
}

export interface ReplayOptions<P extends ReplayProgress> {
  /** Pause between images, ms, so live uploads stay responsive (default 0: yield only). */
  throttleMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: P) => void;
}

export type RelabelOptions = ReplayOptions<RelabelProgress>;
export type RecolourOptions = ReplayOptions<RecolourProgress>;

export class RelabelAlreadyRunningError extends Error {
  readonly code = 'relabel_already_running';
  constructor(readonly running: RelabelProgress | RecolourProgress) {
    super(`${describe(running)} is already running (${running.done}/${running.total})`);
  }
}

/** Raised for a colour algorithm version that does not exist. */
export class UnknownColourAlgorithmError extends Error {
  readonly code = 'unknown_colour_algorithm';
  constructor(readonly algorithm: string) {
    super(`unknown colour algorithm ${JSON.stringify(algorithm)}; known: ${COLOUR_ALGORITHMS.join(', ')}`);
  }
}

function describe(p: RelabelProgress | RecolourProgress): string {
  return 'model' in p ? `a relabel to ${p.model}` : `a recolour to ${p.algorithm}`;
}

/** Images of an unthrottled replay under way at once, per thread of the labelling pool. */
const IMAGES_IN_FLIGHT_PER_THREAD = 4;

/** The replay step for one image: records what is missing and counts it on the progress. */
type ReplayStep<P> = (imageId: string, objectKey: string, progress: P, correlationId: string) => Promise<void>;

@Injectable()
export class RelabelService {
  private readonly runs = new Map<string, RelabelProgress>();
  private current?: RelabelProgress | RecolourProgress;
  readonly progress$ = new Subject<RelabelProgress>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly classifiers: ClassifierProvider,
    private readonly labelling: LabellingService,
    private readonly pool: LabellingPool,
  ) {}

  status(id: string): RelabelProgress | undefined {
    return this.runs.get(id);
  }

  list(): RelabelProgress[] {
    return [...this.runs.values()];
  }

  /** Ids of the images that exist (uploaded, not deleted since) with their object key, in log order of their upload. */
  async uploadedImages(): Promise<{ imageId: string; objectKey: string }[]> {
    const seen = new Map<string, string>();
    for await (const stored of this.store.readAll({ from: 'start' })) {
      if (stored.type !== 'ImageUploaded' && stored.type !== 'ImageDeleted') continue;
      const e = decodeEvent(stored);
      if (isEvent(e, 'ImageUploaded') && !seen.has(e.data.imageId)) seen.set(e.data.imageId, e.data.objectKey);
      if (isEvent(e, 'ImageDeleted')) seen.delete(e.data.imageId);
    }
    return [...seen].map(([imageId, objectKey]) => ({ imageId, objectKey }));
  }

  /** Starts a relabel in the background; returns its progress record at once. */
  async start(model: string, options: RelabelOptions = {}): Promise<RelabelProgress> {
    if (this.current?.state === 'running') throw new RelabelAlreadyRunningError(this.current);
    await this.classifiers.forVersion(model); // unknown versions fail now, not in the background
    const progress = this.newRelabel(model);
    void this.relabel(progress, options).catch(() => undefined);
    return progress;
  }

  /** Runs a relabel to completion. */
  async run(model: string, options: RelabelOptions = {}): Promise<RelabelProgress> {
    if (this.current?.state === 'running') throw new RelabelAlreadyRunningError(this.current);
    return this.relabel(this.newRelabel(model), options);
  }

  /**
   * Runs a recolour to completion: every existing image gets a ColourDetected by `algorithm`
   * (a version of ALGORITHM_VERSIONS) unless it has one. Resumable and idempotent like a relabel.
   */
  async recolour(algorithm: string, options: RecolourOptions = {}): Promise<RecolourProgress> {
    const variant = variantOf(algorithm);
    if (!variant) throw new UnknownColourAlgorithmError(algorithm);
    if (this.current?.state === 'running') throw new RelabelAlreadyRunningError(this.current);
    const progress: RecolourProgress = { ...this.newRun(), algorithm, recoloured: 0 };
    this.current = progress;
    return this.execute(progress, options, (imageId, objectKey, p, correlationId) =>
      this.recolourOne(imageId, objectKey, variant, p, correlationId),
    );
  }

  private newRun(): ReplayProgress {
    return { id: randomUUID(), state: 'running', total: 0, done: 0, skipped: 0, failed: 0, startedAt: new Date().toISOString() };
  }

  private newRelabel(model: string): RelabelProgress {
    const progress: RelabelProgress = { ...this.newRun(), model, relabelled: 0, recoloured: 0 };
    this.runs.set(progress.id, progress);
    this.current = progress;
    return progress;
  }

  private emit<P extends ReplayProgress>(p: P, options: ReplayOptions<P>): void {
    const copy = { ...p };
    options.onProgress?.(copy);
    if ('model' in copy) this.progress$.next(copy as unknown as RelabelProgress);
  }

  private async relabel(progress: RelabelProgress, options: RelabelOptions): Promise<RelabelProgress> {
    let classifier: VerifiedModel;
    try {
      classifier = await this.classifiers.forVersion(progress.model);
    } catch (error) {
      return this.finish(progress, options, error);
    }
    return this.execute(progress, options, (imageId, objectKey, p, correlationId) =>
      this.replayOne(imageId, objectKey, classifier, p, correlationId),
    );
  }

  private finish<P extends ReplayProgress>(progress: P, options: ReplayOptions<P>, error: unknown): P {
    progress.state = 'failed';
    progress.error = error instanceof Error ? error.message : String(error);
    progress.finishedAt = new Date().toISOString();
    this.emit(progress, options);
    return progress;
  }

  /** The one replay loop: every existing image through `step`, started in upload order. */
  private async execute<P extends ReplayProgress>(progress: P, options: ReplayOptions<P>, step: ReplayStep<P>): Promise<P> {
    const correlationId = `${'model' in progress ? 'relabel' : 'recolour'}-${progress.id}`;
    try {
      const images = await this.uploadedImages();
      progress.total = images.length;
      this.emit(progress, options);
      let lastEmit = 0;
      // Unthrottled, several images are under way at once so that every thread of the labelling
      // pool has work (and a backlog to batch); throttled, one at a time with the pause between.
      const window = options.throttleMs ? 1 : this.pool.threads * IMAGES_IN_FLIGHT_PER_THREAD;
      const inFlight = new Set<Promise<void>>();
      for (const { imageId, objectKey } of images) {
        if (options.signal?.aborted) {
          progress.state = 'cancelled';
          break;
        }
        const one: Promise<void> = step(imageId, objectKey, progress, correlationId)
          .catch(() => {
            progress.failed++;
          })
          .then(() => {
            inFlight.delete(one);
            progress.done++;
            if (Date.now() - lastEmit > 200 || progress.done === progress.total) {
              lastEmit = Date.now();
              this.emit(progress, options);
            }
          });
        inFlight.add(one);
        if (inFlight.size >= window) await Promise.race(inFlight);
        // Let live requests run between images.
        await new Promise((r) => (options.throttleMs ? setTimeout(r, options.throttleMs) : setImmediate(r)));
      }
      await Promise.all(inFlight);
      if (progress.state === 'running') progress.state = 'done';
    } catch (error) {
      progress.state = 'failed';
      progress.error = error instanceof Error ? error.message : String(error);
    }
    progress.finishedAt = new Date().toISOString();
    this.emit(progress, options);
    return progress;
  }

  /** Records the colours of one image by one algorithm unless they are recorded. */
  private async recolourOne(imageId: string, objectKey: string, variant: ColourVariant, progress: RecolourProgress, correlationId: string): Promise<void> {
    const { outcome } = await this.labelling.colourOne(imageId, objectKey, [variant], { correlationId });
    if (outcome === 'recorded') progress.recoloured++;
    else progress.skipped++;
  }

  /** Records what the model and the current colour algorithms have not recorded for the image yet. */
  private async replayOne(
    imageId: string,
    objectKey: string,
    classifier: VerifiedModel,
    progress: RelabelProgress,
    correlationId: string,
  ): Promise<void> {
    // One analysis for both, so an image missing both is decoded once; colours recorded first, then the label.
    const { colours, label } = await this.labelling.labelOne(imageId, objectKey, { classifier, variants: LIVE_COLOUR_VARIANTS }, { correlationId });
    if (label === 'recorded') progress.relabelled++;
    else progress.skipped++;
    if (colours.outcome === 'recorded') progress.recoloured++;
  }
}
