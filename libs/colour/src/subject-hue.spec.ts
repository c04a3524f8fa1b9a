// The subject's pixels at full strength: what a person names when asked the colour.
import { detectColours, fullStrengthHues, MIN_CHROMA, type RgbPixels } from './index';

const pixels = (...rgb: number[][]): RgbPixels => ({ data: Uint8Array.from(rgb.flat()), width: rgb.length, height: 1 });

describe('fullStrengthHues', () => {
  it('takes a dark olive and a pale lime to the same full-strength hue', () => {
    const out = fullStrengthHues(pixels([60, 80, 20], [210, 230, 170]));
    expect(Array.from(out?.data ?? [])).toEqual([170, 255, 0, 170, 255, 0]);
  });

  it('leaves out greys and whites, whose hue is noise', () => {
    const out = fullStrengthHues(pixels([200, 40, 30], [128, 128, 128], [250, 250, 250 - MIN_CHROMA + 1]));
    expect(out).toMatchObject({ width: 1, height: 1 });
    expect(Array.from(out?.data ?? [])).toEqual([255, 15, 0]);
  });

  it('gives null when too little of the subject has a hue (a white cauliflower)', () => {
    const white = Array.from({ length: 40 }, () => [235, 232, 228]);
    expect(fullStrengthHues(pixels(...white, [200, 40, 30]))).toBeNull();
    expect(fullStrengthHues(pixels([0, 0, 0]))).toBeNull();
  });
});

describe('subject colour variants', () => {
  it('measures a shaded green vegetable as the green of the wheel; the earlier subject versions stay available', () => {
    const shaded = pixels(...Array.from({ length: 50 }, (_, i) => [20 + (i % 5) * 4, 70 + (i % 7) * 8, 30 + (i % 3) * 6]));
    expect(detectColours(shaded, { variant: 'subject' })).toMatchObject({ algorithmVersion: 'subject-oklab-v3', rgb: { hex: '#00FF00' } });
    expect(detectColours(shaded, { variant: 'subject-hue' })).toMatchObject({ algorithmVersion: 'subject-hue-v2', rgb: { hex: '#00FF00' } });
    expect(detectColours(shaded, { variant: 'subject-border' })).toMatchObject({ algorithmVersion: 'subject-border-v1' });
  });

  it('refuses an unknown variant', () => {
    expect(() => detectColours(pixels([1, 2, 3]), { variant: 'nope' as never })).toThrow('Unknown colour algorithm variant');
  });
});
