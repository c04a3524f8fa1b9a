import { ColourDetection, detectColours, InvalidPixelsError, PALETTE_NAMES, PALETTES, PaletteName, RgbPixels } from './index';
import { referenceDominantColour, referenceNearestColour, referenceShares } from './testing';

jest.setTimeout(120_000);

type Rgb = readonly [number, number, number];

function solidImage(c: Rgb, width = 7, height = 5): RgbPixels {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(c, i * 3);
  return { data, width, height };
}

/** Deterministic pseudo-random generator (LCG) so failures are reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
}

function noiseImage(width: number, height: number, seed: number): RgbPixels {
  const next = lcg(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = next();
  return { data, width, height };
}

function resultFor(detection: ColourDetection, palette: PaletteName) {
  return palette === 'RGB' ? detection.rgb : detection.ryb;
}

function sharesFor(detection: ColourDetection, palette: PaletteName) {
  return palette === 'RGB' ? detection.rgbShares : detection.rybShares;
}

/** The fast implementation agrees with the slow reference: same hex, means equal to ~1e-12. */
function expectMatchesReference(pixels: RgbPixels, variant: 'correct' | 'legacy-uint8-wraparound'): void {
  const detection = detectColours(pixels, { variant });
  for (const palette of PALETTE_NAMES) {
    const fast = resultFor(detection, palette);
    const ref = referenceDominantColour(pixels, palette, variant);
    expect(fast.hex).toBe(ref.hex);
    expect(fast.meanDistances).toHaveLength(12);
    fast.meanDistances.forEach((m, k) => {
      expect(Math.abs(m - ref.meanDistances[k])).toBeLessThanOrEqual(1e-12 * Math.max(1, ref.meanDistances[k]));
    });
    const fastShares = sharesFor(detection, palette);
    const refShares = referenceShares(pixels, palette);
    expect(fastShares.map((s) => s.hex)).toEqual(PALETTES[palette].hexes);
    fastShares.forEach((s, k) => expect(s.share).toBeCloseTo(refShares[k].share, 12));
    expect(fastShares.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 12);
  }
}

/**
 * Finds a pixel whose two nearest palette colours (exact integer squared distances) are tied,
 * returning the pixel and the index of the first of them.
 */
function findTie(palette: PaletteName): { pixel: Rgb; first: number; second: number } {
  const cs = PALETTES[palette].colours.map((c) => c.rgb);
  for (let i = 0; i < cs.length; i++) {
    for (let j = i + 1; j < cs.length; j++) {
      // Equidistant plane: 2 p·(cj - ci) = |cj|² - |ci|², solved for b.
      const [ar, ag, ab] = cs[i];
      const [br, bg, bb] = cs[j];
      const db = 2 * (bb - ab);
      if (db === 0) continue;
      const rhs0 = br * br + bg * bg + bb * bb - (ar * ar + ag * ag + ab * ab);
      for (let r = 0; r < 256; r++) {
        for (let g = 0; g < 256; g++) {
          const num = rhs0 - 2 * r * (br - ar) - 2 * g * (bg - ag);
          if (num % db !== 0) continue;
          const b = num / db;
          if (b < 0 || b > 255) continue;
          const d = cs.map(([cr, cg, cb]) => (r - cr) ** 2 + (g - cg) ** 2 + (b - cb) ** 2);
          const min = Math.min(...d);
          if (d[i] === min && d[j] === min && d.filter((x) => x === min).length === 2) {
            return { pixel: [r, g, b], first: i, second: j };
          }
        }
      }
    }
  }
  throw new Error(`no tie found for ${palette}`);
}

describe('detectColours (correct variant)', () => {
  it('reports the algorithm version', () => {
    expect(detectColours(solidImage([1, 2, 3])).algorithmVersion).toBe('mean-euclidean-v1');
    expect(detectColours(solidImage([1, 2, 3]), { variant: 'correct' }).algorithmVersion).toBe('mean-euclidean-v1');
    expect(detectColours(solidImage([1, 2, 3]), { variant: 'legacy-uint8-wraparound' }).algorithmVersion).toBe(
      'legacy-uint8-wraparound-v1',
    );
  });

  it.each(PALETTE_NAMES)('maps every %s palette colour to itself, with distance 0 and a full share', (palette) => {
    PALETTES[palette].colours.forEach(({ hex, rgb }, k) => {
      const detection = detectColours(solidImage(rgb));
      const result = resultFor(detection, palette);
      expect(result.hex).toBe(hex);
      expect(result.meanDistances[k]).toBe(0);
      expect(sharesFor(detection, palette)[k]).toEqual({ hex, share: 1 });
    });
  });

  it('maps random solid colours to their nearest palette colour, with exact distances', () => {
    const next = lcg(42);
    for (let t = 0; t < 120; t++) {
      const c: Rgb = [next(), next(), next()];
      const pixels = solidImage(c, 3, 2);
      const detection = detectColours(pixels);
      for (const palette of PALETTE_NAMES) {
        const result = resultFor(detection, palette);
        expect(result.hex).toBe(referenceNearestColour(palette, ...c));
        PALETTES[palette].colours.forEach(({ rgb }, k) => {
          expect(result.meanDistances[k]).toBeCloseTo(Math.hypot(c[0] - rgb[0], c[1] - rgb[1], c[2] - rgb[2]), 10);
        });
      }
      expectMatchesReference(pixels, 'correct');
    }
  });

  it('averages over a two-colour image (a mean, not a vote)', () => {
    // 3 white pixels and 1 red: most pixels are nearest to yellow (#FFFF00, white is 255 from it and
    // listed before cyan/magenta), but the smallest mean distance is orange (#FF8000).
    const width = 4;
    const white: Rgb = [255, 255, 255];
    const red: Rgb = [255, 0, 0];
    const data = new Uint8Array([...white, ...white, ...white, ...red]);
    const pixels = { data, width, height: 1 };
    const detection = detectColours(pixels);
    const dist = (p: Rgb, c: Rgb) => Math.hypot(p[0] - c[0], p[1] - c[1], p[2] - c[2]);
    PALETTES.RGB.colours.forEach(({ rgb }, k) =>
      expect(detection.rgb.meanDistances[k]).toBeCloseTo((3 * dist(white, rgb) + dist(red, rgb)) / width, 10),
    );
    expect(detection.rgb.hex).toBe('#FF8000');
    expect(detection.rgbShares.find((s) => s.hex === '#FFFF00')?.share).toBe(0.75);
    expect(detection.rgbShares.find((s) => s.hex === '#FF0000')?.share).toBe(0.25);
    expectMatchesReference(pixels, 'correct');
  });

  it('breaks an exact tie in favour of the colour listed first (RGB: red vs orange)', () => {
    // (255, 64, 0) is exactly 64 from #FF0000 and from #FF8000.
    const pixels = solidImage([255, 64, 0]);
    const detection = detectColours(pixels);
    expect(detection.rgb.meanDistances[0]).toBe(64);
    expect(detection.rgb.meanDistances[1]).toBe(64);
    expect(detection.rgb.hex).toBe('#FF0000');
    expect(detection.rgbShares[0].share).toBe(1);
    expect(referenceDominantColour(pixels, 'RGB').hex).toBe('#FF0000');
  });

  it.each(PALETTE_NAMES)('breaks exact ties on the %s palette in favour of the colour listed first', (palette) => {
    const { pixel, first, second } = findTie(palette);
    const detection = detectColours(solidImage(pixel));
    const result = resultFor(detection, palette);
    expect(result.meanDistances[first]).toBe(result.meanDistances[second]);
    expect(result.hex).toBe(PALETTES[palette].hexes[first]);
    expect(sharesFor(detection, palette)[first].share).toBe(1);
    // A two-colour image mixing the tie pixel with nothing else keeps the tie.
    const mixed = solidImage(pixel, 2, 2);
    expect(resultFor(detectColours(mixed), palette).hex).toBe(PALETTES[palette].hexes[first]);
  });

  it('matches the reference on random noise images, including one larger than a processing chunk', () => {
    expectMatchesReference(noiseImage(13, 11, 1), 'correct');
    expectMatchesReference(noiseImage(224, 224, 2), 'correct');
    // 520 × 510 = 265,200 pixels: more than one 2^18-pixel chunk.
    expectMatchesReference(noiseImage(520, 510, 3), 'correct');
  });

  it('is independent of pixel order', () => {
    const a = noiseImage(50, 40, 9);
    const reversed = new Uint8Array(a.data.length);
    const n = a.width * a.height;
    for (let i = 0; i < n; i++) reversed.set(a.data.subarray(3 * i, 3 * i + 3), 3 * (n - 1 - i));
    expect(detectColours({ ...a, data: reversed })).toEqual(detectColours(a));
  });

  it('accepts a Buffer and a Uint8Array view with an offset', () => {
    const base = noiseImage(10, 10, 5);
    const padded = new Uint8Array(base.data.length + 7);
    padded.set(base.data, 7);
    const view = { data: padded.subarray(7), width: 10, height: 10 };
    const asBuffer = { data: Buffer.from(base.data), width: 10, height: 10, channels: 3 };
    expect(detectColours(view)).toEqual(detectColours(base));
    expect(detectColours(asBuffer)).toEqual(detectColours(base));
  });
});

describe('detectColours (legacy-uint8-wraparound variant)', () => {
  it('matches the reference wrap-around arithmetic on noise and solid images', () => {
    expectMatchesReference(noiseImage(13, 11, 11), 'legacy-uint8-wraparound');
    expectMatchesReference(noiseImage(224, 224, 12), 'legacy-uint8-wraparound');
    expectMatchesReference(noiseImage(520, 510, 13), 'legacy-uint8-wraparound');
    const next = lcg(7);
    for (let t = 0; t < 60; t++) expectMatchesReference(solidImage([next(), next(), next()], 2, 2), 'legacy-uint8-wraparound');
  });

  it('reproduces the defect: pure green is labelled #80FF00', () => {
    // Pure green (0, 255, 0) vs #FF0000: (0-255) mod 256 = 1 → 1, (255-0)² mod 256 = 1, 0 → sqrt(2).
    // vs #80FF00: (0-128) mod 256 = 128, 128² = 16384 ≡ 0 (mod 256) → distance 0, tying with #00FF00,
    // and #80FF00 is listed first.
    const legacy = detectColours(solidImage([0, 255, 0]), { variant: 'legacy-uint8-wraparound' });
    expect(legacy.rgb.meanDistances[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(legacy.rgb.meanDistances[3]).toBe(0);
    expect(legacy.rgb.meanDistances[4]).toBe(0);
    expect(legacy.rgb.hex).toBe('#80FF00');
    expect(detectColours(solidImage([0, 255, 0])).rgb.hex).toBe('#00FF00');
    // Shares always use correct arithmetic.
    expect(legacy.rgbShares[4].share).toBe(1);
    // Legacy distances never exceed sqrt(765).
    const noisy = detectColours(noiseImage(30, 30, 3), { variant: 'legacy-uint8-wraparound' });
    for (const m of [...noisy.rgb.meanDistances, ...noisy.ryb.meanDistances]) expect(m).toBeLessThanOrEqual(Math.sqrt(765));
  });

  it('breaks ties in favour of the colour listed first', () => {
    // Pure black: every wrapped square of 0x00/0x80/0xFF is 0 or 1 (0x80² = 0x4000 ≡ 0; 0xFF² ≡ 1),
    // so several RGB colours tie; the first tied colour must win.
    const pixels = solidImage([0, 0, 0]);
    const legacy = detectColours(pixels, { variant: 'legacy-uint8-wraparound' });
    const min = Math.min(...legacy.rgb.meanDistances);
    const firstTied = legacy.rgb.meanDistances.indexOf(min);
    expect(legacy.rgb.meanDistances.filter((m) => m === min).length).toBeGreaterThan(1);
    expect(legacy.rgb.hex).toBe(PALETTES.RGB.hexes[firstTied]);
    expect(referenceDominantColour(pixels, 'RGB', 'legacy-uint8-wraparound').hex).toBe(legacy.rgb.hex);
  });
});

describe('detectColours: invalid input', () => {
  it.each([
    ['wrong length', { data: new Uint8Array(10), width: 2, height: 2 }],
    ['zero size', { data: new Uint8Array(0), width: 0, height: 0 }],
    ['fractional size', { data: new Uint8Array(6), width: 1.5, height: 1 }],
    ['four channels', { data: new Uint8Array(16), width: 2, height: 2, channels: 4 }],
    ['not bytes', { data: new Float32Array(12) as unknown as Uint8Array, width: 2, height: 2 }],
  ])('rejects %s with InvalidPixelsError', (_label, pixels) => {
    expect(() => detectColours(pixels)).toThrow(InvalidPixelsError);
    try {
      detectColours(pixels);
    } catch (err) {
      expect((err as InvalidPixelsError).code).toBe('invalid_pixels');
    }
  });

  it('rejects an unknown variant', () => {
    expect(() => detectColours(solidImage([0, 0, 0]), { variant: 'fast' as 'correct' })).toThrow(InvalidPixelsError);
  });
});
