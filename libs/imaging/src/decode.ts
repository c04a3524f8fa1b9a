import sharp from 'sharp';
import {
  EmptyImageError,
  ImageDecodeError,
  ImageError,
  ImageTooLargeError,
  UnsupportedImageTypeError,
} from './errors';
import { decodeHevcHeif } from './hevc-decoder';
import { ImageLimits, resolveImageLimits } from './limits';
import { pngWithIccProfile } from './png-icc';
import { ACCEPTED_TYPES_TEXT, AcceptedImageType, describeBytes, imageTypeLabel, sniffAnimation, sniffImageType } from './sniff';

/** Header-level facts about a validated image (no pixels decoded). */
export interface ImageProbe {
  readonly contentType: AcceptedImageType;
  /** Width after EXIF orientation is applied. */
  readonly width: number;
  /** Height after EXIF orientation is applied. */
  readonly height: number;
  /** Width as stored in the file (before orientation). */
  readonly originalWidth: number;
  /** Height as stored in the file (before orientation). */
  readonly originalHeight: number;
  /** EXIF orientation 1–8 (1 when absent). */
  readonly orientation: number;
  readonly hasAlpha: boolean;
  readonly byteLength: number;
}

/** Decoded pixels: interleaved 8-bit sRGB, 3 channels, row-major, EXIF orientation applied, alpha over white. */
export interface DecodedImage {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
  readonly contentType: AcceptedImageType;
  readonly originalWidth: number;
  readonly originalHeight: number;
  readonly orientation: number;
}

const MIB = 1024 * 1024;

function formatBytes(n: number): string {
  return n >= MIB ? `${(n / MIB).toFixed(1)} MiB` : `${n} bytes`;
}

function checkBytes(bytes: Uint8Array, limits: ImageLimits): AcceptedImageType {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError('Image bytes must be a Buffer or Uint8Array');
  }
  if (bytes.length === 0) throw new EmptyImageError();
  if (bytes.length > limits.maxBytes) {
    throw new ImageTooLargeError(
      'bytes',
      bytes.length,
      limits.maxBytes,
      `The file is ${formatBytes(bytes.length)}; the limit is ${formatBytes(limits.maxBytes)}.`,
    );
  }
  const type = sniffImageType(bytes);
  if (!type) throw new UnsupportedImageTypeError(describeBytes(bytes));
  const animation = sniffAnimation(bytes, type);
  if (animation) throw animatedImageError(animation, `this file is ${animation}`);
  return type;
}

function animatedImageError(detected: string, what: string): UnsupportedImageTypeError {
  return new UnsupportedImageTypeError(
    detected,
    `Animated images are not supported (${what}). Accepted types: still ${ACCEPTED_TYPES_TEXT}.`,
  );
}

function checkDimensions(width: number, height: number, limits: ImageLimits): void {
  if (Math.max(width, height) > limits.maxSide) {
    throw new ImageTooLargeError(
      'side',
      Math.max(width, height),
      limits.maxSide,
      `The image is ${width}×${height} pixels; neither side may exceed ${limits.maxSide} pixels.`,
    );
  }
  const pixels = width * height;
  if (pixels > limits.maxPixels) {
    throw new ImageTooLargeError(
      'pixels',
      pixels,
      limits.maxPixels,
      `The image is ${width}×${height} pixels (${(pixels / 1e6).toFixed(1)} megapixels); ` +
        `the limit is ${(limits.maxPixels / 1e6).toFixed(1)} megapixels.`,
    );
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function sharpInput(bytes: Uint8Array, limits: ImageLimits, limitInputPixels: number | false): sharp.Sharp {
  return sharp(toBuffer(bytes), {
    failOn: limits.failOn,
    limitInputPixels,
    // Only the first frame is ever read; animated inputs are rejected before decoding.
    animated: false,
  });
}

function decodeFailure(type: AcceptedImageType, err: unknown): ImageError {
  if (err instanceof ImageError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new ImageDecodeError(
    `The ${imageTypeLabel(type)} image could not be decoded: the file is truncated or corrupt.`,
    detail,
    { cause: err },
  );
}

/** What the header says beyond the public probe: how the pixels are coded, and the colour profile. */
interface Header {
  readonly probe: ImageProbe;
  /** HEIF only: the codec of the primary image ('av1' for AVIF, 'hevc' for HEIC). */
  readonly compression: sharp.Metadata['compression'];
  readonly icc: Buffer | undefined;
}

async function readHeader(bytes: Uint8Array, limits: ImageLimits): Promise<Header> {
  const contentType = checkBytes(bytes, limits);
  let meta: sharp.Metadata;
  try {
    // Header only: no pixel data is decoded here, so a decompression bomb costs nothing.
    // sharp's own pixel limit is off for this call so the size check below can say exactly what is wrong.
    meta = await sharpInput(bytes, limits, false).metadata();
  } catch (err) {
    throw decodeFailure(contentType, err);
  }
  const originalWidth = meta.width;
  const originalHeight = meta.height;
  if (!(originalWidth > 0 && originalHeight > 0)) {
    throw new ImageDecodeError(
      `The ${imageTypeLabel(contentType)} image has no valid dimensions.`,
      `width=${String(originalWidth)} height=${String(originalHeight)}`,
    );
  }
  checkDimensions(originalWidth, originalHeight, limits);
  if ((meta.pages ?? 1) > 1) {
    const label = imageTypeLabel(contentType);
    // A HEIF file may hold several top-level images (libvips counts them as pages).
    throw animatedImageError(`an animated ${label} (${meta.pages} frames)`, `this ${label} has ${meta.pages} frames or images`);
  }
  // HEIF (AVIF, HEIC) rotations live in the container (irot/imir) and libheif applies them, so
  // libvips reports the size after them and no EXIF orientation (EXIF is informative in HEIF).
  const orientation = meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1;
  const swap = orientation >= 5;
  const probe: ImageProbe = {
    contentType,
    width: swap ? originalHeight : originalWidth,
    height: swap ? originalWidth : originalHeight,
    originalWidth,
    originalHeight,
    orientation,
    hasAlpha: meta.hasAlpha,
    byteLength: bytes.length,
  };
  return { probe, compression: meta.compression, icc: meta.icc };
}

/**
 * Validates the bytes and reads the image header (type, size, orientation)
 * without decoding pixels. Fast enough to answer an upload request; note that
 * damage after the header (truncation) is only detected by {@link decodeImage}.
 */
export async function probeImage(bytes: Uint8Array, limits?: Partial<ImageLimits>): Promise<ImageProbe> {
  return (await readHeader(bytes, resolveImageLimits(limits))).probe;
}

/**
 * The pixels as a sharp pipeline input, orientation applied. HEVC-coded HEIF (HEIC) is decoded
 * by libheif-js (sharp's libvips has no HEVC decoder) and handed over as pixels, with the
 * file's ICC profile attached so colour management treats it like any other input; everything
 * else is decoded by libvips itself.
 */
async function pixelSource(bytes: Uint8Array, header: Header, limits: ImageLimits): Promise<sharp.Sharp> {
  if (header.compression !== 'hevc') return sharpInput(bytes, limits, limits.maxPixels).rotate();
  const { probe } = header;
  const pixels = await decodeHevcHeif(bytes);
  if (pixels.width !== probe.width || pixels.height !== probe.height) {
    throw new ImageDecodeError(
      `The ${imageTypeLabel(probe.contentType)} image could not be decoded: its pixels do not match its header.`,
      `header ${probe.width}x${probe.height}, decoded ${pixels.width}x${pixels.height}`,
    );
  }
  const raw = { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels }, limitInputPixels: limits.maxPixels };
  if (!header.icc) return sharp(pixels.data, raw);
  const png = await sharp(pixels.data, raw).png({ compressionLevel: 0 }).toBuffer();
  return sharp(pngWithIccProfile(png, header.icc), { limitInputPixels: limits.maxPixels });
}

/**
 * Validates and fully decodes an image to 8-bit sRGB, 3 channels: EXIF
 * orientation applied, alpha composited over white, CMYK / 16-bit / greyscale
 * inputs converted. Limits are checked from the header before any pixel is
 * decoded.
 */
export async function decodeImage(bytes: Uint8Array, limits?: Partial<ImageLimits>): Promise<DecodedImage> {
  const resolved = resolveImageLimits(limits);
  const header = await readHeader(bytes, resolved);
  const { probe } = header;
  let data: Buffer;
  let info: sharp.OutputInfo;
  try {
    // sharp's pixel limit stays on as a second guard while decoding.
    ({ data, info } = await (await pixelSource(bytes, header, resolved))
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true }));
  } catch (err) {
    throw decodeFailure(probe.contentType, err);
  }
  if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
    throw new ImageDecodeError(
      `The ${imageTypeLabel(probe.contentType)} image decoded to an unexpected pixel layout.`,
      `channels=${info.channels} size=${info.width}x${info.height} bytes=${data.length}`,
    );
  }
  return {
    data,
    width: info.width,
    height: info.height,
    channels: 3,
    contentType: probe.contentType,
    originalWidth: probe.originalWidth,
    originalHeight: probe.originalHeight,
    orientation: probe.orientation,
  };
}
