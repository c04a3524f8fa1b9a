// subject-oklab-v3: each subject pixel named by its nearest palette colour in OKLab, the largest share wins.
import { detectColours, oklab, oklabVote, PALETTES, type RgbPixels } from './index';

const pixels = (...rgb: number[][]): RgbPixels => ({ data: Uint8Array.from(rgb.flat()), width: rgb.length, height: 1 });
const repeat = (n: number, rgb: number[]) => Array.from({ length: n }, () => rgb);

describe('oklab', () => {
  it('gives white L = 1 and no chroma, and black 0', () => {
    const out = new Float64Array(6);
    oklab(255, 255, 255, out, 0);
    oklab(0, 0, 0, out, 3);
    expect(out[0]).toBeCloseTo(1, 4);
    expect(Math.abs(out[1]) + Math.abs(out[2])).toBeLessThan(1e-3);
    expect(Array.from(out.slice(3))).toEqual([0, 0, 0]);
  });
});

describe('oklabVote', () => {
  it('names each palette colour as itself, on both palettes', () => {
    for (const c of PALETTES.RGB.colours) expect(oklabVote(pixels(c.rgb as unknown as number[])).rgb.hex).toBe(c.hex);
    for (const c of PALETTES.RYB.colours) expect(oklabVote(pixels(c.rgb as unknown as number[])).ryb.hex).toBe(c.hex);
  });

  it('takes the colour most pixels are nearest to, where the mean distance takes the one in between', () => {
    // 45% yellow, 40% green, 15% chartreuse: the mean sRGB distance picks chartreuse, the colour in between.
    const p = pixels(...repeat(45, [255, 255, 0]), ...repeat(40, [0, 255, 0]), ...repeat(15, [128, 255, 0]));
    expect(detectColours(p).rgb.hex).toBe('#80FF00');
    const vote = oklabVote(p);
    expect(vote.rgb.hex).toBe('#FFFF00');
    expect(vote.rgbShares.find((s) => s.hex === '#FFFF00')?.share).toBeCloseTo(0.45, 10);
    expect(vote.rgbShares.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 10);
    expect(vote.rgb.meanDistances).toHaveLength(12);
  });

  it('names a leaf green (hue 100°) green, where sRGB distance calls it chartreuse', () => {
    const leaf = pixels([85, 255, 0]);
    expect(detectColours(leaf).rgb.hex).toBe('#80FF00');
    expect(oklabVote(leaf).rgb.hex).toBe('#00FF00');
  });

  it('breaks ties to the colour listed first', () => {
    const p = pixels([255, 0, 0], [0, 0, 255]);
    expect(oklabVote(p).rgb.hex).toBe('#FF0000');
  });
});
