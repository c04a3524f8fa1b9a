// Kinds and palettes the API knows (mirrors libs/domain KINDS and libs/colour PALETTES).
import type { PaletteName } from './api.types';

export const KINDS = [
  'Bean',
  'Bitter_Gourd',
  'Bottle_Gourd',
  'Brinjal',
  'Broccoli',
  'Cabbage',
  'Capsicum',
  'Carrot',
  'Cauliflower',
  'Cucumber',
  'Papaya',
  'Potato',
  'Pumpkin',
  'Radish',
  'Tomato',
] as const;

export const NOT_A_VEGETABLE = 'not_a_vegetable';

export const LABELS: readonly string[] = [...KINDS, NOT_A_VEGETABLE];

export const PALETTE_NAMES: readonly PaletteName[] = ['RGB', 'RYB'];

export const PALETTES: Readonly<Record<PaletteName, readonly string[]>> = {
  RGB: ['#FF0000', '#FF8000', '#FFFF00', '#80FF00', '#00FF00', '#00FF80', '#00FFFF', '#0080FF', '#0000FF', '#8000FF', '#FF00FF', '#FF0080'],
  RYB: ['#FE2712', '#FC600A', '#FB9902', '#FCCC1A', '#FEFE33', '#B2D732', '#66B032', '#347C98', '#0247FE', '#4424D6', '#8601AF', '#C21460'],
};

export function isLabel(value: string): boolean {
  return LABELS.includes(value);
}

export function paletteIndex(palette: PaletteName, hex: string): number {
  return PALETTES[palette].indexOf(hex.toUpperCase());
}

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
