// The diff report of a relabel: how many labels changed, from what to what (a confusion
// table between the previous and the new model), and each model's accuracy on the catalog
// images whose kind a person gave: the newest correction of the image, else the ground-truth
// folder it was imported from. Deleted images are left out. As JSON and as a PNG chart (SVG
// rendered by sharp).
import { decodeEvent, isEvent } from '@vegvision/contracts';
import { KINDS, NOT_A_VEGETABLE } from '@vegvision/domain';
import type { EventStore } from '@vegvision/event-store';
import sharp from 'sharp';

export interface RelabelReport {
  model: string;
  /** The model compared against: given, or per image the label shown before the relabel. */
  from: string;
  images: number;
  /** Images with a label from both sides. */
  compared: number;
  changed: number;
  unchanged: number;
  transitions: { from: string; to: string; count: number }[];
  confusion: { labels: string[]; matrix: number[][] };
  /** Per model: agreement with the kind a person gave (correction, else imported ground truth). */
  accuracy: Record<string, ModelAccuracy>;
  /** Per model: agreement on the corrected images only. */
  accuracyOnCorrections: Record<string, ModelAccuracy>;
  /** Images whose kind a person gave, by where it came from (a correction wins over the import folder). */
  groundTruth: { corrected: number; imported: number };
  generatedAt: string;
}

export interface ModelAccuracy {
  correct: number;
  total: number;
  accuracy: number | null;
}

const LABELS = [...KINDS, NOT_A_VEGETABLE];

export async function relabelReport(store: EventStore, model: string, from?: string): Promise<RelabelReport> {
  interface ImageFacts {
    truth: string;
    corrected: string;
    labels: { version: string; kind: string; position: number }[];
  }
  const images = new Map<string, ImageFacts>();
  for await (const stored of store.readAll({ from: 'start' })) {
    const e = decodeEvent(stored);
    const id = e.data.imageId;
    if (isEvent(e, 'ImageDeleted')) {
      images.delete(id);
      continue;
    }
    let facts = images.get(id);
    if (!facts) {
      // Anything but an upload between a deletion and the next upload belongs to no life.
      if (!isEvent(e, 'ImageUploaded')) continue;
      images.set(id, (facts = { truth: '', corrected: '', labels: [] }));
    }
    if (isEvent(e, 'ImageUploaded') && e.data.groundTruthKind && !facts.truth) facts.truth = e.data.groundTruthKind;
    if (isEvent(e, 'ImageClassified')) facts.labels.push({ version: e.data.modelVersion, kind: e.data.kind, position: stored.position });
    if (isEvent(e, 'LabelCorrected')) facts.corrected = e.data.kind;
  }

  const index = new Map(LABELS.map((l, i) => [l, i]));
  const matrix = LABELS.map(() => LABELS.map(() => 0));
  const transitions = new Map<string, number>();
  const accuracy: RelabelReport['accuracy'] = {};
  const accuracyOnCorrections: RelabelReport['accuracyOnCorrections'] = {};
  const groundTruth = { corrected: 0, imported: 0 };
  let compared = 0;
  let changed = 0;
  for (const facts of images.values()) {
    const next = facts.labels.find((l) => l.version === model);
    const prev = from
      ? facts.labels.find((l) => l.version === from)
      : facts.labels.filter((l) => l.version !== model && (!next || l.position < next.position)).at(-1);
    if (next && prev) {
      compared++;
      if (next.kind !== prev.kind) {
        changed++;
        const key = `${prev.kind}\u0000${next.kind}`;
        transitions.set(key, (transitions.get(key) ?? 0) + 1);
      }
      const i = index.get(prev.kind);
      const j = index.get(next.kind);
      if (i !== undefined && j !== undefined) matrix[i][j]++;
    }
    const truth = facts.corrected || facts.truth;
    if (facts.corrected) groundTruth.corrected++;
    else if (facts.truth) groundTruth.imported++;
    if (truth) {
      for (const l of facts.labels) {
        const a = (accuracy[l.version] ??= { correct: 0, total: 0, accuracy: null });
        a.total++;
        if (l.kind === truth) a.correct++;
        if (!facts.corrected) continue;
        const c = (accuracyOnCorrections[l.version] ??= { correct: 0, total: 0, accuracy: null });
        c.total++;
        if (l.kind === truth) c.correct++;
      }
    }
  }
  for (const a of [...Object.values(accuracy), ...Object.values(accuracyOnCorrections)]) a.accuracy = a.total ? a.correct / a.total : null;
  return {
    model,
    from: from ?? 'previous label of each image',
    images: images.size,
    compared,
    changed,
    unchanged: compared - changed,
    transitions: [...transitions]
      .map(([k, count]) => {
        const [a, b] = k.split('\u0000');
        return { from: a, to: b, count };
      })
      .sort((x, y) => y.count - x.count),
    confusion: { labels: LABELS, matrix },
    accuracy,
    accuracyOnCorrections,
    groundTruth,
    generatedAt: new Date().toISOString(),
  };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Renders the report as a PNG: accuracy per model and the previous → new confusion table. */
export async function relabelReportPng(report: RelabelReport): Promise<Buffer> {
  const cell = 30;
  const labels = report.confusion.labels;
  const left = 130;
  const top = 330;
  const width = left + labels.length * cell + 40;
  const height = top + labels.length * cell + 40;
  const max = Math.max(1, ...report.confusion.matrix.flat());
  const parts: string[] = [];
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  parts.push(
    `<text x="20" y="30" font-size="18" font-family="sans-serif" font-weight="bold">Relabel to ${esc(report.model)}: ${report.changed} of ${report.compared} labels changed</text>`,
  );
  // Accuracy bars.
  const models = Object.entries(report.accuracy);
  parts.push(
    `<text x="20" y="62" font-size="14" font-family="sans-serif">Accuracy on images whose kind a person gave (${report.groundTruth.corrected} corrected, ${report.groundTruth.imported} imported with a ground-truth folder)</text>`,
  );
  models.forEach(([version, a], k) => {
    const y = 78 + k * 28;
    const w = Math.round((a.accuracy ?? 0) * (width - 260));
    parts.push(`<text x="20" y="${y + 16}" font-size="12" font-family="sans-serif">${esc(version.slice(0, 18))}</text>`);
    parts.push(`<rect x="160" y="${y}" width="${w}" height="20" fill="${version === report.model ? '#2e7d32' : '#90a4ae'}"/>`);
    parts.push(
      `<text x="${165 + w}" y="${y + 15}" font-size="12" font-family="sans-serif">${a.accuracy === null ? 'n/a' : (a.accuracy * 100).toFixed(2) + '%'} (${a.correct}/${a.total})</text>`,
    );
  });
  // Confusion table: rows previous label, columns new label.
  parts.push(`<text x="20" y="${top - 90}" font-size="14" font-family="sans-serif">Rows: previous label; columns: label by ${esc(report.model)}</text>`);
  labels.forEach((l, i) => {
    const short = esc(l.replace('not_a_vegetable', 'not veg.').replace('_', ' '));
    parts.push(`<text x="${left - 6}" y="${top + i * cell + 19}" font-size="11" text-anchor="end" font-family="sans-serif">${short}</text>`);
    parts.push(
      `<text transform="translate(${left + i * cell + 19},${top - 6}) rotate(-60)" font-size="11" font-family="sans-serif">${short}</text>`,
    );
  });
  report.confusion.matrix.forEach((row, i) =>
    row.forEach((v, j) => {
      const t = v / max;
      const colour = i === j ? `rgba(46,125,50,${0.15 + 0.85 * t})` : `rgba(198,40,40,${v ? 0.2 + 0.8 * t : 0})`;
      parts.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell - 1}" height="${cell - 1}" fill="${colour}" stroke="#eeeeee"/>`);
      if (v) {
        parts.push(
          `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + 19}" font-size="10" text-anchor="middle" font-family="sans-serif">${v}</text>`,
        );
      }
    }),
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
