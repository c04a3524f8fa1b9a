import sharp from 'sharp';
import {
  EmptyImageError,
  ImageDecodeError,
  ImageError,
  ImageTooLargeError,
  UnsupportedImageTypeError,
} from './errors';
import { ImageLimits, resolveImageLimits } from './limits';
import { AcceptedImageType, describeBytes, imageTypeLabel, sniffImageType } from './sniff';

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
  return type;
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

async function readHeader(bytes: Uint8Array, limits: ImageLimits): Promise<ImageProbe> {
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
    throw new UnsupportedImageTypeError(
      `an animated ${imageTypeLabel(contentType)} (${meta.pages} frames)`,
      `Animated images are not supported (this ${imageTypeLabel(contentType)} has ${meta.pages} frames). ` +
        'Accepted types: still JPEG, PNG, WebP.',
    );
  }
  const orientation = meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1;
  const swap = orientation >= 5;
  return {
    contentType,
    width: swap ? originalHeight : originalWidth,
    height: swap ? originalWidth : originalHeight,
    originalWidth,
    originalHeight,
    orientation,
    hasAlpha: meta.hasAlpha,
    byteLength: bytes.length,
  };
}

/**
 * Validates the bytes and reads the image header (type, size, orientation)
 * without decoding pixels. Fast enough to answer an upload request; note that
 * damage after the header (truncation) is only detected by {@link decodeImage}.
 */
export async function probeImage(bytes: Uint8Array, limits?: Partial<ImageLimits>): Promise<ImageProbe> {
  return readHeader(bytes, resolveImageLimits(limits));
}

/**
 * Validates and fully decodes an image to 8-bit sRGB, 3 channels: EXIF
 * orientation applied, alpha composited over white, CMYK / 16-bit / greyscale
 * inputs converted. Limits are checked from the header before any pixel is
 * decoded.
 */
export async function decodeImage(bytes: Uint8Array, limits?: Partial<ImageLimits>): Promise<DecodedImage> {
  const resolved = resolveImageLimits(limits);
  const probe = await readHeader(bytes, resolved);
  let data: Buffer;
  let info: sharp.OutputInfo;
  try {
    // sharp's pixel limit stays on as a second guard while decoding.
    ({ data, info } = await sharpInput(bytes, resolved, resolved.maxPixels)
      .rotate()
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
