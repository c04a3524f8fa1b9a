// The vegetable's colour as the eye names it (algorithm version `subject-oklab-v3`).
//
// Same subject pixels as `subject-hue-v2` (subject-mask.ts, then each pixel with a hue taken at
// its hue's full strength, subject-hue.ts), but each pixel is given the palette colour nearest
// to it in OKLab, a perceptually uniform colour space, and the dominant colour is the one that
// most of the vegetable's pixels are nearest to: the largest share.
//
// Why both changes (measured on the seed sample, libs/colour/README.md):
// - Euclidean distance in sRGB is not how far colours look: sRGB spends as many steps on the
//   yellow-greens, where leaves and gourds sit, as on the whole blue side, so a leaf-green pixel
//   (hue 95–105°) is "nearer" to chartreuse #80FF00 in sRGB although it looks green. In OKLab
//   broccoli, beans and cabbage leaves reach green, where a person puts them.
// - The mean distance over many pixels favours a colour in the middle of them (a subject half
//   yellow, half green is called chartreuse); the largest share names a colour the subject
//   actually has, and the share bar the console draws beside the chip then agrees with it.
import type { ColourShare, PaletteResult, RgbPixels } from './detect';
import { PALETTES } from './palettes';

const cbrt = Math.cbrt;
const sqrt = Math.sqrt;

const LINEAR = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  const c = v / 255;
  LINEAR[v] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** OKLab (L, a, b; Björn Ottosson's matrices) of one 8-bit sRGB colour, written into `out` at `o`. */
export function oklab(r: number, g: number, b: number, out: Float64Array, o = 0): void {
  const lr = LINEAR[r];
  const lg = LINEAR[g];
  const lb = LINEAR[b];
  const l = cbrt(0.4122214708 * lr + 0.5363325363 * lg + 0.0514459929 * lb);
  const m = cbrt(0.2119034982 * lr + 0.6806995451 * lg + 0.1073969566 * lb);
  const s = cbrt(0.0883024619 * lr + 0.2817188376 * lg + 0.6299787005 * lb);
  out[o] = 0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s;
  out[o + 1] = 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s;
  out[o + 2] = 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s;
}

const RGB_HEXES = PALETTES.RGB.hexes;
const RYB_HEXES = PALETTES.RYB.hexes;
const N = RGB_HEXES.length;
const PALETTE_LAB = new Float64Array(2 * N * 3);
[...PALETTES.RGB.colours, ...PALETTES.RYB.colours].forEach((c, k) => oklab(c.rgb[0], c.rgb[1], c.rgb[2], PALETTE_LAB, k * 3));

/** Index of the RGB-palette colour (low 8 bits) and the RYB one (next 8) nearest in OKLab; ties to the first listed. */
function nearestPair(r: number, g: number, b: number, lab: Float64Array, dist: Float64Array): number {
  oklab(r, g, b, lab);
  let pair = 0;
  for (let p = 0; p < 2; p++) {
    let best = 0;
    let bestD = Infinity;
    for (let k = 0; k < N; k++) {
      const o = (p * N + k) * 3;
      const dl = lab[0] - PALETTE_LAB[o];
      const da = lab[1] - PALETTE_LAB[o + 1];
      const db = lab[2] - PALETTE_LAB[o + 2];
      const d = sqrt(dl * dl + da * da + db * db);
      dist[p * N + k] = d;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    pair |= best << (p * 8);
  }
  return pair;
}

export interface OklabVote {
  readonly rgb: PaletteResult;
  readonly ryb: PaletteResult;
  readonly rgbShares: ColourShare[];
  readonly rybShares: ColourShare[];
}

function result(votes: Float64Array, sums: Float64Array, offset: number, n: number, hexes: readonly string[]) {
  let best = 0;
  for (let k = 1; k < N; k++) if (votes[offset + k] > votes[offset + best]) best = k;
  const meanDistances = Array.from({ length: N }, (_, k) => sums[offset + k] / n);
  const shares = hexes.map((hex, k) => ({ hex, share: votes[offset + k] / n }));
  return { palette: { hex: hexes[best], meanDistances }, shares };
}

/**
 * Each pixel's nearest palette colour in OKLab (both palettes); the dominant colour is the one
 * with the largest share of pixels (ties to the colour listed first). `meanDistances` are the
 * mean OKLab distances (×100, the usual scale where 1 is about a just-noticeable difference).
 * Distinct colours are measured once: the full-strength pixels of `subject-oklab-v3` take at
 * most 1,530 values.
 */
export function oklabVote(pixels: RgbPixels): OklabVote {
  const n = pixels.width * pixels.height;
  const src = pixels.data;
  const seen = new Map<number, number>();
  const lab = new Float64Array(3);
  const dist = new Float64Array(2 * N);
  const votes = new Float64Array(2 * N);
  const sums = new Float64Array(2 * N);
  for (let i = 0; i < n; i++) {
    const key = (src[i * 3] << 16) | (src[i * 3 + 1] << 8) | src[i * 3 + 2];
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  for (const [key, count] of seen) {
    const pair = nearestPair(key >>> 16, (key >>> 8) & 255, key & 255, lab, dist);
    votes[pair & 255] += count;
    votes[N + (pair >>> 8)] += count;
    for (let k = 0; k < 2 * N; k++) sums[k] += count * dist[k] * 100;
  }
  const rgb = result(votes, sums, 0, n, RGB_HEXES);
  const ryb = result(votes, sums, N, n, RYB_HEXES);
  return { rgb: rgb.palette, ryb: ryb.palette, rgbShares: rgb.shares, rybShares: ryb.shares };
}
