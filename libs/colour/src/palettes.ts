/** The two 12-colour palettes, in their canonical order (ties go to the colour listed first). */
export const PALETTE_NAMES = ['RGB', 'RYB'] as const;
export type PaletteName = (typeof PALETTE_NAMES)[number];

export type Rgb = readonly [r: number, g: number, b: number];

export interface PaletteColour {
  /** Upper-case `#RRGGBB`. */
  readonly hex: string;
  readonly rgb: Rgb;
}

export interface Palette {
  readonly name: PaletteName;
  /** Hex codes in canonical order. */
  readonly hexes: readonly string[];
  /** The same colours with parsed components, in canonical order. */
  readonly colours: readonly PaletteColour[];
}

/** Raised for strings that are not a hex colour. */
export class InvalidHexColourError extends Error {
  readonly code = 'invalid_hex_colour' as const;

  constructor(readonly input: string) {
    super(`Not a hex colour: ${JSON.stringify(input)} (expected #RRGGBB)`);
    this.name = 'InvalidHexColourError';
  }
}

/** Raised for palette names other than RGB / RYB. */
export class UnknownPaletteError extends Error {
  readonly code = 'unknown_palette' as const;

  constructor(readonly input: string) {
    super(`Unknown palette ${JSON.stringify(input)}; expected one of ${PALETTE_NAMES.join(', ')}`);
    this.name = 'UnknownPaletteError';
  }
}

const HEX6 = /^#?([0-9a-f]{6})$/i;
const HEX3 = /^#?([0-9a-f]{3})$/i;

/** Normalised upper-case `#RRGGBB`, or null if the input is not a hex colour. Accepts `RRGGBB`, `#rrggbb`, `#RGB`. */
export function tryNormaliseHex(input: string): string | null {
  if (typeof input !== 'string') return null;
  const s = input.trim();
  const six = HEX6.exec(s);
  if (six) return `#${six[1].toUpperCase()}`;
  const three = HEX3.exec(s);
  if (three) {
    return `#${[...three[1].toUpperCase()].map((c) => c + c).join('')}`;
  }
  return null;
}

/** Normalised upper-case `#RRGGBB`; throws {@link InvalidHexColourError} otherwise. */
export function normaliseHex(input: string): string {
  const hex = tryNormaliseHex(input);
  if (hex === null) throw new InvalidHexColourError(String(input));
  return hex;
}

/** Parses a hex colour into its 8-bit components. */
export function hexToRgb(input: string): Rgb {
  const hex = normaliseHex(input);
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

/** Upper-case `#RRGGBB` for 8-bit components. */
export function rgbToHex(r: number, g: number, b: number): string {
  for (const v of [r, g, b]) {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`Colour component out of range: ${v}`);
  }
  return `#${((r << 16) | (g << 8) | b).toString(16).padStart(6, '0').toUpperCase()}`;
}

function definePalette(name: PaletteName, hexes: readonly string[]): Palette {
  const normalised = hexes.map(normaliseHex);
  return Object.freeze({
    name,
    hexes: Object.freeze(normalised),
    colours: Object.freeze(normalised.map((hex) => Object.freeze({ hex, rgb: Object.freeze(hexToRgb(hex)) as Rgb }))),
  });
}

export const PALETTES: Readonly<Record<PaletteName, Palette>> = Object.freeze({
  RGB: definePalette('RGB', [
    '#FF0000',
    '#FF8000',
    '#FFFF00',
    '#80FF00',
    '#00FF00',
    '#00FF80',
    '#00FFFF',
    '#0080FF',
    '#0000FF',
    '#8000FF',
    '#FF00FF',
    '#FF0080',
  ]),
  RYB: definePalette('RYB', [
    '#FE2712',
    '#FC600A',
    '#FB9902',
    '#FCCC1A',
    '#FEFE33',
    '#B2D732',
    '#66B032',
    '#347C98',
    '#0247FE',
    '#4424D6',
    '#8601AF',
    '#C21460',
  ]),
});

export function isPaletteName(name: unknown): name is PaletteName {
  return typeof name === 'string' && (PALETTE_NAMES as readonly string[]).includes(name);
}

/** Returns the palette, throwing {@link UnknownPaletteError} for other names. */
export function getPalette(name: string): Palette {
  if (!isPaletteName(name)) throw new UnknownPaletteError(name);
  return PALETTES[name];
}

/** Index of the colour in the palette's canonical order, or -1 (also for strings that are not hex colours). */
export function paletteIndexOf(palette: PaletteName, hex: string): number {
  const normalised = tryNormaliseHex(hex);
  return normalised === null ? -1 : getPalette(palette).hexes.indexOf(normalised);
}

/** Whether the (case-insensitive) hex code is one of the palette's colours. */
export function isPaletteColour(palette: PaletteName, hex: string): boolean {
  return paletteIndexOf(palette, hex) >= 0;
}
