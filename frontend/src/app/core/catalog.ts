// Kinds and palettes the API knows: the very modules the server uses (libs/domain kinds,
// libs/colour palettes; both free of Node dependencies), so the console cannot drift from them.
import { KINDS, NOT_A_VEGETABLE, closestKind, isLabel } from '@vegvision/domain/kinds';
import { PALETTE_NAMES, PALETTES as PALETTE_DEFINITIONS, paletteIndexOf, type PaletteName } from '@vegvision/colour/palettes';

export { KINDS, NOT_A_VEGETABLE, PALETTE_NAMES, closestKind, isLabel, type PaletteName };

export const LABELS: readonly string[] = [...KINDS, NOT_A_VEGETABLE];

/** Each palette's hex codes in canonical order. */
export const PALETTES: Readonly<Record<PaletteName, readonly string[]>> = {
  RGB: PALETTE_DEFINITIONS.RGB.hexes,
  RYB: PALETTE_DEFINITIONS.RYB.hexes,
};

/** Index of the colour in the palette's canonical order, or -1. */
export const paletteIndex = paletteIndexOf;

/** Text colour (black or white) that reads well on the given background. */
export function contrastText(hex: string): '#000000' | '#FFFFFF' {
  const n = parseInt(hex.replace('#', ''), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.179 ? '#000000' : '#FFFFFF';
}
