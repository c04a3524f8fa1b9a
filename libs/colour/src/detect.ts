import { PALETTES } from './palettes';
import { fullStrengthHues } from './subject-hue';
import { subjectPixels } from './subject-mask';
import { oklabVote } from './subject-oklab';

/** Interleaved 8-bit RGB pixels, row-major (3 bytes per pixel). A `Buffer` works too. */
export interface RgbPixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** If given, must be 3. */
  readonly channels?: number;
}

/**
 * 'correct': the whole photo. 'legacy-uint8-wraparound': the whole photo with the original
 * system's uint8 arithmetic (seed-compatible). 'subject' (what the catalog shows as the
 * vegetable's colour): the vegetable's pixels only (subject-mask.ts), each taken at its hue's
 * full strength (subject-hue.ts), named by the palette colour most of them are nearest to in
 * OKLab (subject-oklab.ts). The earlier subject versions stay so that their recorded results can
 * be replayed and compared: 'subject-hue' (the same pixels, smallest mean sRGB distance) and
 * 'subject-border' (the vegetable's pixels as they are, smallest mean sRGB distance).
 */
export type ColourVariant = 'correct' | 'legacy-uint8-wraparound' | 'subject' | 'subject-hue' | 'subject-border';

export const ALGORITHM_VERSIONS = Object.freeze({
  correct: 'mean-euclidean-v1',
  'legacy-uint8-wraparound': 'legacy-uint8-wraparound-v1',
  subject: 'subject-oklab-v3',
  'subject-hue': 'subject-hue-v2',
  'subject-border': 'subject-border-v1',
} as const);

/** Every colour algorithm version, e.g. for validating `recolour --algorithm`. */
export const COLOUR_ALGORITHMS: readonly AlgorithmVersion[] = Object.freeze(Object.values(ALGORITHM_VERSIONS));

/** The variant that computes an algorithm version, or undefined for an unknown version. */
export function variantOf(algorithmVersion: string): ColourVariant | undefined {
  return (Object.keys(ALGORITHM_VERSIONS) as ColourVariant[]).find((v) => ALGORITHM_VERSIONS[v] === algorithmVersion);
}

export type AlgorithmVersion = (typeof ALGORITHM_VERSIONS)[ColourVariant];

export interface DetectColoursOptions {
  /** 'correct' (default): real Euclidean distance over the whole photo. 'legacy-uint8-wraparound': the original system's uint8 arithmetic. 'subject': the vegetable's pixels at their hue's full strength, the largest OKLab share. 'subject-hue': the same pixels, smallest mean sRGB distance. 'subject-border': the vegetable's pixels as they are. */
  readonly variant?: ColourVariant;
}

export interface PaletteResult {
  /** Dominant colour: smallest mean distance (subject-oklab-v3: largest share), ties to the colour listed first. Upper-case `#RRGGBB`. */
  readonly hex: string;
  /** Mean distance from the pixels to each palette colour, in palette order (12 numbers; sRGB units, subject-oklab-v3: OKLab ×100). */
  readonly meanDistances: number[];
}

export interface ColourShare {
  readonly hex: string;
  /** Fraction of pixels whose nearest palette colour (real Euclidean in sRGB, subject-oklab-v3 in OKLab; ties to first) is `hex`. Shares sum to 1. */
  readonly share: number;
}

export interface ColourDetection {
  readonly algorithmVersion: AlgorithmVersion;
  readonly rgb: PaletteResult;
  readonly ryb: PaletteResult;
  /** Always computed with correct arithmetic, whatever the variant. Palette order. */
  readonly rgbShares: ColourShare[];
  readonly rybShares: ColourShare[];
}

/** Raised for pixel buffers whose size does not match width × height × 3, or bad options. */
export class InvalidPixelsError extends Error {
  readonly code = 'invalid_pixels' as const;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidPixelsError';
  }
}

// ---------------------------------------------------------------------------
// Precomputed tables. Colours 0–11 are the RGB palette, 12–23 the RYB palette.
// For colour k and channel value v, table[k * 256 + v] is that channel's
// contribution to the squared distance, so a distance costs 3 lookups + 2 adds.
// ---------------------------------------------------------------------------

// Bound once at module level: inside a vm context (Jest) every lookup of a global such as `Math`
// goes through the context's interceptor and is not inlined, which made the hot loop ~100× slower.
const sqrt = Math.sqrt;

const PALETTE_SIZE = 12;
const COLOURS = [...PALETTES.RGB.colours, ...PALETTES.RYB.colours];
const K = COLOURS.length;

function channelTable(channel: 0 | 1 | 2, legacy: boolean): Int32Array {
  const table = new Int32Array(K * 256);
  for (let k = 0; k < K; k++) {
    const c = COLOURS[k].rgb[channel];
    for (let v = 0; v < 256; v++) {
      const d = v - c;
      if (legacy) {
        // NumPy uint8: (p - c) wraps mod 256, then the square wraps mod 256.
        const wrapped = ((d % 256) + 256) % 256;
        table[k * 256 + v] = (wrapped * wrapped) % 256;
      } else {
        table[k * 256 + v] = d * d;
      }
    }
  }
  return table;
}

const SQ_R = channelTable(0, false);
const SQ_G = channelTable(1, false);
const SQ_B = channelTable(2, false);
const WRAP_R = channelTable(0, true);
const WRAP_G = channelTable(1, true);
const WRAP_B = channelTable(2, true);

/** A legacy squared distance is a sum of three values < 256, so at most 765. */
const LEGACY_BINS = 766;
const LEGACY_SQRT = new Float64Array(LEGACY_BINS);
for (let t = 0; t < LEGACY_BINS; t++) LEGACY_SQRT[t] = sqrt(t);

// ---------------------------------------------------------------------------
// Deduplication: pixels are packed into 24-bit ints and radix-sorted (two
// 12-bit counting passes), then run-length encoded. Distances are computed once
// per distinct colour and weighted by its count. Large images are processed in
// chunks so the scratch memory stays bounded (2 × 1 MiB).
// ---------------------------------------------------------------------------

const CHUNK_PIXELS = 1 << 18;
const RADIX_BUCKETS = 1 << 12;
let scratchA: Uint32Array | undefined;
let scratchB: Uint32Array | undefined;
const bucketStarts = new Uint32Array(RADIX_BUCKETS);

/**
 * Sorts and deduplicates pixels [start, start + count) of `data`.
 * On return, a[0..u) holds the distinct packed colours (ascending) and b[0..u) their counts; returns u.
 */
function dedupe(data: Uint8Array, start: number, count: number, a: Uint32Array, b: Uint32Array): number {
  for (let j = 0, i = start * 3; j < count; j++, i += 3) {
    a[j] = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
  }
  // Pass 1: low 12 bits, a → b.
  bucketStarts.fill(0);
  for (let j = 0; j < count; j++) bucketStarts[a[j] & 0xfff]++;
  let sum = 0;
  for (let q = 0; q < RADIX_BUCKETS; q++) {
    const c = bucketStarts[q];
    bucketStarts[q] = sum;
    sum += c;
  }
  for (let j = 0; j < count; j++) {
    const v = a[j];
    b[bucketStarts[v & 0xfff]++] = v;
  }
  // Pass 2: high 12 bits, b → a (stable, so the result is fully sorted).
  bucketStarts.fill(0);
  for (let j = 0; j < count; j++) bucketStarts[b[j] >>> 12]++;
  sum = 0;
  for (let q = 0; q < RADIX_BUCKETS; q++) {
    const c = bucketStarts[q];
    bucketStarts[q] = sum;
    sum += c;
  }
  for (let j = 0; j < count; j++) {
    const v = b[j];
    a[bucketStarts[v >>> 12]++] = v;
  }
  // Run-length encode in place (the write index never passes the read index).
  let u = 0;
  for (let j = 0; j < count; ) {
    const v = a[j];
    let e = j + 1;
    while (e < count && a[e] === v) e++;
    a[u] = v;
    b[u] = e - j;
    u++;
    j = e;
  }
  return u;
}

/** Correct variant: accumulates count × sqrt(d²) per colour and nearest-colour counts. */
function accumulateCorrect(values: Uint32Array, counts: Uint32Array, u: number, sums: Float64Array, nearest: Float64Array): void {
  for (let q = 0; q < u; q++) {
    const v = values[q];
    const c = counts[q];
    const r = v >>> 16;
    const g = (v >>> 8) & 0xff;
    const b = v & 0xff;
    for (let p = 0; p < K; p += PALETTE_SIZE) {
      let best = 0x7fffffff;
      let bestK = p;
      for (let k = p, o = p * 256; k < p + PALETTE_SIZE; k++, o += 256) {
        const d2 = SQ_R[o + r] + SQ_G[o + g] + SQ_B[o + b];
        sums[k] += c * sqrt(d2);
        if (d2 < best) {
          best = d2;
          bestK = k;
        }
      }
      nearest[bestK] += c;
    }
  }
}

/** Legacy variant: histograms the wrapped squared distance (0–765) per colour; nearest uses correct arithmetic. */
function accumulateLegacy(values: Uint32Array, counts: Uint32Array, u: number, hist: Uint32Array, nearest: Float64Array): void {
  for (let q = 0; q < u; q++) {
    const v = values[q];
    const c = counts[q];
    const r = v >>> 16;
    const g = (v >>> 8) & 0xff;
    const b = v & 0xff;
    for (let p = 0; p < K; p += PALETTE_SIZE) {
      let best = 0x7fffffff;
      let bestK = p;
      for (let k = p, o = p * 256; k < p + PALETTE_SIZE; k++, o += 256) {
        hist[k * LEGACY_BINS + WRAP_R[o + r] + WRAP_G[o + g] + WRAP_B[o + b]] += c;
        const d2 = SQ_R[o + r] + SQ_G[o + g] + SQ_B[o + b];
        if (d2 < best) {
          best = d2;
          bestK = k;
        }
      }
      nearest[bestK] += c;
    }
  }
}

function validate(pixels: RgbPixels): number {
  if (pixels === null || typeof pixels !== 'object') throw new InvalidPixelsError('Pixels must be an object');
  const { data, width, height, channels } = pixels;
  if (!(data instanceof Uint8Array)) throw new InvalidPixelsError('Pixel data must be a Uint8Array or Buffer');
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width <= 0 || height <= 0) {
    throw new InvalidPixelsError(`Image size must be positive integers, got ${String(width)}×${String(height)}`);
  }
  if (channels !== undefined && channels !== 3) {
    throw new InvalidPixelsError(`Pixels must have 3 channels (RGB), got ${String(channels)}`);
  }
  const n = width * height;
  if (n > 0xffffffff) throw new InvalidPixelsError(`Image too large: ${n} pixels`);
  if (data.length !== n * 3) {
    throw new InvalidPixelsError(`Expected ${n * 3} bytes for ${width}×${height} RGB pixels, got ${data.length}`);
  }
  return n;
}

function argminFirst(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) {
    if (values[k] < values[best]) best = k;
  }
  return best;
}

function paletteResult(means: number[], hexes: readonly string[]): PaletteResult {
  return { hex: hexes[argminFirst(means)], meanDistances: means };
}

function shares(nearest: Float64Array, offset: number, n: number, hexes: readonly string[]): ColourShare[] {
  return hexes.map((hex, k) => ({ hex, share: nearest[offset + k] / n }));
}

/**
 * Dominant colour on both palettes: the palette colour with the smallest mean
 * Euclidean distance to the pixels (ties to the colour listed first), plus
 * each colour's share of nearest pixels.
 */
export function detectColours(pixels: RgbPixels, options: DetectColoursOptions = {}): ColourDetection {
  const variant = options.variant ?? 'correct';
  if (!Object.hasOwn(ALGORITHM_VERSIONS, variant)) {
    throw new InvalidPixelsError(`Unknown colour algorithm variant ${JSON.stringify(variant)}`);
  }
  validate(pixels);
  if (variant === 'subject') {
    const subject = subjectPixels(pixels);
    return { ...oklabVote(fullStrengthHues(subject) ?? subject), algorithmVersion: ALGORITHM_VERSIONS.subject };
  }
  if (variant === 'subject-hue') {
    const subject = subjectPixels(pixels);
    return { ...detectColours(fullStrengthHues(subject) ?? subject), algorithmVersion: ALGORITHM_VERSIONS['subject-hue'] };
  }
  if (variant === 'subject-border') return { ...detectColours(subjectPixels(pixels)), algorithmVersion: ALGORITHM_VERSIONS['subject-border'] };
  const n = pixels.width * pixels.height;
  const legacy = variant === 'legacy-uint8-wraparound';
  const a = (scratchA ??= new Uint32Array(CHUNK_PIXELS));
  const b = (scratchB ??= new Uint32Array(CHUNK_PIXELS));

  const sums = new Float64Array(K);
  // Exact integer counts of each wrapped squared distance (n < 2^32 is checked in validate).
  const hist = new Uint32Array(legacy ? K * LEGACY_BINS : 0);
  const nearest = new Float64Array(K);
  for (let start = 0; start < n; start += CHUNK_PIXELS) {
    const count = Math.min(CHUNK_PIXELS, n - start);
    const u = dedupe(pixels.data, start, count, a, b);
    if (legacy) accumulateLegacy(a, b, u, hist, nearest);
    else accumulateCorrect(a, b, u, sums, nearest);
  }

  const means: number[] = new Array<number>(K);
  for (let k = 0; k < K; k++) {
    if (legacy) {
      let s = 0;
      const base = k * LEGACY_BINS;
      for (let t = 1; t < LEGACY_BINS; t++) s += hist[base + t] * LEGACY_SQRT[t];
      means[k] = s / n;
    } else {
      means[k] = sums[k] / n;
    }
  }

  return {
    algorithmVersion: ALGORITHM_VERSIONS[variant],
    rgb: paletteResult(means.slice(0, PALETTE_SIZE), PALETTES.RGB.hexes),
    ryb: paletteResult(means.slice(PALETTE_SIZE), PALETTES.RYB.hexes),
    rgbShares: shares(nearest, 0, n, PALETTES.RGB.hexes),
    rybShares: shares(nearest, PALETTE_SIZE, n, PALETTES.RYB.hexes),
  };
}
