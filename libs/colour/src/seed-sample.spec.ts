// The seed sample (../shared/data/seed-sample) holds 270 original images and the colour labels the
// original system stored for them. Reproducing those labels with the legacy wrap-around variant,
// bit for bit on both palettes, proves that our decoding (@vegvision/imaging) matches the original.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decodeImage } from '@vegvision/imaging';
import { ColourDetection, detectColours, isPaletteColour, RgbPixels } from './index';
import { referenceDominantColour } from './testing';

jest.setTimeout(600_000);

const REPO_ROOT = resolve(__dirname, '../../..');
const SHARED_DIR = process.env['VEGVISION_SHARED_DIR'] ?? join(REPO_ROOT, '..', 'shared');
const SEED_DIR = join(SHARED_DIR, 'data', 'seed-sample');
const LABELS_CSV = join(SEED_DIR, 'seed-labels.csv');

interface SeedImage {
  path: string;
  category: string;
  rgb: string;
  ryb: string;
  pixels: RgbPixels;
}

async function loadSeedSample(): Promise<SeedImage[]> {
  if (!existsSync(LABELS_CSV)) {
    throw new Error(
      `Seed sample not found: ${LABELS_CSV} does not exist. Set VEGVISION_SHARED_DIR to the shared ` +
        `material folder (default: <repo>/../shared); CI provides it.`,
    );
  }
  const lines = (await readFile(LABELS_CSV, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
  expect(lines[0].trim()).toBe('path,category,color_RGB,color_RYB');
  const images: SeedImage[] = [];
  for (const line of lines.slice(1)) {
    const [path, category, rgb, ryb] = line.trim().split(',');
    const decoded = await decodeImage(await readFile(join(SEED_DIR, path)));
    images.push({ path, category, rgb, ryb, pixels: decoded });
  }
  return images;
}

describe('dominant colour on the seed sample', () => {
  let images: SeedImage[];
  const legacy = new Map<string, ColourDetection>();
  const correct = new Map<string, ColourDetection>();

  beforeAll(async () => {
    images = await loadSeedSample();
    for (const img of images) {
      legacy.set(img.path, detectColours(img.pixels, { variant: 'legacy-uint8-wraparound' }));
      correct.set(img.path, detectColours(img.pixels));
    }
  });

  it('has 270 labelled images whose labels are palette colours', () => {
    expect(images).toHaveLength(270);
    for (const img of images) {
      expect(isPaletteColour('RGB', img.rgb)).toBe(true);
      expect(isPaletteColour('RYB', img.ryb)).toBe(true);
    }
  });

  it('the legacy wrap-around variant reproduces all 270 stored labels on both palettes', () => {
    const mismatches: string[] = [];
    for (const img of images) {
      const d = legacy.get(img.path)!;
      expect(d.algorithmVersion).toBe('legacy-uint8-wraparound-v1');
      if (d.rgb.hex !== img.rgb) mismatches.push(`${img.path} RGB: got ${d.rgb.hex}, stored ${img.rgb}`);
      if (d.ryb.hex !== img.ryb) mismatches.push(`${img.path} RYB: got ${d.ryb.hex}, stored ${img.ryb}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('the correct variant agrees with the stored labels for exactly 41 (RGB) and 21 (RYB) images', () => {
    const agreeRgb = images.filter((img) => correct.get(img.path)!.rgb.hex === img.rgb).length;
    const agreeRyb = images.filter((img) => correct.get(img.path)!.ryb.hex === img.ryb).length;
    console.info(`correct variant agrees with seed-labels.csv: RGB ${agreeRgb}/270, RYB ${agreeRyb}/270`);
    expect({ agreeRgb, agreeRyb }).toEqual({ agreeRgb: 41, agreeRyb: 21 });
  });

  it('the correct variant equals the slow reference implementation on every image', () => {
    const mismatches: string[] = [];
    let worstRelative = 0;
    for (const img of images) {
      const d = correct.get(img.path)!;
      for (const [palette, fast] of [
        ['RGB', d.rgb],
        ['RYB', d.ryb],
      ] as const) {
        const ref = referenceDominantColour(img.pixels, palette, 'correct');
        if (fast.hex !== ref.hex) mismatches.push(`${img.path} ${palette}: fast ${fast.hex}, reference ${ref.hex}`);
        fast.meanDistances.forEach((m, k) => {
          worstRelative = Math.max(worstRelative, Math.abs(m - ref.meanDistances[k]) / ref.meanDistances[k]);
        });
      }
    }
    expect(mismatches).toEqual([]);
    expect(worstRelative).toBeLessThan(1e-12);
  });

  it('the legacy variant equals the slow reference implementation on every image', () => {
    for (const img of images) {
      const d = legacy.get(img.path)!;
      for (const [palette, fast] of [
        ['RGB', d.rgb],
        ['RYB', d.ryb],
      ] as const) {
        const ref = referenceDominantColour(img.pixels, palette, 'legacy-uint8-wraparound');
        expect(fast.hex).toBe(ref.hex);
        fast.meanDistances.forEach((m, k) => expect(Math.abs(m - ref.meanDistances[k])).toBeLessThan(1e-9));
      }
    }
  });

  it('shares are fractions of the image that sum to 1 in both variants, and identical across variants', () => {
    for (const img of images) {
      const c = correct.get(img.path)!;
      const l = legacy.get(img.path)!;
      for (const shares of [c.rgbShares, c.rybShares]) {
        expect(shares).toHaveLength(12);
        expect(shares.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 12);
      }
      expect(l.rgbShares).toEqual(c.rgbShares);
      expect(l.rybShares).toEqual(c.rybShares);
    }
  });
});
