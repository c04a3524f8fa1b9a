/**
 * Content sniffing from magic numbers only. File names and declared
 * Content-Type headers are never consulted.
 */
export type AcceptedImageType = 'image/jpeg' | 'image/png' | 'image/webp';

export const ACCEPTED_IMAGE_TYPES: readonly AcceptedImageType[] = Object.freeze([
  'image/jpeg',
  'image/png',
  'image/webp',
]);

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  for (let i = 0; i < signature.length; i++) {
    if (bytes[offset + i] !== signature[i]) return false;
  }
  return true;
}

function startsWithAscii(bytes: Uint8Array, text: string, offset = 0): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

/** Returns the accepted MIME type the bytes start with, or null. */
export function sniffImageType(bytes: Uint8Array): AcceptedImageType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWithAscii(bytes, 'RIFF') && startsWithAscii(bytes, 'WEBP', 8)) return 'image/webp';
  return null;
}

/** Short human label for an accepted type, e.g. "JPEG". */
export function imageTypeLabel(type: AcceptedImageType): string {
  switch (type) {
    case 'image/jpeg':
      return 'JPEG';
    case 'image/png':
      return 'PNG';
    case 'image/webp':
      return 'WebP';
  }
}

/**
 * Best-effort description of what some (unaccepted) bytes are, used only to
 * write a helpful error message, e.g. "a GIF image", "an SVG document", "text".
 */
export function describeBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty file';
  const accepted = sniffImageType(bytes);
  if (accepted) return `a ${imageTypeLabel(accepted)} image`;
  if (startsWithAscii(bytes, 'GIF87a') || startsWithAscii(bytes, 'GIF89a')) return 'a GIF image';
  if (startsWithAscii(bytes, 'BM')) return 'a BMP image';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return 'a TIFF image';
  }
  if (startsWithAscii(bytes, 'ftyp', 4)) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (brand.startsWith('avi')) return 'an AVIF image';
    if (brand.startsWith('hei') || brand.startsWith('hev') || brand.startsWith('mif')) return 'a HEIC/HEIF image';
    return 'an ISO media file (video or HEIF)';
  }
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'an ICO image';
  if (startsWithAscii(bytes, '%PDF')) return 'a PDF document';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'a ZIP archive';
  if (startsWithAscii(bytes, 'RIFF')) return 'a RIFF file that is not WebP';

  const head = Buffer.from(bytes.subarray(0, 1024)).toString('utf8');
  const trimmed = head.replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (trimmed.startsWith('<svg') || (trimmed.startsWith('<?xml') && trimmed.includes('<svg'))) {
    return 'an SVG document';
  }
  if (trimmed.startsWith('<!doctype html') || trimmed.startsWith('<html')) return 'an HTML document';
  if (isMostlyText(bytes.subarray(0, 1024))) return 'text';
  return 'unknown binary data';
}

function isMostlyText(sample: Uint8Array): boolean {
  let printable = 0;
  for (const b of sample) {
    if (b === 0) return false;
    if (b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b !== 0x7f)) printable++;
  }
  return printable / sample.length > 0.95;
}
