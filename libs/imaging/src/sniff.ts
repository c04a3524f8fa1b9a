/**
 * Content sniffing from magic numbers (and, for HEIF, the `ftyp` box's brands) only. File
 * names and declared Content-Type headers are never consulted.
 */
export type AcceptedImageType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/avif' | 'image/heic' | 'image/heif';

export const ACCEPTED_IMAGE_TYPES: readonly AcceptedImageType[] = Object.freeze([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/avif',
  'image/heic',
  'image/heif',
]);

/** The accepted types in words, for messages. */
export const ACCEPTED_TYPES_TEXT = 'JPEG, PNG, WebP, AVIF, HEIC/HEIF';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** HEIF brands (ISO/IEC 23008-12 Annex B, AV1 Image File Format) by what they promise. */
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEVC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const STRUCTURAL_BRANDS = new Set(['mif1', 'msf1', 'mif2', 'miaf']);
/**
 * Major brands that make the file an image sequence (a timed track): an animation. A still
 * image whose ftyp merely lists one of these among its compatible brands (some phones add a
 * track beside the photo) is read as the still primary image.
 */
const SEQUENCE_BRANDS = new Set(['avis', 'msf1', 'hevc', 'hevx', 'hevm', 'hevs']);

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

function u32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** The ISO BMFF `ftyp` box at the start of the bytes: its major brand and every brand it lists. */
export interface FileTypeBox {
  readonly majorBrand: string;
  /** The major brand and the compatible brands. */
  readonly brands: ReadonlySet<string>;
}

/** Reads the leading `ftyp` box (HEIF, AVIF, MP4...), or null when the bytes do not start with one. */
export function readFileTypeBox(bytes: Uint8Array): FileTypeBox | null {
  if (!startsWithAscii(bytes, 'ftyp', 4)) return null;
  const size = u32(bytes, 0);
  if (size < 16 || size > bytes.length || size > 4096 || size % 4 !== 0) return null;
  const majorBrand = ascii(bytes, 8, 12);
  const brands = new Set([majorBrand]);
  for (let off = 16; off + 4 <= size; off += 4) brands.add(ascii(bytes, off, off + 4));
  return { majorBrand, brands };
}

function heifType(ftyp: FileTypeBox): AcceptedImageType | null {
  const has = (set: ReadonlySet<string>) => [...ftyp.brands].some((b) => set.has(b));
  if (has(AVIF_BRANDS)) return 'image/avif';
  if (has(HEVC_BRANDS)) return 'image/heic';
  if (has(STRUCTURAL_BRANDS)) return 'image/heif';
  return null;
}

/** Returns the accepted MIME type the bytes start with, or null. */
export function sniffImageType(bytes: Uint8Array): AcceptedImageType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWithAscii(bytes, 'RIFF') && startsWithAscii(bytes, 'WEBP', 8)) return 'image/webp';
  const ftyp = readFileTypeBox(bytes);
  return ftyp ? heifType(ftyp) : null;
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
    case 'image/avif':
      return 'AVIF';
    case 'image/heic':
      return 'HEIC';
    case 'image/heif':
      return 'HEIF';
  }
}

/**
 * What makes the bytes of an accepted type an animation, read from the container alone
 * (before any decoding), or null: an APNG's `acTL` chunk before the image data, or a HEIF/AVIF
 * `ftyp` that declares an image sequence. Animated GIF is not an accepted type at all, and
 * animated WebP is recognised by its frame count in the header.
 */
export function sniffAnimation(bytes: Uint8Array, type: AcceptedImageType): string | null {
  if (type === 'image/png') return apngAnimation(bytes);
  if (type === 'image/avif' || type === 'image/heic' || type === 'image/heif') {
    const ftyp = readFileTypeBox(bytes);
    return ftyp && SEQUENCE_BRANDS.has(ftyp.majorBrand) ? `an image sequence (brand "${ftyp.majorBrand}")` : null;
  }
  return null;
}

/**
 * An APNG declares its animation in an `acTL` chunk before the first IDAT. One frame that is
 * the default image itself (an `fcTL` before IDAT) is a still picture; anything else animates.
 */
function apngAnimation(bytes: Uint8Array): string | null {
  let fcTLBeforeIdat = false;
  let frames: number | null = null;
  for (let off = 8; off + 12 <= bytes.length; ) {
    const length = u32(bytes, off);
    const type = ascii(bytes, off + 4, off + 8);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'acTL' && length >= 8 && off + 16 <= bytes.length) frames = u32(bytes, off + 8);
    if (type === 'fcTL') fcTLBeforeIdat = true;
    off += 12 + length;
  }
  if (frames === null) return null;
  if (frames === 1 && fcTLBeforeIdat) return null;
  return `an animated PNG (APNG, ${frames} frame${frames === 1 ? '' : 's'}${fcTLBeforeIdat ? '' : ' after a still default image'})`;
}

/**
 * Best-effort description of what some (unaccepted) bytes are, used only to
 * write a helpful error message, e.g. "a GIF image", "an SVG document", "text".
 */
export function describeBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty file';
  const accepted = sniffImageType(bytes);
  if (accepted) return `a${accepted === 'image/avif' ? 'n' : ''} ${imageTypeLabel(accepted)} image`;
  if (startsWithAscii(bytes, 'GIF87a') || startsWithAscii(bytes, 'GIF89a')) return 'a GIF image';
  if (startsWithAscii(bytes, 'BM')) return 'a BMP image';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return 'a TIFF image';
  }
  if (startsWithAscii(bytes, 'ftyp', 4)) return 'an ISO media file that is not a HEIF image (a video?)';
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
