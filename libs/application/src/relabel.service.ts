// Relabel by replay: every recorded upload is replayed through a chosen model version and
// its label recorded as a new ImageClassified event (history kept). Idempotent and
// resumable by construction: one classification per (image, model version), so a re-run or
// a run resumed after a kill skips what is already recorded and appends nothing twice.
// An image that has no colours by the current colour algorithm yet (its ColourDetected was
// dead-lettered, say) gets them on the way: a relabel also repairs what the workers gave up on.
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ALGORITHM_VERSIONS } from '@vegvision/colour';
import { decodeEvent, isEvent } from '@vegvision/contracts';
import type { VegetableClassifier } from '@vegvision/classifier';
import type { EventStore } from '@vegvision/event-store';
import { randomUUID } from 'node:crypto';
import { Subject } from 'rxjs';
import { ClassifierProvider } from './classifier.provider';
import { ImageCommands, RecordClassificationCommand, RecordColoursCommand } from './image-commands';
import { EVENT_STORE } from './tokens';
import { Originals } from './workers';

export interface RelabelProgress {
  id: string;
  model: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  total: number;
  /** Images looked at so far (relabelled + skipped + failed). */
  done: number;
  relabelled: number;
  /** Already labelled by this model (earlier run or live upload). */
  skipped: number;
  failed: number;
  /** Images that had no colours by the current colour algorithm and got them in this run. */
  recoloured: number;
  startedAt: string;
  finishedAt?: string;
  error?: string;
}

export interface RelabelOptions {
  /** Pause between images, ms, so live uploads stay responsive (default 0: yield only). */
  throttleMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: RelabelProgress) => void;
}

export class RelabelAlreadyRunningError extends Error {
  readonly code = 'relabel_already_running';
  constructor(readonly running: RelabelProgress) {
    super(`a relabel to ${running.model} is already running (${running.done}/${running.total})`);
  }
}

@Injectable()
export class RelabelService {
  private readonly runs = new Map<string, RelabelProgress>();
  private current?: RelabelProgress;
  readonly progress$ = new Subject<RelabelProgress>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly originals: Originals,
    private readonly classifiers: ClassifierProvider,
    private readonly commands: ImageCommands,
    private readonly commandBus: CommandBus,
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
    const progress = this.newProgress(model);
    void this.execute(progress, options).catch(() => undefined);
    return progress;
  }

  /** Runs a relabel to completion. */
  async run(model: string, options: RelabelOptions = {}): Promise<RelabelProgress> {
    if (this.current?.state === 'running') throw new RelabelAlreadyRunningError(this.current);
    return this.execute(this.newProgress(model), options);
  }

  private newProgress(model: string): RelabelProgress {
    const progress: RelabelProgress = {
      id: randomUUID(),
      model,
      state: 'running',
      total: 0,
      done: 0,
      relabelled: 0,
      skipped: 0,
      failed: 0,
      recoloured: 0,
      startedAt: new Date().toISOString(),
    };
    this.runs.set(progress.id, progress);
    this.current = progress;
    return progress;
  }

  private emit(p: RelabelProgress, options: RelabelOptions): void {
    const copy = { ...p };
    options.onProgress?.(copy);
    this.progress$.next(copy);
  }

  private async execute(progress: RelabelProgress, options: RelabelOptions): Promise<RelabelProgress> {
    const correlationId = `relabel-${progress.id}`;
    try {
      const classifier = await this.classifiers.forVersion(progress.model);
      const images = await this.uploadedImages();
      progress.total = images.length;
      this.emit(progress, options);
      let lastEmit = 0;
      for (const { imageId, objectKey } of images) {
        if (options.signal?.aborted) {
          progress.state = 'cancelled';
          break;
        }
        try {
          const r = await this.replayOne(imageId, objectKey, classifier, correlationId);
          if (r.relabelled) progress.relabelled++;
          else progress.skipped++;
          if (r.recoloured) progress.recoloured++;
        } catch {
          progress.failed++;
        }
        progress.done++;
        if (Date.now() - lastEmit > 200 || progress.done === progress.total) {
          lastEmit = Date.now();
          this.emit(progress, options);
        }
        // Let live requests run between images.
        await new Promise((r) => (options.throttleMs ? setTimeout(r, options.throttleMs) : setImmediate(r)));
      }
      if (progress.state === 'running') progress.state = 'done';
    } catch (error) {
      progress.state = 'failed';
      progress.error = error instanceof Error ? error.message : String(error);
    }
    progress.finishedAt = new Date().toISOString();
    this.emit(progress, options);
    return progress;
  }

  /** Records what the model and the current colour algorithm have not recorded for the image yet. */
  private async replayOne(
    imageId: string,
    objectKey: string,
    classifier: VegetableClassifier,
    correlationId: string,
  ): Promise<{ relabelled: boolean; recoloured: boolean }> {
    const state = await this.commands.load(imageId);
    if (!state.exists) return { relabelled: false, recoloured: false }; // deleted since the list was read
    const needsLabel = !state.classifiedBy.has(classifier.version);
    const needsColours = !state.colouredBy.has(ALGORITHM_VERSIONS.correct);
    if (!needsLabel && !needsColours) return { relabelled: false, recoloured: false };
    const pixels = await this.originals.decodeUnlessDeleted(imageId, objectKey);
    if (!pixels) return { relabelled: false, recoloured: false };
    let recoloured = false;
    if (needsColours) {
      const result = await this.commandBus.execute(RecordColoursCommand.detect(imageId, pixels, { correlationId }));
      recoloured = result.events.length > 0;
    }
    if (!needsLabel) return { relabelled: false, recoloured };
    const c = await classifier.classify(pixels);
    const result = await this.commandBus.execute(
      new RecordClassificationCommand(
        imageId,
        { modelVersion: c.modelVersion, kind: c.kind, confidence: c.confidence, top: c.top },
        { correlationId },
      ),
    );
    return { relabelled: result.events.length > 0, recoloured };
  }
}
