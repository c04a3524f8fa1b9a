export interface ImageLimits {
  /** Largest accepted file, in bytes. Default 25 MiB. */
  readonly maxBytes: number;
  /** Largest accepted width × height, in pixels. Default 40 megapixels. */
  readonly maxPixels: number;
  /** Largest accepted width or height, in pixels. Default 12,000. */
  readonly maxSide: number;
  /**
   * How strictly sharp treats damaged pixel data: 'truncated' rejects
   * truncated files, 'error' (default) also rejects data libjpeg/libspng/libwebp
   * report as errors, 'warning' rejects even benign warnings.
   */
  readonly failOn: 'truncated' | 'error' | 'warning';
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = Object.freeze({
  maxBytes: 25 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxSide: 12_000,
  failOn: 'error',
});

export function resolveImageLimits(limits?: Partial<ImageLimits>): ImageLimits {
  const resolved: ImageLimits = { ...DEFAULT_IMAGE_LIMITS, ...stripUndefined(limits ?? {}) };
  for (const key of ['maxBytes', 'maxPixels', 'maxSide'] as const) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`Image limit ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  return resolved;
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
