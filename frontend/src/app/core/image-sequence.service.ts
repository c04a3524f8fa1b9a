// The list of images a person came to an image page from (a browse grid, the review queue), so
// the image page can offer previous / next and a way back to that list.
import { Injectable, signal } from '@angular/core';

export type SequenceOrigin = 'browse' | 'review';

export interface ImageSequence {
  origin: SequenceOrigin;
  ids: readonly string[];
  /** Where "back" goes: the list's URL, with its filters. */
  backUrl: string;
}

export interface Neighbours {
  origin: SequenceOrigin;
  backUrl: string;
  previous: string | null;
  next: string | null;
  /** 1-based position of the image in the list. */
  position: number;
  total: number;
}

@Injectable({ providedIn: 'root' })
export class ImageSequenceService {
  private readonly current = signal<ImageSequence | null>(null);
  readonly sequence = this.current.asReadonly();

  set(origin: SequenceOrigin, ids: readonly string[], backUrl: string): void {
    this.current.set({ origin, ids: [...ids], backUrl });
  }

  /** The image's place in the list it was opened from, or null when it is not in it. */
  neighbours(id: string): Neighbours | null {
    const s = this.current();
    const i = s ? s.ids.indexOf(id) : -1;
    if (!s || i < 0) return null;
    return {
      origin: s.origin,
      backUrl: s.backUrl,
      previous: i > 0 ? s.ids[i - 1] : null,
      next: i < s.ids.length - 1 ? s.ids[i + 1] : null,
      position: i + 1,
      total: s.ids.length,
    };
  }

  /** Drops an image (deleted, or corrected out of the review queue); the others keep their order. */
  remove(id: string): void {
    const s = this.current();
    if (s && s.ids.includes(id)) this.current.set({ ...s, ids: s.ids.filter((x) => x !== id) });
  }
}
