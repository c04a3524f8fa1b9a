/**
 * Typed errors raised while validating or decoding an uploaded image.
 * Every error carries a stable `code` (for API clients and logs) and a
 * human-readable `message`; which HTTP status an API answers with is the API's
 * business (libs/http-api maps these classes).
 */
import { ACCEPTED_TYPES_TEXT } from './sniff';

export type ImageErrorCode = 'unsupported_media_type' | 'corrupt_image' | 'image_too_large' | 'empty_file';

export abstract class ImageError extends Error {
  abstract readonly code: ImageErrorCode;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The bytes are not JPEG, PNG, WebP, AVIF or HEIC/HEIF (or are an animation: WebP, APNG, HEIF sequence). */
export class UnsupportedImageTypeError extends ImageError {
  readonly code = 'unsupported_media_type' as const;

  constructor(
    /** What the bytes look like, e.g. "GIF image", "SVG document", "text", "unknown binary data". */
    readonly detected: string,
    message?: string,
  ) {
    super(message ?? `Unsupported image type: the file looks like ${detected}. Accepted types: ${ACCEPTED_TYPES_TEXT}.`);
  }
}

/** The bytes start like an accepted type but cannot be decoded (truncated, corrupt). */
export class ImageDecodeError extends ImageError {
  readonly code = 'corrupt_image' as const;

  constructor(
    message: string,
    /** The decoder's own message, for logs. */
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ImageTooLargeReason = 'bytes' | 'pixels' | 'side';

/** The file or the image it declares exceeds a configured limit. */
export class ImageTooLargeError extends ImageError {
  readonly code = 'image_too_large' as const;

  constructor(
    readonly reason: ImageTooLargeReason,
    readonly actual: number,
    readonly limit: number,
    message: string,
  ) {
    super(message);
  }
}

/** Zero bytes were uploaded. */
export class EmptyImageError extends ImageError {
  readonly code = 'empty_file' as const;

  constructor() {
    super(`The file is empty (0 bytes); expected an image (${ACCEPTED_TYPES_TEXT}).`);
  }
}
