// Stored originals as pixels. The classifier and colour roles of one process handle the same
// ImageUploaded nearly together: a small cache lets them share one decode of the original.
import { Inject, Injectable } from '@nestjs/common';
import type { RgbPixels } from '@vegvision/colour';
import type { VegvisionConfig } from '@vegvision/config';
import { decodeImage } from '@vegvision/imaging';
import type { ObjectStorage } from '@vegvision/storage';
import { Metrics } from './metrics';
import { CONFIG, OBJECT_STORAGE } from './tokens';

/** The labelling roles that may share a decode. */
export type LabellingRole = 'classifier' | 'colour';

interface SharedDecode {
  pixels: Promise<RgbPixels>;
  /** Roles of this process that have not taken the pixels yet. */
  waiting: Set<LabellingRole>;
  timer: NodeJS.Timeout;
}

/** At most this many decoded originals are held for a role that has not taken them yet. */
export const SHARED_DECODES_MAX = 8;
/** A role that skips an image (already labelled) never takes it: the entry goes after this long. */
export const SHARED_DECODE_TTL_MS = 10_000;

/** Reads and decodes a stored original (the bytes were validated when they were accepted). */
@Injectable()
export class Originals {
  private readonly shared = new Map<string, SharedDecode>();

  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    private readonly metrics: Metrics,
  ) {}

  async decode(objectKey: string): Promise<RgbPixels> {
    this.metrics.decodes.inc();
    return decodeImage(await this.storage.get(objectKey), {
      maxBytes: Number.MAX_SAFE_INTEGER,
      maxPixels: this.config.limits.maxPixels,
    });
  }

  /**
   * The pixels of an original for `role` (none: a replay). The first labelling role to ask
   * decodes; the other labelling roles of this process get the same pixels, and the entry is
   * dropped once all of them took it, after SHARED_DECODE_TTL_MS, or when it is the oldest of
   * SHARED_DECODES_MAX. A failed decode is not kept (a transient failure is retried afresh).
   */
  pixels(objectKey: string, role?: LabellingRole): Promise<RgbPixels> {
    const entry = this.shared.get(objectKey);
    if (entry) {
      if (role) entry.waiting.delete(role);
      if (entry.waiting.size === 0) this.drop(objectKey);
      return entry.pixels;
    }
    const others = new Set(this.labellingRoles().filter((r) => r !== role));
    if (!role || others.size === 0) return this.decode(objectKey);
    while (this.shared.size >= SHARED_DECODES_MAX) this.drop(this.shared.keys().next().value as string);
    const pixels = this.decode(objectKey);
    const timer = setTimeout(() => this.drop(objectKey), SHARED_DECODE_TTL_MS);
    timer.unref();
    const created: SharedDecode = { pixels, waiting: others, timer };
    this.shared.set(objectKey, created);
    pixels.catch(() => {
      if (this.shared.get(objectKey) === created) this.drop(objectKey);
    });
    return pixels;
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
