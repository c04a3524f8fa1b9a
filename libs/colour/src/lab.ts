// sRGB (8-bit) to CIE L*a*b* (D65), for masks that need a perceptual distance. One lookup table
// for the sRGB transfer curve; the rest is a 3×3 matrix and a cube root per pixel.
const cbrt = Math.cbrt;

const LINEAR = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  const c = v / 255;
  LINEAR[v] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

const XN = 0.95047;
const YN = 1.0;
const ZN = 1.08883;
const EPS = 216 / 24389;
const KAPPA = 24389 / 27;

function f(t: number): number {
  return t > EPS ? cbrt(t) : (KAPPA * t + 16) / 116;
}

/** L*a*b* of interleaved RGB pixels: 3 float32 per pixel (L, a, b). */
export function toLab(rgb: Uint8Array): Float32Array {
  const n = rgb.length / 3;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n * 3; i += 3) {
    const r = LINEAR[rgb[i]];
    const g = LINEAR[rgb[i + 1]];
    const b = LINEAR[rgb[i + 2]];
    const fx = f((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / XN);
    const fy = f((0.2126729 * r + 0.7151522 * g + 0.072175 * b) / YN);
    const fz = f((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / ZN);
    out[i] = 116 * fy - 16;
    out[i + 1] = 500 * (fx - fy);
    out[i + 2] = 200 * (fy - fz);
  }
  return out;
}
