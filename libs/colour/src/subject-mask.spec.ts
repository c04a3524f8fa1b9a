// The subject colour on synthetic photos whose vegetable and backdrop are known.
import { detectColours, subjectMask, type RgbPixels } from './index';

/** A w × h photo of `back`, with `fill` where `inside(x, y)`; deterministic noise (`spread` levels) on both. */
function photo(w: number, h: number, back: number[], fill: number[], inside: (x: number, y: number) => boolean, spread = 17): RgbPixels {
  const data = new Uint8Array(w * h * 3);
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) % spread) - (spread >> 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = inside(x, y) ? fill : back;
      for (let k = 0; k < 3; k++) data[(y * w + x) * 3 + k] = Math.max(0, Math.min(255, c[k] + noise()));
    }
  }
  return { data, width: w, height: h };
}

const SAND = [214, 190, 150];
const BLUE_CLOTH = [40, 70, 170];
const disc = (w: number, h: number, r: number) => (x: number, y: number) => (x - w / 2) ** 2 + (y - h / 2) ** 2 < r * r;

describe('subject colour (subject-oklab-v3)', () => {
  it('a red disc on sand is red; the whole photo is not', () => {
    const p = photo(200, 150, SAND, [200, 30, 25], disc(200, 150, 40));
    const subject = detectColours(p, { variant: 'subject' });
    expect(subject.algorithmVersion).toBe('subject-oklab-v3');
    expect(subject.rgb.hex).toBe('#FF0000');
    expect(subject.ryb.hex).toBe('#FE2712');
    expect(detectColours(p).rgb.hex).not.toBe('#FF0000');
  });

  it('a green cucumber on a blue cloth is green, not blue', () => {
    const cucumber = (x: number, y: number) => ((x - 150) / 110) ** 2 + ((y - 100) / 35) ** 2 < 1;
    const p = photo(300, 200, BLUE_CLOTH, [50, 150, 45], cucumber);
    const subject = detectColours(p, { variant: 'subject' });
    expect(subject.rgb.hex).toBe('#00FF00');
    expect(['#66B032', '#B2D732']).toContain(subject.ryb.hex);
    expect(detectColours(p).rgb.hex).toBe('#0080FF'); // the whole photo follows the cloth
  });

  it('finds the disc: the mask covers it and little else', () => {
    const w = 160;
    const inside = disc(w, w, 40);
    const m = subjectMask(photo(w, w, SAND, [200, 30, 25], inside));
    expect(m.layout).toBe('object');
    let right = 0;
    for (let i = 0; i < w * w; i++) if ((m.foreground[i] === 1) === inside(i % w, Math.floor(i / w))) right++;
    expect(right / (w * w)).toBeGreaterThan(0.98);
  });

  it('a photo filled by one vegetable (a pile) is measured on the vegetable, not on what differs', () => {
    // Speckled carrots fill the frame (a textured ring, like the seed sample's piles); a dark gap in the middle is not the subject.
    const w = 160;
    const p = photo(w, w, [225, 115, 40], [25, 20, 15], disc(w, w, 14), 80);
    const m = subjectMask(p);
    expect(m.layout).toBe('pile');
    expect(m.foreground[80 * w + 80]).toBe(0);
    expect(detectColours(p, { variant: 'subject' }).rgb.hex).toBe('#FF8000');
  });

  it('a plain photo has every pixel as subject; large photos are measured on a grid sample', () => {
    const plain = photo(40, 30, [0, 200, 0], [0, 200, 0], () => false);
    expect(subjectMask(plain).share).toBe(1);
    const big = photo(1200, 900, SAND, [200, 30, 25], disc(1200, 900, 250));
    const m = subjectMask(big);
    expect(Math.max(m.grid.width, m.grid.height)).toBeLessThanOrEqual(160);
    expect(detectColours(big, { variant: 'subject' }).rgb.hex).toBe('#FF0000');
  });

  it('validates pixels like the other variants', () => {
    expect(() => detectColours({ data: new Uint8Array(5), width: 2, height: 1 }, { variant: 'subject' })).toThrow('Expected 6 bytes');
  });
});
