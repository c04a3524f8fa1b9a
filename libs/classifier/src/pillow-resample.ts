// Bit-exact TypeScript re-implementation of Pillow's Lanczos resampling of 8-bit images
// (libImaging/Resample.c: precompute_coeffs + normalize_coeffs_8bpc + ImagingResample{Horizontal,Vertical}_8bpc,
// driven like ImagingResampleInner) and of ImageOps.fit's crop box. Written from the algorithm's description;
// verified byte for byte against Pillow 13 (see fixtures/pillow_resize_dump.py and the README).

import { ClassifierInputError } from './errors';

/** Pillow: 8 bits for the result, 2 bits of headroom for negative lobes / sums above 1, in a 32-bit int. */
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
const LANCZOS_SUPPORT = 3;

// Local bindings: global `Math` lookups in hot loops are very slow under Jest's module sandbox.
const sin = Math.sin;
const ceil = Math.ceil;
const trunc = Math.trunc;
const fround = Math.fround;
const PI = Math.PI;

/** Box `[x0, y0, x1, y1]` in source pixel coordinates (Pillow passes it to C as float32). */
export type ResampleBox = readonly [number, number, number, number];

interface Coeffs {
  /** Max taps per output sample. */
  readonly ksize: number;
  /** Per output sample: first source index, number of taps. */
  readonly bounds: Int32Array;
  /** Fixed-point (PRECISION_BITS) weights, `ksize` per output sample. */
  readonly kk: Int32Array;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * PI;
  return sin(px) / px;
}

function lanczos(x: number): number {
  // truncated sinc, same expression and evaluation order as Pillow
  if (-3.0 <= x && x < 3.0) return sinc(x) * sinc(x / 3);
  return 0;
}

const coeffCache = new Map<string, Coeffs>();
const COEFF_CACHE_MAX = 64;

/**
 * Pillow `precompute_coeffs(inSize, in0, in1, outSize, LANCZOS)` followed by `normalize_coeffs_8bpc`.
 * `in0`/`in1` are float32 in C; `in1 - in0` is a float32 subtraction there.
 */
function coeffs(inSize: number, in0: number, in1: number, outSize: number): Coeffs {
  const f0 = fround(in0);
  const f1 = fround(in1);
  const key = `${inSize}:${f0}:${f1}:${outSize}`;
  const hit = coeffCache.get(key);
  if (hit) return hit;

  const scale = fround(f1 - f0) / outSize;
  const filterscale = scale < 1.0 ? 1.0 : scale;
  const support = LANCZOS_SUPPORT * filterscale;
  const ksize = ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const pre = new Float64Array(ksize);
  const ss = 1.0 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = f0 + (xx + 0.5) * scale;
    let ww = 0.0;
    let xmin = trunc(center - support + 0.5); // C (int) cast: truncation toward zero
    if (xmin < 0) xmin = 0;
    let xmax = trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    for (let x = 0; x < xmax; x++) {
      const w = lanczos((x + xmin - center + 0.5) * ss);
      pre[x] = w;
      ww += w;
    }
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0.0 ? pre[x] / ww : pre[x];
      // normalize_coeffs_8bpc: round half away from zero, then (int) truncation
      kk[base + x] = k < 0 ? trunc(-0.5 + k * ONE) : trunc(0.5 + k * ONE);
    }
    // remaining taps stay 0
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  const c: Coeffs = { ksize, bounds, kk };
  if (coeffCache.size >= COEFF_CACHE_MAX) coeffCache.clear();
  coeffCache.set(key, c);
  return c;
}

/**
 * Horizontal 8-bit pass over rows `yOffset .. yOffset + outH - 1` of `src` (packed RGB, width `inW`).
 * The output is 8-bit (Uint8ClampedArray stores `ss >> 22` clamped to 0..255, exactly Pillow's clip8).
 */
function horizontal(
  src: Uint8Array,
  inW: number,
  yOffset: number,
  outW: number,
  outH: number,
  c: Coeffs,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(outW * outH * 3);
  const { ksize, bounds, kk } = c;
  const inStride = inW * 3;
  let o = 0;
  for (let yy = 0; yy < outH; yy++) {
    const row = (yy + yOffset) * inStride;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = bounds[xx * 2];
      const xmax = bounds[xx * 2 + 1];
      const kb = xx * ksize;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let p = row + xmin * 3;
      for (let x = 0; x < xmax; x++, p += 3) {
        const k = kk[kb + x];
        s0 += src[p] * k;
        s1 += src[p + 1] * k;
        s2 += src[p + 2] * k;
      }
      out[o++] = s0 >> PRECISION_BITS;
      out[o++] = s1 >> PRECISION_BITS;
      out[o++] = s2 >> PRECISION_BITS;
    }
  }
  return out;
}

/** Vertical 8-bit pass: `src` is packed RGB of width `w`; output `w x outH`. */
function vertical(src: Uint8Array | Uint8ClampedArray, w: number, outH: number, c: Coeffs): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * outH * 3);
  const { ksize, bounds, kk } = c;
  const stride = w * 3;
  let o = 0;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2];
    const ymax = bounds[yy * 2 + 1];
    const kb = yy * ksize;
    const first = ymin * stride;
    for (let xx = 0; xx < w; xx++) {
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let p = first + xx * 3;
      for (let y = 0; y < ymax; y++, p += stride) {
        const k = kk[kb + y];
        s0 += src[p] * k;
        s1 += src[p + 1] * k;
        s2 += src[p + 2] * k;
      }
      out[o++] = s0 >> PRECISION_BITS;
      out[o++] = s1 >> PRECISION_BITS;
      out[o++] = s2 >> PRECISION_BITS;
    }
  }
  return out;
}

function asBytes(a: Uint8ClampedArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Pillow `Image.resize((outW, outH), Image.LANCZOS, box)` (reducing_gap=None) of a packed 8-bit RGB image,
 * bit for bit: float32 box, integer-box crop shortcut, the need_horizontal/need_vertical logic, horizontal
 * pass first over only the source rows the vertical pass needs, 8-bit intermediate image.
 */
export function pillowResizeLanczosRgb(
  src: Uint8Array,
  width: number,
  height: number,
  outW: number,
  outH: number,
  box: ResampleBox = [0, 0, width, height],
): Uint8Array {
  if (src.length !== width * height * 3) {
    throw new ClassifierInputError(`pixel buffer has ${src.length} bytes, expected ${width}x${height}x3`);
  }
  if (!Number.isInteger(outW) || !Number.isInteger(outH) || outW < 1 || outH < 1) {
    throw new ClassifierInputError(`invalid resize target ${outW}x${outH}`);
  }
  const b0 = fround(box[0]);
  const b1 = fround(box[1]);
  const b2 = fround(box[2]);
  const b3 = fround(box[3]);
  if (!(b0 >= 0 && b1 >= 0 && b2 <= width && b3 <= height && b2 - b0 >= 0 && b3 - b1 >= 0)) {
    throw new ClassifierInputError(`resize box [${box.join(', ')}] is outside the ${width}x${height} image`);
  }
  // Image.resize: same size, full box -> copy
  if (outW === width && outH === height && b0 === 0 && b1 === 0 && b2 === width && b3 === height) {
    return src.slice();
  }
  // _resize: integer box whose size equals the target -> plain crop
  if (b0 === trunc(b0) && b1 === trunc(b1) && b2 - b0 === outW && b3 - b1 === outH) {
    const out = new Uint8Array(outW * outH * 3);
    for (let y = 0; y < outH; y++) {
      const s = ((y + b1) * width + b0) * 3;
      out.set(src.subarray(s, s + outW * 3), y * outW * 3);
    }
    return out;
  }
  // ImagingResampleInner
  const needHorizontal = outW !== width || b0 !== 0 || b2 !== outW;
  const needVertical = outH !== height || b1 !== 0 || b3 !== outH;
  const ch = coeffs(width, b0, b2, outW);
  const cv = coeffs(height, b1, b3, outH);
  // Horizontal pass first (Pillow <= 12 always; Pillow 13 sometimes runs the vertical pass first for tall
  // boxes, python-pillow/Pillow#9549, with a rule not reproduced here: exact for square and wide boxes only).
  if (needHorizontal && needVertical) {
    const yFirst = cv.bounds[0];
    const yLast = cv.bounds[outH * 2 - 2] + cv.bounds[outH * 2 - 1];
    const vbounds = yFirst === 0 ? cv.bounds : cv.bounds.map((v, i) => (i % 2 === 0 ? v - yFirst : v));
    const tmp = horizontal(src, width, yFirst, outW, yLast - yFirst, ch);
    return asBytes(vertical(tmp, outW, outH, { ksize: cv.ksize, bounds: vbounds, kk: cv.kk }));
  }
  let img: Uint8Array | Uint8ClampedArray = src;
  if (needHorizontal) img = horizontal(src, width, 0, outW, height, ch);
  if (needVertical) img = vertical(src, width, outH, cv);
  if (img === src) return src.slice();
  return img instanceof Uint8ClampedArray ? asBytes(img) : img;
}

/**
 * `ImageOps.fit(image, (outW, outH), centering=(0.5, 0.5), bleed=0)`'s crop box, in float64 like Python.
 */
export function pillowFitBox(width: number, height: number, outW: number, outH: number): ResampleBox {
  const liveW = width - 0.0 * width * 2;
  const liveH = height - 0.0 * height * 2;
  const liveRatio = liveW / liveH;
  const outRatio = outW / outH;
  let cropW: number;
  let cropH: number;
  if (liveRatio === outRatio) {
    cropW = liveW;
    cropH = liveH;
  } else if (liveRatio >= outRatio) {
    cropW = outRatio * liveH;
    cropH = liveH;
  } else {
    cropW = liveW;
    cropH = liveW / outRatio;
  }
  const left = 0.0 + (liveW - cropW) * 0.5;
  const top = 0.0 + (liveH - cropH) * 0.5;
  return [left, top, left + cropW, top + cropH];
}

/** Pillow `ImageOps.fit(img, (outW, outH), Image.LANCZOS, centering=(0.5, 0.5))` on packed RGB, bit-exact. */
export function pillowFitLanczosRgb(
  src: Uint8Array,
  width: number,
  height: number,
  outW: number,
  outH: number,
): Uint8Array {
  return pillowResizeLanczosRgb(src, width, height, outW, outH, pillowFitBox(width, height, outW, outH));
}
