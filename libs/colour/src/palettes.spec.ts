import {
  getPalette,
  hexToRgb,
  InvalidHexColourError,
  isPaletteColour,
  normaliseHex,
  paletteIndexOf,
  PALETTE_NAMES,
  PALETTES,
  rgbToHex,
  tryNormaliseHex,
  UnknownPaletteError,
} from './index';

describe('palettes', () => {
  it('keeps the canonical orders', () => {
    expect(PALETTE_NAMES).toEqual(['RGB', 'RYB']);
    expect(PALETTES.RGB.hexes).toEqual(
      '#FF0000 #FF8000 #FFFF00 #80FF00 #00FF00 #00FF80 #00FFFF #0080FF #0000FF #8000FF #FF00FF #FF0080'.split(' '),
    );
    expect(PALETTES.RYB.hexes).toEqual(
      '#FE2712 #FC600A #FB9902 #FCCC1A #FEFE33 #B2D732 #66B032 #347C98 #0247FE #4424D6 #8601AF #C21460'.split(' '),
    );
  });

  it('parses every colour', () => {
    expect(PALETTES.RGB.colours[1]).toEqual({ hex: '#FF8000', rgb: [255, 128, 0] });
    expect(PALETTES.RYB.colours[7]).toEqual({ hex: '#347C98', rgb: [0x34, 0x7c, 0x98] });
    for (const name of PALETTE_NAMES) {
      expect(PALETTES[name].name).toBe(name);
      expect(PALETTES[name].colours).toHaveLength(12);
      for (const c of PALETTES[name].colours) expect(rgbToHex(...c.rgb)).toBe(c.hex);
    }
  });

  it('is immutable', () => {
    expect(Object.isFrozen(PALETTES)).toBe(true);
    expect(Object.isFrozen(PALETTES.RGB.hexes)).toBe(true);
    expect(Object.isFrozen(PALETTES.RYB.colours[0].rgb)).toBe(true);
  });

  it('normalises hex codes to upper-case #RRGGBB', () => {
    expect(normaliseHex('#ff8000')).toBe('#FF8000');
    expect(normaliseHex('ff8000')).toBe('#FF8000');
    expect(normaliseHex(' #Fe2712 ')).toBe('#FE2712');
    expect(normaliseHex('#f80')).toBe('#FF8800');
    expect(tryNormaliseHex('#ff80')).toBeNull();
    expect(tryNormaliseHex('red')).toBeNull();
    expect(tryNormaliseHex('#GG0000')).toBeNull();
    expect(() => normaliseHex('#12345')).toThrow(InvalidHexColourError);
    try {
      normaliseHex('nope');
    } catch (err) {
      expect((err as InvalidHexColourError).code).toBe('invalid_hex_colour');
    }
    expect(hexToRgb('#0247fe')).toEqual([2, 0x47, 0xfe]);
    expect(() => rgbToHex(256, 0, 0)).toThrow(RangeError);
  });

  it('answers palette membership case-insensitively', () => {
    expect(isPaletteColour('RGB', '#ff0080')).toBe(true);
    expect(isPaletteColour('RGB', 'FF0080')).toBe(true);
    expect(isPaletteColour('RYB', '#FF0080')).toBe(false);
    expect(isPaletteColour('RYB', '#c21460')).toBe(true);
    expect(isPaletteColour('RGB', 'not a colour')).toBe(false);
    expect(paletteIndexOf('RYB', '#C21460')).toBe(11);
    expect(paletteIndexOf('RGB', '#123456')).toBe(-1);
    expect(getPalette('RYB')).toBe(PALETTES.RYB);
    expect(() => getPalette('CMYK')).toThrow(UnknownPaletteError);
    expect(() => isPaletteColour('CMYK' as 'RGB', '#FF0000')).toThrow(UnknownPaletteError);
  });
});
