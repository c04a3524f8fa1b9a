import sharp from 'sharp';
import { heifFixture } from '@vegvision/test-support';
import { ClassifierInputError } from './errors';
import {
  IMAGENET_MEAN,
  IMAGENET_STD,
  assertRgbImage,
  decodeToRgb,
  normalizeToChw,
  preprocess,
  resizeCover,
  type DecodedRgbImage,
} from './preprocess';
import { negEnergy, softmax } from './rejection';
import { RED, solidDecoded } from './test-helpers';

jest.setTimeout(60_000);

const norm = (v: number, c: number) => Math.fround(Math.fround(Math.fround(v / 255) - Math.fround(IMAGENET_MEAN[c])) / Math.fround(IMAGENET_STD[c]));

describe('normalizeToChw (pure)', () => {
  it('lays out HWC bytes as CHW floats with (v/255 - mean)/std', () => {
    // 2x2 image, pixel i = (10i, 10i+1, 10i+2)
    const rgb = new Uint8Array([0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);
    const out = normalizeToChw(rgb, 2);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out).toHaveLength(12);
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < 4; i++) expect(out[c * 4 + i]).toBe(norm(10 * i + c, c));
    }
    expect(out[0]).toBeCloseTo((0 / 255 - 0.485) / 0.229, 6);
    expect(out[11]).toBeCloseTo((32 / 255 - 0.406) / 0.225, 6);
  });

  it('honours custom mean/std and writes into a batch tensor at an offset', () => {
    const rgb = new Uint8Array([255, 0, 51]);
    const batch = new Float32Array(6).fill(9);
    normalizeToChw(rgb, 1, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], batch, 3);
    expect(Array.from(batch.subarray(0, 3))).toEqual([9, 9, 9]);
    expect(batch[3]).toBeCloseTo(1, 6);
    expect(batch[4]).toBeCloseTo(-1, 6);
    expect(batch[5]).toBeCloseTo(-0.6, 6);
  });

  it('rejects a buffer of the wrong size and an output that is too small', () => {
    expect(() => normalizeToChw(new Uint8Array(11), 2)).toThrow(ClassifierInputError);
    expect(() => normalizeToChw(new Uint8Array(12), 2, undefined, undefined, new Float32Array(12), 1)).toThrow(RangeError);
  });
});

describe('resizeCover / preprocess', () => {
  it('keeps a solid colour exact at any size and aspect ratio', async () => {
    for (const [w, h] of [
      [224, 224],
      [300, 120],
      [7, 50],
      [1, 1],
    ]) {
      const out = await resizeCover(solidDecoded([200, 100, 50], w, h), 32);
      expect(out).toHaveLength(32 * 32 * 3);
      for (let i = 0; i < out.length; i += 3) expect([out[i], out[i + 1], out[i + 2]]).toEqual([200, 100, 50]);
    }
  });

  it('scales the shorter side and centre-crops the longer one', async () => {
    // 96x32: left third red, middle third green, right third blue -> cover to 32x32 keeps only the green middle
    const w = 96;
    const h = 32;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) data.set(x < 32 ? [255, 0, 0] : x < 64 ? [0, 255, 0] : [0, 0, 255], (y * w + x) * 3);
    const out = await resizeCover({ data, width: w, height: h }, 32);
    for (const x of [3, 16, 28]) {
      const i = (10 * 32 + x) * 3;
      expect([out[i], out[i + 1], out[i + 2]]).toEqual([0, 255, 0]);
    }
  });

  it('returns the pixels unchanged when the image already has the target size', async () => {
    const img = solidDecoded(RED, 32, 32);
    expect(await resizeCover(img, 32)).toBe(img.data);
  });

  it('preprocess = resizeCover + normalizeToChw', async () => {
    const img = solidDecoded([10, 128, 250], 64, 40);
    const t = await preprocess(img, 16);
    expect(t).toHaveLength(3 * 16 * 16);
    expect(t[0]).toBe(norm(10, 0));
    expect(t[16 * 16]).toBe(norm(128, 1));
    expect(t[2 * 16 * 16 + 5]).toBe(norm(250, 2));
  });

  it('assertRgbImage rejects inconsistent pixel buffers', () => {
    const bad: DecodedRgbImage[] = [
      { data: new Uint8Array(12), width: 2, height: 3 },
      { data: new Uint8Array(0), width: 0, height: 0 },
      { data: new Uint8Array(16), width: 2, height: 2, channels: 4 },
      { data: new Uint8Array(6), width: 1.5, height: 1 },
    ];
    for (const img of bad) expect(() => assertRgbImage(img)).toThrow(ClassifierInputError);
  });
});

describe('decodeToRgb', () => {
  it('composites alpha over white', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const img = await decodeToRgb(png);
    expect(img).toMatchObject({ width: 4, height: 4, channels: 3 });
    expect(Array.from(img.data.subarray(0, 3))).toEqual([255, 255, 255]);
  });

  it('applies the EXIF orientation', async () => {
    const jpeg = await sharp({ create: { width: 20, height: 10, channels: 3, background: '#00ff00' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const img = await decodeToRgb(jpeg);
    expect([img.width, img.height]).toEqual([10, 20]);
  });

  it('expands grey-scale images to RGB', async () => {
    const grey = await sharp({ create: { width: 3, height: 2, channels: 3, background: '#808080' } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const img = await decodeToRgb(grey);
    expect(img.data).toHaveLength(3 * 2 * 3);
    expect(Array.from(img.data.subarray(0, 3))).toEqual([128, 128, 128]);
  });

  it('decodes phone formats through the same imaging decode: HEIC (rotated by irot) and AVIF', async () => {
    const heic = await decodeToRgb(heifFixture('quadrants-irot90'));
    expect([heic.width, heic.height, heic.channels]).toEqual([48, 64, 3]);
    const avif = await decodeToRgb(await sharp({ create: { width: 20, height: 10, channels: 3, background: '#00ff00' } }).avif().toBuffer());
    expect([avif.width, avif.height]).toEqual([20, 10]);
  });

  it("fails with @vegvision/imaging's typed errors for empty or undecodable bytes", async () => {
    await expect(decodeToRgb(new Uint8Array())).rejects.toMatchObject({ code: expect.any(String) });
    await expect(decodeToRgb(Buffer.from('GIF89a-not-really'))).rejects.toMatchObject({ code: 'unsupported_media_type' });
  });
});

describe('softmax / energy', () => {
  it('softmax is stable for large logits and sums to 1', () => {
    const p = softmax([1000, 1001, 999]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[1]).toBeGreaterThan(p[0]);
  });

  it('negEnergy is logsumexp', () => {
    expect(negEnergy([0, 0])).toBeCloseTo(Math.log(2), 12);
    expect(negEnergy([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 9);
  });
});

describe('resizeCover: crops larger than 8x the target', () => {
  it('pre-shrinks with sharp, then resizes exactly (size, colour preserved)', async () => {
    const width = 1400;
    const height = 1300;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) data.set([30, 140, 220], i * 3);
    const out = await resizeCover({ data, width, height }, 160);
    expect(out).toHaveLength(160 * 160 * 3);
    for (let i = 0; i < 160 * 160; i++) {
      expect([out[i * 3], out[i * 3 + 1], out[i * 3 + 2]]).toEqual([30, 140, 220]);
    }
  });
});
