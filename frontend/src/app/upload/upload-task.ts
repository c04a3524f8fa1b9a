// One file's journey: upload with progress, then live labels from server-sent events.
import { computed, signal } from '@angular/core';
import type { ImageDetail, KindScore, LiveEvent, PaletteShare } from '../core/api.types';

export type UploadPhase = 'uploading' | 'processing' | 'done' | 'error' | 'cancelled';

export interface ClassificationResult {
  kind: string;
  confidence: number;
  top: KindScore[];
  modelVersion: string;
}

export interface ColourResult {
  rgbHex: string;
  rybHex: string;
  rgbShares: PaletteShare[];
  rybShares: PaletteShare[];
}

let nextId = 0;

export class UploadTask {
  readonly id = ++nextId;
  readonly phase = signal<UploadPhase>('uploading');
  /** 0..100 */
  readonly progress = signal(0);
  readonly imageId = signal<string | null>(null);
  readonly duplicate = signal(false);
  readonly classification = signal<ClassificationResult | null>(null);
  readonly colours = signal<ColourResult | null>(null);
  readonly error = signal<unknown>(null);
  readonly complete = computed(() => this.classification() !== null && this.colours() !== null);

  constructor(
    readonly name: string,
    readonly size: number,
    /** Object URL of a local preview, or null when the file is not an image the browser shows. */
    readonly previewUrl: string | null,
    /** The file itself, kept so that a failed or cancelled upload can be sent again. */
    readonly file: File | null = null,
  ) {}

  /** The upload was aborted by the person (the request is unsubscribed by the caller). */
  cancelled(): void {
    if (this.phase() !== 'uploading') return;
    this.progress.set(0);
    this.phase.set('cancelled');
  }

  /** Back to the start, for another try of the same file. */
  restart(): void {
    this.phase.set('uploading');
    this.progress.set(0);
    this.imageId.set(null);
    this.duplicate.set(false);
    this.classification.set(null);
    this.colours.set(null);
    this.error.set(null);
  }

  accepted(imageId: string, duplicate: boolean): void {
    this.imageId.set(imageId);
    this.duplicate.set(duplicate);
    this.progress.set(100);
    this.phase.set('processing');
  }

  failed(error: unknown): void {
    this.error.set(error);
    this.phase.set('error');
  }

  /** Applies an event of this image; returns true once both labels are known. */
  applyEvent(event: LiveEvent): boolean {
    if (event.data.imageId !== this.imageId()) return this.settle();
    if (event.type === 'ImageClassified') {
      const d = event.data;
      this.classification.set({ kind: d.kind, confidence: d.confidence, top: d.top ?? [], modelVersion: d.modelVersion });
    } else if (event.type === 'ColourDetected') {
      const d = event.data;
      this.colours.set({ rgbHex: d.rgbHex, rybHex: d.rybHex, rgbShares: d.rgbShares ?? [], rybShares: d.rybShares ?? [] });
    }
    return this.settle();
  }

  /** Applies the current state fetched from the API (catch-up after the stream opened). */
  applyImage(image: ImageDetail): boolean {
    if (image.kind && image.confidence !== null && !this.classification()) {
      this.classification.set({ kind: image.kind, confidence: image.confidence, top: image.top, modelVersion: image.modelVersion ?? '' });
    }
    if (image.rgbHex && image.rybHex && !this.colours()) {
      this.colours.set({ rgbHex: image.rgbHex, rybHex: image.rybHex, rgbShares: image.rgbShares, rybShares: image.rybShares });
    }
    return this.settle();
  }

  private settle(): boolean {
    if (this.complete() && this.phase() === 'processing') this.phase.set('done');
    return this.complete();
  }
}
