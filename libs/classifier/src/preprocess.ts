import sharp from 'sharp';
import { decodeImage } from '@vegvision/imaging';
import { ClassifierInputError } from './errors';
import { pillowFitLanczosRgb } from './pillow-resample';

/**
 * Decoded 8-bit sRGB pixels, row-major, interleaved RGB (HWC), EXIF orientation already applied and
 * alpha already composited over white. Structurally compatible with @vegvision/imaging's decoded images.
 */
export interface DecodedRgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Must be 3 when given. */
  readonly channels?: number;
}

export type Triple = readonly [number, number, number];

/** ImageNet normalisation used by every vegvision model card so far. */
export const IMAGENET_MEAN: Triple = [0.485, 0.456, 0.406];
export const IMAGENET_STD: Triple = [0.229, 0.224, 0.225];

/**
 * Canonical decode: JPEG/PNG/WebP/AVIF/HEIC bytes -> 8-bit sRGB RGB with orientation applied and alpha over white.
 * Delegates to @vegvision/imaging's decodeImage (default limits), so undecodable, unsupported or oversized
 * input fails with imaging's typed errors (`ImageError` subclasses with a stable `code`).
 */
export async function decodeToRgb(encoded: Uint8Array): Promise<DecodedRgbImage> {
  return decodeImage(encoded);
}

/** Check that `img` really is an RGB HWC image (throws ClassifierInputError). */
export function assertRgbImage(img: DecodedRgbImage): void {
  const { width, height } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ClassifierInputError(`image size ${width}x${height} is not a positive integer size`);
  }
  if (img.channels !== undefined && img.channels !== 3) {
    throw new ClassifierInputError(`expected a 3-channel RGB image, got ${img.channels} channels`);
  }
  if (img.data.length !== width * height * 3) {
    throw new ClassifierInputError(
      `pixel buffer has ${img.data.length} bytes, expected ${width}x${height}x3 = ${width * height * 3}`,
    );
  }
}

/** Largest crop side (in multiples of the target size) resized exactly; larger crops are pre-shrunk with sharp. */
export const EXACT_RESIZE_MAX_FACTOR = 8;

/**
 * "cover-centre-lanczos3": scale the shorter side to `size`, centre-crop to size x size, Lanczos-3, reproducing
 * Pillow's `ImageOps.fit(img, (S, S), Image.LANCZOS, centering=(0.5, 0.5))` bit for bit (`pillow-resample.ts`)
 * when the crop is at most EXACT_RESIZE_MAX_FACTOR x `size` per side (and for square or landscape crops of any
 * Pillow; see the README for portrait crops on Pillow 13). Larger images are first shrunk with sharp (Lanczos-3)
 * so the shorter side is 2*size, then resized exactly: that path is close to, but not bit-identical with, Pillow.
 * Returns size*size*3 bytes, HWC RGB.
 */
export async function resizeCover(img: DecodedRgbImage, size: number): Promise<Uint8Array> {
  assertRgbImage(img);
  if (!Number.isInteger(size) || size < 1) throw new ClassifierInputError(`invalid target size ${size}`);
  if (img.width === size && img.height === size) return img.data; // Python returns a copy unchanged too
  let { data, width, height } = img;
  if (Math.min(width, height) > EXACT_RESIZE_MAX_FACTOR * size) {
    const scale = (2 * size) / Math.min(width, height);
    const out = await sharp(data, { raw: { width, height, channels: 3 } })
      .resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)), {
        fit: 'fill',
        kernel: 'lanczos3',
      })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (out.info.channels !== 3) {
      throw new ClassifierInputError(`pre-shrink produced ${out.info.channels} channels, expected 3`);
    }
    data = new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
    width = out.info.width;
    height = out.info.height;
  }
  return pillowFitLanczosRgb(data, width, height, size, size);
}

/**
 * Pure part of the pipeline: size x size HWC RGB bytes -> float32 CHW, x = (v/255 - mean) / std.
 * Writes into `out` at `offset` (floats) when given, so a batch tensor can be filled in place.
 */
export function normalizeToChw(
  rgb: Uint8Array,
  size: number,
  mean: Triple = IMAGENET_MEAN,
  std: Triple = IMAGENET_STD,
  out: Float32Array = new Float32Array(3 * size * size),
  offset = 0,
): Float32Array {
  const plane = size * size;
  if (rgb.length !== plane * 3) {
    throw new ClassifierInputError(`expected ${size}x${size}x3 = ${plane * 3} bytes, got ${rgb.length}`);
  }
  if (offset < 0 || offset + 3 * plane > out.length) throw new RangeError('output tensor too small');
  for (let c = 0; c < 3; c++) {
    // Same float32 arithmetic order as the Python reference: (v / 255 - mean) / std
    const m = Math.fround(mean[c]);
    const s = Math.fround(std[c]);
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) {
      const v = Math.fround(rgb[i * 3 + c] / 255);
      out[base + i] = Math.fround(v - m) / s;
    }
  }
  return out;
}

/** Canonical preprocessing of a decoded image: cover-resize to size x size, then normalise to float32 CHW. */
export async function preprocess(
  decoded: DecodedRgbImage,
  size: number,
  mean: Triple = IMAGENET_MEAN,
  std: Triple = IMAGENET_STD,
): Promise<Float32Array> {
  return normalizeToChw(await resizeCover(decoded, size), size, mean, std);
}
