// The subject colour's pixels at full strength (algorithm version `subject-hue-v2`).
//
// Both palettes are colour wheels: twelve hues at full strength, no white, grey, black or
// brown. Measured as they are, the vegetable's pixels — shaded, pale, dark — are far from every
// wheel colour, so the mean-distance definition lands on whatever colour sits nearest to a
// murky middle (`#80FF00` for any shaded green, `#FF8000` for browns and whites: 2 RGB colours
// hold 94% of the seed sample with `subject-border-v1`). Here each subject pixel is first
// taken at its hue's full strength — the wheel colour a person names when asked "what colour
// is it" — and then the same definition (smallest mean Euclidean distance; shares of nearest
// pixels) applies to those pixels:
//
// - a pixel (r, g, b) with chroma C = max − min becomes ((r − min)/C, (g − min)/C, (b − min)/C) · 255:
//   same hue, full saturation and value (a dark olive and a pale lime both become the lime of the wheel);
// - pixels with chroma under MIN_CHROMA (greys, whites, near-black: no reliable hue) are left out;
// - when under MIN_CHROMATIC_SHARE of the subject has a hue (a white cauliflower on a white plate),
//   the subject's pixels are measured as they are.
import type { RgbPixels } from './detect';

/** Chroma (max − min of r, g, b) below which a pixel has no reliable hue (JPEG noise on greys is up to ~10). */
export const MIN_CHROMA = 16;
/** Share of the subject that must have a hue for the hue measure to apply. */
export const MIN_CHROMATIC_SHARE = 0.05;

/**
 * The pixels with a hue, each at full saturation and value, as a one-pixel-high image; null
 * when fewer than MIN_CHROMATIC_SHARE of them have one.
 */
export function fullStrengthHues(p: RgbPixels): RgbPixels | null {
  const n = p.width * p.height;
  const src = p.data;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = src[i * 3];
    const g = src[i * 3 + 1];
    const b = src[i * 3 + 2];
    if ((r > g ? (r > b ? r : b) : g > b ? g : b) - (r < g ? (r < b ? r : b) : g < b ? g : b) >= MIN_CHROMA) count++;
  }
  if (count === 0 || count < MIN_CHROMATIC_SHARE * n) return null;
  const data = new Uint8Array(count * 3);
  for (let i = 0, o = 0; i < n; i++) {
    const r = src[i * 3];
    const g = src[i * 3 + 1];
    const b = src[i * 3 + 2];
    const hi = r > g ? (r > b ? r : b) : g > b ? g : b;
    const lo = r < g ? (r < b ? r : b) : g < b ? g : b;
    const c = hi - lo;
    if (c < MIN_CHROMA) continue;
    data[o++] = (((r - lo) * 255) / c + 0.5) | 0;
    data[o++] = (((g - lo) * 255) / c + 0.5) | 0;
    data[o++] = (((b - lo) * 255) / c + 0.5) | 0;
  }
  return { data, width: count, height: 1 };
}
