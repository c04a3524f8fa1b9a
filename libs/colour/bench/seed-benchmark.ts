// Benchmark of detectColours on the seed sample (270 images of 224×224).
// Run: node -r ./tools/ts-loader/register libs/colour/bench/seed-benchmark.ts
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decodeImage } from '@vegvision/imaging';
import { detectColours, RgbPixels } from '../src';
import { referenceDominantColour } from '../src/testing';

const SHARED_DIR = process.env['VEGVISION_SHARED_DIR'] ?? join(resolve(__dirname, '../../..'), '..', 'shared');
const SEED_DIR = join(SHARED_DIR, 'data', 'seed-sample');

/** Wall-clock and CPU (user + system) milliseconds per image; CPU time is the better figure on a busy machine. */
function msPerImage(images: RgbPixels[], rounds: number, fn: (p: RgbPixels) => unknown): string {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const img of images) fn(img);
  const wall = Number(process.hrtime.bigint() - start) / 1e6 / (rounds * images.length);
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1e3 / (rounds * images.length);
  return `${wall.toFixed(2)} ms/image wall, ${cpuMs.toFixed(2)} ms/image CPU`;
}

async function main(): Promise<void> {
  const csv = await readFile(join(SEED_DIR, 'seed-labels.csv'), 'utf8');
  const paths = csv.split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split(',')[0]);
  const files = await Promise.all(paths.map((p) => readFile(join(SEED_DIR, p))));

  const start = process.hrtime.bigint();
  const images: RgbPixels[] = [];
  for (const bytes of files) images.push(await decodeImage(bytes));
  const decodeMs = Number(process.hrtime.bigint() - start) / 1e6 / files.length;

  // Warm up the JIT.
  for (const img of images.slice(0, 50)) {
    detectColours(img);
    detectColours(img, { variant: 'legacy-uint8-wraparound' });
  }
  const rounds = 5;
  const correct = msPerImage(images, rounds, (p) => detectColours(p));
  const legacy = msPerImage(images, rounds, (p) => detectColours(p, { variant: 'legacy-uint8-wraparound' }));
  const reference = msPerImage(images.slice(0, 30), 1, (img) => {
    referenceDominantColour(img, 'RGB');
    referenceDominantColour(img, 'RYB');
  });

  console.log(`images: ${images.length} (${images[0].width}×${images[0].height})`);
  console.log(`decodeImage (sharp, async, wall):              ${decodeMs.toFixed(2)} ms/image`);
  console.log(`detectColours correct (both palettes + shares): ${correct}`);
  console.log(`detectColours legacy  (both palettes + shares): ${legacy}`);
  console.log(`reference, Math.hypot (both palettes):          ${reference}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
