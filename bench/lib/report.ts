// Shared by every benchmark: the machine it ran on, percentiles, a text table with ratios
// against a baseline measured in the same run, and a PNG bar chart (SVG rendered by sharp).
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

export const REPO = path.resolve(__dirname, '../..');
export const RESULTS = path.join(REPO, 'bench/results');
/** Charts are pictures for people: they live with the documentation. */
export const CHARTS = path.join(REPO, 'docs/benchmarks');
export const SHARED = process.env['VEGVISION_SHARED_DIR'] ?? path.resolve(REPO, '../shared');
export const SEED_DIR = path.join(SHARED, 'data/seed-sample');
export const DATASET_DIR = path.join(SHARED, 'data/vegetable-images');

export interface Machine {
  nproc: number;
  cpu: string;
  ramGiB: number;
  node: string;
  loadAverage: string;
  /** Other heavy processes seen at the start (the trainer), which disturb timings. */
  competing: string[];
  date: string;
}

export function machine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  let nproc = os.cpus().length;
  try {
    nproc = Number(execSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // keep os.cpus()
  }
  const competing: string[] = [];
  try {
    const out = execSync('pgrep -fa vegtrainer || true', { encoding: 'utf8' }).trim();
    for (const line of out.split('\n')) if (line && !line.includes('pgrep')) competing.push(line.slice(0, 160));
  } catch {
    // no pgrep
  }
  return {
    nproc,
    cpu,
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(' '),
    competing,
    date: new Date().toISOString(),
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarise(samplesMs: number[]): { n: number; p50: number; p99: number; mean: number } {
  const s = [...samplesMs].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) };
}

export const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
}

function cell(v: string | number): string {
  return typeof v === 'number' ? fmt(v, Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2) : v;
}

export function printTable(t: Table): string {
  const rows = t.rows.map((r) => r.map(cell));
  const widths = t.columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  const md = [
    `### ${t.title}`,
    '',
    line(t.columns),
    '| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |',
    ...rows.map(line),
    ...(t.notes?.length ? ['', ...t.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
  process.stdout.write('\n' + md + '\n');
  return md;
}

const escapeXml = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

export interface Bar {
  label: string;
  value: number;
  /** Shown after the value, e.g. "ms/image". */
  unit?: string;
  baseline?: boolean;
}

/** A horizontal bar chart as PNG (SVG rendered by sharp). */
export async function barChart(file: string, title: string, subtitle: string, bars: Bar[]): Promise<string> {
  const width = 900;
  const rowH = 34;
  const left = 300;
  const top = 70;
  const height = top + bars.length * rowH + 40;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const rows = bars
    .map((b, i) => {
      const y = top + i * rowH;
      const w = Math.max(1, ((width - left - 260) * b.value) / max);
      const colour = b.baseline ? '#9e9e9e' : '#2e7d32';
      return [
        `<text x="${left - 10}" y="${y + 21}" text-anchor="end" font-size="14">${escapeXml(b.label)}</text>`,
        `<rect x="${left}" y="${y + 6}" width="${w.toFixed(1)}" height="${rowH - 12}" fill="${colour}"/>`,
        `<text x="${left + w + 8}" y="${y + 21}" font-size="13">${escapeXml(`${cell(b.value)} ${b.unit ?? ''}`)}</text>`,
      ].join('');
    })
    .join('\n');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Arial, sans-serif">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="20" y="30" font-size="18" font-weight="bold">${escapeXml(title)}</text>
<text x="20" y="52" font-size="12" fill="#555555">${escapeXml(subtitle)}</text>
${rows}
</svg>`;
  fs.mkdirSync(CHARTS, { recursive: true });
  const out = path.join(CHARTS, file);
  await sharp(Buffer.from(svg)).png().toFile(out);
  process.stdout.write(`chart: ${path.relative(REPO, out)}\n`);
  return out;
}

/** Saves a benchmark's figures (JSON) and its markdown table next to the chart. */
export function saveResult(name: string, data: unknown, markdown: string): void {
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, `${name}.json`), JSON.stringify(data, null, 2) + '\n');
  fs.writeFileSync(path.join(RESULTS, `${name}.md`), markdown);
}

export function machineLine(m: Machine): string {
  return `${m.nproc} × ${m.cpu}, ${m.ramGiB} GiB RAM, Node ${m.node}, load ${m.loadAverage}${m.competing.length ? ', trainer running' : ''}`;
}

/** The trained model when libs/classifier/models/DEFAULT exists, else VEGVISION_MODEL_DIR, else the tiny fixture. */
export function modelDir(): { dir: string; note: string } {
  if (process.env['VEGVISION_MODEL_DIR']) return { dir: path.resolve(process.env['VEGVISION_MODEL_DIR']), note: 'VEGVISION_MODEL_DIR' };
  const models = path.join(REPO, 'libs/classifier/models');
  const def = path.join(models, 'DEFAULT');
  if (fs.existsSync(def)) return { dir: path.join(models, fs.readFileSync(def, 'utf8').trim()), note: 'shipped model (DEFAULT)' };
  return { dir: path.join(REPO, 'libs/classifier/fixtures/tiny-model'), note: 'TINY FIXTURE MODEL (no trained model yet): model timings are not representative' };
}

export interface Args {
  [key: string]: string | boolean | undefined;
}

export function parseArgs(argv: string[]): { positional: string[]; flags: Args } {
  const positional: string[] = [];
  const flags: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      if (v !== undefined) flags[k] = v;
      else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) flags[k] = argv[++i];
      else flags[k] = true;
    } else positional.push(a);
  }
  return { positional, flags };
}

export function seedFiles(): string[] {
  const csv = fs.readFileSync(path.join(SEED_DIR, 'seed-labels.csv'), 'utf8');
  return csv
    .split(/\r?\n/)
    .slice(1)
    .filter(Boolean)
    .map((l) => path.join(SEED_DIR, l.split(',')[0]));
}

/** Peak resident set (VmHWM) of a live process, in bytes; 0 when unreadable. */
export function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a live process has used so far; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), 1-based: utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
const CLOCK_TICKS = 100;
