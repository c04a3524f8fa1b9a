// Compares foreground masks for the subject colour on the seed sample (270 photos, 15 kinds).
// Measures, per mask and palette: how many palette colours hold at least 3% of the photos
// (does filtering by colour filter?), the normalised mutual information between the kind and
// the colour (does the colour say something about the vegetable, or about the backdrop?), the
// modal colour of each kind, the mean foreground share and how often the mask fell back to
// the whole photo, and how many subjects are mostly shadow (mean L* under 30: the mask took
// the gaps between vegetables, not the vegetables). Optionally writes a picture of the masks (--masks out.png).
// Run: node -r ./tools/ts-loader/register libs/colour/scripts/compare-masks.ts [--masks /tmp/masks.png]
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '@vegvision/imaging';
import { detectColours, gridSample, subjectMask, type PixelGrid, type RgbPixels } from '../src';
import { toLab } from '../src/lab';
import { borderFloodMask, borderOtsuMask, saliencyMask } from './candidate-masks';

const SHARED_DIR = process.env['VEGVISION_SHARED_DIR'] ?? join(resolve(__dirname, '../../..'), '..', 'shared');
const SEED_DIR = join(SHARED_DIR, 'data', 'seed-sample');

type MaskFn = (g: PixelGrid) => Uint8Array;
const MASKS: Record<string, MaskFn | null> = {
  'whole photo': null,
  'A border flood': borderFloodMask,
  'B saliency (FT)': saliencyMask,
  'C border Otsu': borderOtsuMask,
  'subject-border-v1': (g) => subjectMask(g).foreground,
};

/** The grid pixels under the mask as a one-pixel-high image; the whole grid when under 1% is left. */
function maskedPixels(g: PixelGrid, fg: Uint8Array): { pixels: RgbPixels; fallback: boolean; share: number } {
  let count = 0;
  for (const v of fg) count += v;
  if (count < 0.01 * fg.length) return { pixels: g, fallback: true, share: 1 };
  const data = new Uint8Array(count * 3);
  for (let i = 0, o = 0; i < fg.length; i++) {
    if (!fg[i]) continue;
    for (let c = 0; c < 3; c++) data[o++] = g.data[i * 3 + c];
  }
  return { pixels: { data, width: count, height: 1 }, fallback: false, share: count / fg.length };
}

function entropy(counts: Map<string, number>, n: number): number {
  let h = 0;
  for (const c of counts.values()) if (c > 0) h -= (c / n) * Math.log2(c / n);
  return h;
}

/** Normalised mutual information I(kind; colour) / H(kind). */
function nmi(pairs: [string, string][]): number {
  const n = pairs.length;
  const kinds = new Map<string, number>();
  const colours = new Map<string, number>();
  const joint = new Map<string, number>();
  for (const [k, c] of pairs) {
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
    colours.set(c, (colours.get(c) ?? 0) + 1);
    joint.set(`${k}|${c}`, (joint.get(`${k}|${c}`) ?? 0) + 1);
  }
  const mi = entropy(kinds, n) + entropy(colours, n) - entropy(joint, n);
  return mi / entropy(kinds, n);
}

async function main(): Promise<void> {
  const masksOut = process.argv.includes('--masks') ? process.argv[process.argv.indexOf('--masks') + 1] : undefined;
  const csv = await readFile(join(SEED_DIR, 'seed-labels.csv'), 'utf8');
  const rows = csv.split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split(','));
  const images: { path: string; kind: string; pixels: RgbPixels }[] = [];
  for (const [path, kind] of rows) images.push({ path, kind, pixels: await decodeImage(await readFile(join(SEED_DIR, path))) });

  const results: Record<string, unknown> = {};
  const tiles: Buffer[][] = [];
  for (const [name, fn] of Object.entries(MASKS)) {
    const rgb: [string, string][] = [];
    const ryb: [string, string][] = [];
    let shareSum = 0;
    let fallbacks = 0;
    let darkSubjects = 0;
    const cpu = process.cpuUsage();
    const column: Buffer[] = [];
    images.forEach((img, index) => {
      const g = gridSample(img.pixels);
      let pixels: RgbPixels = g;
      if (fn) {
        const fg = fn(g);
        const m = maskedPixels(g, fg);
        pixels = m.pixels;
        shareSum += m.share;
        if (m.fallback) fallbacks++;
        if (masksOut && index % 18 === 0) {
          const shown = Buffer.from(g.data);
          for (let i = 0; i < fg.length; i++) if (!fg[i]) for (let c = 0; c < 3; c++) shown[i * 3 + c] = 255 - ((255 - shown[i * 3 + c]) >> 3);
          column.push(shown);
        }
      } else {
        shareSum += 1;
        if (masksOut && index % 18 === 0) column.push(Buffer.from(g.data));
      }
      const lab = toLab(pixels.data);
      let l = 0;
      for (let i = 0; i < lab.length; i += 3) l += lab[i];
      if (l / (lab.length / 3) < 30) darkSubjects++;
      const c = detectColours(pixels);
      rgb.push([img.kind, c.rgb.hex]);
      ryb.push([img.kind, c.ryb.hex]);
    });
    const used = process.cpuUsage(cpu);
    tiles.push(column);
    const summary = (pairs: [string, string][]) => {
      const counts = new Map<string, number>();
      for (const [, c] of pairs) counts.set(c, (counts.get(c) ?? 0) + 1);
      const modal: Record<string, string> = {};
      for (const kind of [...new Set(pairs.map(([k]) => k))]) {
        const per = new Map<string, number>();
        for (const [k, c] of pairs) if (k === kind) per.set(c, (per.get(c) ?? 0) + 1);
        const [best, count] = [...per].sort((a, b) => b[1] - a[1])[0];
        modal[kind] = `${best} (${count}/${pairs.filter(([k]) => k === kind).length})`;
      }
      return {
        coloursAtLeast3pc: [...counts.values()].filter((c) => c >= 0.03 * pairs.length).length,
        counts: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])),
        nmiKindColour: Number(nmi(pairs).toFixed(3)),
        modal,
      };
    };
    results[name] = {
      meanForegroundShare: Number((shareSum / images.length).toFixed(3)),
      fallbacksToWholePhoto: fallbacks,
      darkSubjects,
      cpuMsPerImage: Number(((used.user + used.system) / 1e3 / images.length).toFixed(2)),
      RGB: summary(rgb),
      RYB: summary(ryb),
    };
    const r = results[name] as { meanForegroundShare: number; fallbacksToWholePhoto: number; darkSubjects: number; cpuMsPerImage: number; RGB: { coloursAtLeast3pc: number; nmiKindColour: number }; RYB: { coloursAtLeast3pc: number; nmiKindColour: number } };
    console.log(
      `${name.padEnd(22)} fg ${r.meanForegroundShare.toFixed(2)}  fallbacks ${String(r.fallbacksToWholePhoto).padStart(3)}  dark ${String(r.darkSubjects).padStart(3)}  ` +
        `RGB ≥3%: ${r.RGB.coloursAtLeast3pc}  NMI ${r.RGB.nmiKindColour.toFixed(3)}   RYB ≥3%: ${r.RYB.coloursAtLeast3pc}  NMI ${r.RYB.nmiKindColour.toFixed(3)}  ${r.cpuMsPerImage} ms CPU`,
    );
  }
  console.log(JSON.stringify(results, null, 1));
  if (masksOut) {
    const side = 160;
    const composites: sharp.OverlayOptions[] = [];
    tiles.forEach((column, x) =>
      column.forEach((buf, y) => composites.push({ input: buf, raw: { width: side, height: side, channels: 3 }, left: x * side, top: y * side })),
    );
    await sharp({ create: { width: side * tiles.length, height: side * tiles[0].length, channels: 3, background: '#000' } })
      .composite(composites)
      .png()
      .toFile(masksOut);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
