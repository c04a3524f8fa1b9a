// The foreground masks the library's subjectMask (src/subject-mask.ts) was compared with on the
// seed sample by compare-masks.ts, kept so the comparison can be rerun. Each takes the grid
// sample of a photo and returns one byte per grid pixel: 1 = the vegetable, 0 = background.
import { backdropColours, otsuThreshold, ringIndices, type PixelGrid } from '../src/subject-mask';
import { toLab } from '../src/lab';

function distanceToBackdrop(g: PixelGrid, lab: Float32Array): Float32Array {
  const backdrop = backdropColours(lab, ringIndices(g.width, g.height));
  const n = g.width * g.height;
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    d[i] = Math.min(...backdrop.map((c) => Math.hypot(lab[i * 3] - c[0], lab[i * 3 + 1] - c[1], lab[i * 3 + 2] - c[2])));
  }
  return d;
}

/** A: background = pixels within ΔE 15 of a backdrop colour and connected to the border through such pixels (flood fill). */
export function borderFloodMask(g: PixelGrid): Uint8Array {
  const lab = toLab(g.data);
  const d = distanceToBackdrop(g, lab);
  const n = g.width * g.height;
  const bg = new Uint8Array(n);
  const stack: number[] = [];
  for (const i of ringIndices(g.width, g.height, 0)) if (d[i] < 15) {
      bg[i] = 1;
      stack.push(i);
    }
  while (stack.length) {
    const i = stack.pop() as number;
    const x = i % g.width;
    const y = (i - x) / g.width;
    for (const j of [x > 0 ? i - 1 : -1, x < g.width - 1 ? i + 1 : -1, y > 0 ? i - g.width : -1, y < g.height - 1 ? i + g.width : -1]) {
      if (j >= 0 && d[j] < 15 && !bg[j]) {
        bg[j] = 1;
        stack.push(j);
      }
    }
  }
  return bg.map((v) => 1 - v);
}

/** B: frequency-tuned saliency (Achanta et al. 2009): the blurred L*a*b* colour's distance from the image mean, above twice its mean. */
export function saliencyMask(g: PixelGrid): Uint8Array {
  const lab = toLab(g.data);
  const n = g.width * g.height;
  const kernel = [1, 4, 6, 4, 1].map((v) => v / 16);
  const blur = (src: Float32Array, horizontal: boolean): Float32Array => {
    const out = new Float32Array(src.length);
    for (let y = 0; y < g.height; y++) {
      for (let x = 0; x < g.width; x++) {
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let k = -2; k <= 2; k++) {
            const xx = horizontal ? Math.min(g.width - 1, Math.max(0, x + k)) : x;
            const yy = horizontal ? y : Math.min(g.height - 1, Math.max(0, y + k));
            s += kernel[k + 2] * src[(yy * g.width + xx) * 3 + c];
          }
          out[(y * g.width + x) * 3 + c] = s;
        }
      }
    }
    return out;
  };
  const b = blur(blur(lab, true), false);
  const mean = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) mean[c] += lab[i * 3 + c] / n;
  const sal = new Float32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += sal[i] = Math.hypot(b[i * 3] - mean[0], b[i * 3 + 1] - mean[1], b[i * 3 + 2] - mean[2]);
  return sal.map((v) => (v > (2 * total) / n ? 1 : 0)) as unknown as Uint8Array;
}

/** C: the library's backdrop distance and Otsu threshold, without its pile rule and shadow cut. */
export function borderOtsuMask(g: PixelGrid): Uint8Array {
  const d = distanceToBackdrop(g, toLab(g.data));
  const t = Math.max(otsuThreshold(d), 12);
  const fg = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) fg[i] = d[i] >= t ? 1 : 0;
  return fg;
}
