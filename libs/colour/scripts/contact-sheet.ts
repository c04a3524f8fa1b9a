// Contact sheet of 30 seed-sample photos (the first 2 of each kind) with both colour measures:
// the photo, its subject mask (background washed out), and swatches of the whole-photo colour
// (mean-euclidean-v1), the previous subject colour (subject-hue-v2: the vegetable's pixels at
// their hue's full strength, smallest mean distance) and the subject colour (subject-oklab-v3:
// those pixels' nearest palette colours in OKLab, the largest share) on both palettes.
// Run: node -r ./tools/ts-loader/register libs/colour/scripts/contact-sheet.ts [out.png]
// (default docs/colour/subject-colour-contact-sheet.png)
import { readFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '@vegvision/imaging';
import { detectColours, subjectMask } from '../src';

const REPO = resolve(__dirname, '../../..');
const SHARED_DIR = process.env['VEGVISION_SHARED_DIR'] ?? join(REPO, '..', 'shared');
const SEED_DIR = join(SHARED_DIR, 'data', 'seed-sample');
const OUT = resolve(process.argv[2] ?? join(REPO, 'docs/colour/subject-colour-contact-sheet.png'));

const T = 150; // tile side
const CELL_W = 2 * T + 10;
const CELL_H = T + 96;
const COLUMNS = 5;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

async function main(): Promise<void> {
  const csv = await readFile(join(SEED_DIR, 'seed-labels.csv'), 'utf8');
  const rows = csv.split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split(','));
  const picked: string[][] = [];
  for (const kind of [...new Set(rows.map((r) => r[1]))]) picked.push(...rows.filter((r) => r[1] === kind).slice(0, 2));
  const composites: sharp.OverlayOptions[] = [];
  let svg = '';
  for (const [index, [path, kind]] of picked.entries()) {
    const pixels = await decodeImage(await readFile(join(SEED_DIR, path)));
    const photo = detectColours(pixels);
    const subject = detectColours(pixels, { variant: 'subject' });
    const hue = detectColours(pixels, { variant: 'subject-hue' });
    const m = subjectMask(pixels);
    const shown = Buffer.from(m.grid.data);
    for (let i = 0; i < m.foreground.length; i++) {
      if (!m.foreground[i]) for (let c = 0; c < 3; c++) shown[i * 3 + c] = 255 - ((255 - shown[i * 3 + c]) >> 3);
    }
    const x = (index % COLUMNS) * CELL_W + 10;
    const y = Math.floor(index / COLUMNS) * CELL_H + 10;
    const tile = (raw: Buffer | Uint8Array, w: number, h: number) =>
      sharp(Buffer.from(raw), { raw: { width: w, height: h, channels: 3 } }).resize(T, T, { fit: 'fill' }).png().toBuffer();
    composites.push({ input: await tile(pixels.data, pixels.width, pixels.height), left: x, top: y });
    composites.push({ input: await tile(shown, m.grid.width, m.grid.height), left: x + T + 4, top: y });
    const sw = (cx: number, cy: number, hex: string) =>
      `<rect x="${cx}" y="${cy}" width="26" height="16" fill="${hex}" stroke="#444" stroke-width="1"/>`;
    const ty = y + T + 4;
    svg += `<text x="${x}" y="${ty + 12}" class="t">${esc(`${kind.replace('_', ' ')} ${path.split('/')[1]}`)}</text>`;
    svg += `<text x="${x}" y="${ty + 32}" class="s">photo</text>${sw(x + 58, ty + 20, photo.rgb.hex)}${sw(x + 88, ty + 20, photo.ryb.hex)}`;
    svg += `<text x="${x + 120}" y="${ty + 32}" class="s">${photo.rgb.hex} ${photo.ryb.hex}</text>`;
    svg += `<text x="${x}" y="${ty + 54}" class="s">v2 hue</text>${sw(x + 58, ty + 42, hue.rgb.hex)}${sw(x + 88, ty + 42, hue.ryb.hex)}`;
    svg += `<text x="${x + 120}" y="${ty + 54}" class="s">${hue.rgb.hex} ${hue.ryb.hex}</text>`;
    svg += `<text x="${x}" y="${ty + 76}" class="t">subject</text>${sw(x + 58, ty + 64, subject.rgb.hex)}${sw(x + 88, ty + 64, subject.ryb.hex)}`;
    svg += `<text x="${x + 120}" y="${ty + 76}" class="s">${subject.rgb.hex} ${subject.ryb.hex}</text>`;
  }
  const width = COLUMNS * CELL_W + 10;
  const height = Math.ceil(picked.length / COLUMNS) * CELL_H + 40;
  const overlay =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<style>.t{font:bold 13px sans-serif;fill:#111}.s{font:12px monospace;fill:#222}</style>${svg}` +
    `<text x="10" y="${height - 24}" class="s">Left: photo. Right: subject mask (background washed out). Swatches: RGB, RYB. ` +
    `photo = mean-euclidean-v1 (whole photo); v2 hue = subject-hue-v2 (the vegetable's pixels at full strength, mean distance);</text>` +
    `<text x="10" y="${height - 8}" class="s">subject = subject-oklab-v3, shown by the catalog (those pixels' nearest palette colours in OKLab, largest share).</text></svg>`;
  composites.push({ input: Buffer.from(overlay), left: 0, top: 0 });
  await mkdir(dirname(OUT), { recursive: true });
  await sharp({ create: { width, height, channels: 3, background: '#fff' } }).composite(composites).png().toFile(OUT);
  console.log(`wrote ${OUT} (${picked.length} photos)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
