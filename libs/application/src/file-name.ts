// File names given by clients (multipart `filename`, import paths) reach the catalog only as a
// harmless, bounded base name.

/**
 * Characters removed from names: every control character (C0, DEL, C1: \p{Cc}), format
 * characters (\p{Cf}: bidirectional overrides such as U+202E, zero-width spaces, BOM, soft
 * hyphen...) except the zero-width (non-)joiners that scripts and emoji sequences need, line and
 * paragraph separators, and lone surrogates.
 */
const UNSAFE = /(?![\u200c\u200d])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|\p{Cs}/gu;
export const MAX_FILE_NAME_LENGTH = 200;

/** Keeps only a harmless base name: no directories, no control or format characters, NFC, at most 200 code points. */
export function sanitiseFileName(name: string | undefined): string {
  if (!name) return '';
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.normalize('NFC').replace(UNSAFE, '').replace(/^[.\s]+/, '').trimEnd();
  // Cut by code points, so a surrogate pair (an emoji) is never split in two.
  return [...clean].slice(0, MAX_FILE_NAME_LENGTH).join('');
}
