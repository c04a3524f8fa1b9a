// Which pixels of a photo are the vegetable: the foreground mask behind the subject colour
// (algorithm version `subject-border-v1`). Chosen over saliency and other border variants by
// measuring them on the seed sample (libs/colour/scripts/compare-masks.ts; README "Subject
// colour"). The mask is computed on a grid sample of the photo (nearest pixel, at most
// 160 × 160), in CIE L*a*b*:
//
// 1. The border ring (5% of the shorter side, at least 2 pixels) is clustered (k-means, k = 4,
//    deterministic farthest-point start); the clusters holding at least 10% of the ring are
//    the backdrop's colours.
// 2. Each pixel's distance to the nearest backdrop colour is split by Otsu's threshold (at
//    least ΔE 12): pixels beyond it differ from the backdrop.
// 3. A photo whose centre is mostly backdrop-like (60% or more) and whose ring is textured
//    (mean ΔE 6 or more from its clusters: on the seed sample plain backdrops measure 0–4.5 and
//    piles mostly 8–19) is a close-up of
//    the vegetables themselves, a pile filling the frame: the ring shows the vegetable, so the
//    backdrop-like pixels are the subject and what differs (gaps, hands, labels) is not.
//    Otherwise the pixels that differ from the backdrop are the subject.
// 4. Pixels darker than L* 20 (shadows, gaps between vegetables) are left out.
// 5. When under 1% of the grid is left, the whole grid is the subject.
import type { RgbPixels } from './detect';
import { toLab } from './lab';

export interface PixelGrid {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface SubjectMask {
  /** The grid sample the mask is over. */
  readonly grid: PixelGrid;
  /** One byte per grid pixel: 1 = subject, 0 = background. */
  readonly foreground: Uint8Array;
  /** Fraction of the grid that is subject. */
  readonly share: number;
  /** 'object': the subject differs from the border; 'pile': the subject fills the frame; 'whole': too little was left, every pixel counts. */
  readonly layout: 'object' | 'pile' | 'whole';
}

export const GRID_MAX_SIDE = 160;
const RING_FRACTION = 0.05;
const CLUSTERS = 4;
const KMEANS_ROUNDS = 8;
const MIN_CLUSTER_SHARE = 0.1;
const MIN_THRESHOLD = 12;
const PILE_CENTRE_SHARE = 0.6;
const PILE_RING_SPREAD = 6;
const SHADOW_L = 20;
const MIN_SUBJECT_SHARE = 0.01;

// Bound once: inside Jest's vm context every lookup of `Math` is slow (see detect.ts).
const { sqrt, min, max, floor, ceil, round } = Math;

/** Nearest-pixel grid sample of at most maxSide × maxSide (the pixels themselves when small enough). */
export function gridSample(p: RgbPixels, maxSide = GRID_MAX_SIDE): PixelGrid {
  if (p.width <= maxSide && p.height <= maxSide) return { data: p.data, width: p.width, height: p.height };
  const step = max(p.width, p.height) / maxSide;
  const width = max(1, floor(p.width / step));
  const height = max(1, floor(p.height / step));
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = min(p.height - 1, floor((y + 0.5) * step));
    for (let x = 0; x < width; x++) {
      const sx = min(p.width - 1, floor((x + 0.5) * step));
      const s = (sy * p.width + sx) * 3;
      const d = (y * width + x) * 3;
      data[d] = p.data[s];
      data[d + 1] = p.data[s + 1];
      data[d + 2] = p.data[s + 2];
    }
  }
  return { data, width, height };
}

/** Indices of the pixels in the border ring of the grid. */
export function ringIndices(width: number, height: number, fraction = RING_FRACTION): number[] {
  const bw = min(ceil(min(width, height) / 2), max(2, round(fraction * min(width, height))));
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (x < bw || y < bw || x >= width - bw || y >= height - bw) out.push(y * width + x);
    }
  }
  return out;
}

function dist2(lab: Float32Array, i: number, c: Float64Array): number {
  const dl = lab[i * 3] - c[0];
  const da = lab[i * 3 + 1] - c[1];
  const db = lab[i * 3 + 2] - c[2];
  return dl * dl + da * da + db * db;
}

/** The colours of the border ring (L*a*b* centres of the k-means clusters holding ≥ 10% of it). */
export function backdropColours(lab: Float32Array, ring: number[]): Float64Array[] {
  const mean = new Float64Array(3);
  for (const i of ring) for (let c = 0; c < 3; c++) mean[c] += lab[i * 3 + c] / ring.length;
  const centres: Float64Array[] = [mean];
  const nearest = new Float64Array(ring.length).fill(Infinity);
  while (centres.length < CLUSTERS) {
    const last = centres[centres.length - 1];
    let far = -1;
    let farD = 1; // a new centre must be at least ΔE 1 away from every other
    ring.forEach((i, j) => {
      nearest[j] = min(nearest[j], dist2(lab, i, last));
      if (nearest[j] > farD) {
        farD = nearest[j];
        far = i;
      }
    });
    if (far < 0) break;
    centres.push(Float64Array.of(lab[far * 3], lab[far * 3 + 1], lab[far * 3 + 2]));
  }
  const k = centres.length;
  const counts = new Float64Array(k);
  for (let round = 0; round < KMEANS_ROUNDS; round++) {
    const sums = new Float64Array(k * 3);
    counts.fill(0);
    for (const i of ring) {
      let best = 0;
      let bestD = Infinity;
      for (let j = 0; j < k; j++) {
        const d = dist2(lab, i, centres[j]);
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      counts[best]++;
      for (let c = 0; c < 3; c++) sums[best * 3 + c] += lab[i * 3 + c];
    }
    for (let j = 0; j < k; j++) if (counts[j] > 0) for (let c = 0; c < 3; c++) centres[j][c] = sums[j * 3 + c] / counts[j];
  }
  return centres.filter((_, j) => counts[j] >= MIN_CLUSTER_SHARE * ring.length);
}

/** Otsu's threshold of non-negative values, in 1-unit bins up to 200 (larger values fall in the last bin). */
export function otsuThreshold(values: Float32Array): number {
  const bins = 200;
  const hist = new Float64Array(bins);
  for (const v of values) hist[min(bins - 1, floor(v))]++;
  const n = values.length;
  let sumAll = 0;
  for (let t = 0; t < bins; t++) sumAll += t * hist[t];
  let w0 = 0;
  let sum0 = 0;
  let best = -1;
  let threshold = 0;
  for (let t = 0; t < bins; t++) {
    w0 += hist[t];
    sum0 += t * hist[t];
    const w1 = n - w0;
    if (w0 === 0 || w1 === 0) continue;
    const between = w0 * w1 * (sum0 / w0 - (sumAll - sum0) / w1) ** 2;
    if (between > best) {
      best = between;
      threshold = t + 1;
    }
  }
  return threshold;
}

/** The subject (vegetable) pixels of a photo, on its grid sample. */
export function subjectMask(pixels: RgbPixels): SubjectMask {
  const grid = gridSample(pixels);
  const { width, height } = grid;
  const n = width * height;
  const lab = toLab(grid.data);
  const ring = ringIndices(width, height);
  const backdrop = backdropColours(lab, ring);
  const distance = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (const c of backdrop) best = min(best, dist2(lab, i, c));
    distance[i] = sqrt(best);
  }
  const threshold = max(otsuThreshold(distance), MIN_THRESHOLD);
  let centre = 0;
  let centreLike = 0;
  for (let y = floor(height / 4); y < ceil((3 * height) / 4); y++) {
    for (let x = floor(width / 4); x < ceil((3 * width) / 4); x++) {
      centre++;
      if (distance[y * width + x] < threshold) centreLike++;
    }
  }
  // A plain backdrop (cloth, paper, a table) is smooth; a ring of vegetables is textured.
  let ringSpread = 0;
  for (const i of ring) ringSpread += distance[i] / ring.length;
  const pile = centreLike >= PILE_CENTRE_SHARE * centre && ringSpread >= PILE_RING_SPREAD;
  const foreground = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const subject = (pile ? distance[i] < threshold : distance[i] >= threshold) && lab[i * 3] >= SHADOW_L;
    if (subject) {
      foreground[i] = 1;
      count++;
    }
  }
  if (count < MIN_SUBJECT_SHARE * n) return { grid, foreground: foreground.fill(1), share: 1, layout: 'whole' };
  return { grid, foreground, share: count / n, layout: pile ? 'pile' : 'object' };
}

/** The subject's pixels as a one-pixel-high image, for detectColours. */
export function subjectPixels(pixels: RgbPixels): RgbPixels {
  const { grid, foreground, share } = subjectMask(pixels);
  if (share === 1) return grid;
  let count = 0;
  for (const v of foreground) count += v;
  const data = new Uint8Array(count * 3);
  for (let i = 0, o = 0; i < foreground.length; i++) {
    if (!foreground[i]) continue;
    data[o++] = grid.data[i * 3];
    data[o++] = grid.data[i * 3 + 1];
    data[o++] = grid.data[i * 3 + 2];
  }
  return { data, width: count, height: 1 };
}
