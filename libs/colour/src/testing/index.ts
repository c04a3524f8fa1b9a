// Slow, obviously-correct reference implementations for tests and benchmarks.
// Plain per-pixel loops, no tables, no deduplication.
import type { ColourShare, ColourVariant, PaletteResult, RgbPixels } from '../detect';
import { PALETTES, PaletteName } from '../palettes';

// Bound once: global lookups inside Jest's vm context are slow in hot loops.
const hypot = Math.hypot;
const sqrt = Math.sqrt;

function pixelCount(pixels: RgbPixels): number {
  const n = pixels.width * pixels.height;
  if (n <= 0 || pixels.data.length !== n * 3) throw new Error('reference: bad pixel buffer');
  return n;
}

/** Per-channel uint8 arithmetic as NumPy did it: (p - c) mod 256, then (d * d) mod 256. */
function wrappedSquare(p: number, c: number): number {
  const d = (((p - c) % 256) + 256) % 256;
  return (d * d) % 256;
}

/** The dominant colour, computed pixel by pixel with Math.hypot (or the legacy wrap-around arithmetic). */
export function referenceDominantColour(
  pixels: RgbPixels,
  palette: PaletteName,
  variant: ColourVariant = 'correct',
): PaletteResult {
  const n = pixelCount(pixels);
  const { data } = pixels;
  const meanDistances = PALETTES[palette].colours.map(({ rgb: [cr, cg, cb] }) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const r = data[3 * i];
      const g = data[3 * i + 1];
      const b = data[3 * i + 2];
      if (variant === 'correct') {
        sum += hypot(r - cr, g - cg, b - cb);
      } else {
        sum += sqrt(wrappedSquare(r, cr) + wrappedSquare(g, cg) + wrappedSquare(b, cb));
      }
    }
    return sum / n;
  });
  let best = 0;
  for (let k = 1; k < meanDistances.length; k++) {
    if (meanDistances[k] < meanDistances[best]) best = k;
  }
  return { hex: PALETTES[palette].hexes[best], meanDistances };
}

/** Index of the nearest palette colour of one pixel (squared Euclidean distance, ties to the first listed). */
function nearestIndex(palette: PaletteName, r: number, g: number, b: number): number {
  const colours = PALETTES[palette].colours;
  let best = 0;
  let bestD = Infinity;
  for (let k = 0; k < colours.length; k++) {
    const rgb = colours[k].rgb;
    const dr = r - rgb[0];
    const dg = g - rgb[1];
    const db = b - rgb[2];
    const d = dr * dr + dg * dg + db * db;
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

/** Nearest palette colour of one pixel (squared Euclidean distance, ties to the first listed). */
export function referenceNearestColour(palette: PaletteName, r: number, g: number, b: number): string {
  return PALETTES[palette].hexes[nearestIndex(palette, r, g, b)];
}

/** Shares of nearest-colour pixels, pixel by pixel. */
export function referenceShares(pixels: RgbPixels, palette: PaletteName): ColourShare[] {
  const n = pixelCount(pixels);
  const counts = new Array<number>(PALETTES[palette].hexes.length).fill(0);
  for (let i = 0; i < n; i++) {
    counts[nearestIndex(palette, pixels.data[3 * i], pixels.data[3 * i + 1], pixels.data[3 * i + 2])]++;
  }
  return PALETTES[palette].hexes.map((hex, k) => ({ hex, share: counts[k] / n }));
}
