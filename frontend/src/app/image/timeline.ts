// The event history of an image, rebuilt from its read model: uploaded, classified by a model,
// colours detected, relabelled by later models, corrected by people.
import type { ImageDetail, KindScore } from '../core/api.types';
import { closestKind } from '../core/catalog';

export type TimelineEntry =
  | { type: 'uploaded'; at: string; source: 'upload' | 'catalog' }
  | {
      type: 'classified' | 'relabelled';
      at: string;
      model: string;
      kind: string;
      confidence: number;
      /** For not_a_vegetable: the closest kind and its probability; else null. */
      closest: KindScore | null;
      current: boolean;
    }
  | { type: 'coloured'; at: string; rgbHex: string | null; rybHex: string | null; measure: 'photo' | 'subject'; algorithm: string | null }
  | { type: 'corrected'; at: string; by: string; kind: string; note: string };

export function buildTimeline(image: ImageDetail): TimelineEntry[] {
  const entries: { entry: TimelineEntry; order: number }[] = [];
  entries.push({ entry: { type: 'uploaded', at: image.uploadedAt, source: image.source }, order: 0 });

  const history = [...(image.classifications ?? [])].sort((a, b) => a.position - b.position);
  const newest = history.length ? history[history.length - 1] : undefined;
  history.forEach((c, i) => {
    entries.push({
      entry: {
        type: i === 0 ? 'classified' : 'relabelled',
        at: c.classifiedAt,
        model: c.modelVersion,
        kind: c.kind,
        confidence: c.confidence,
        closest: closestKind(c.kind, c.top ?? []),
        current: c === newest,
      },
      order: 1,
    });
  });
  for (const c of image.corrections ?? []) {
    entries.push({ entry: { type: 'corrected', at: c.correctedAt, by: c.correctedBy, kind: c.kind, note: c.note }, order: 1 });
  }
  if (image.colouredAt) {
    entries.push({
      entry: { type: 'coloured', at: image.colouredAt, rgbHex: image.rgbHex, rybHex: image.rybHex, measure: 'photo', algorithm: image.colourAlgorithm },
      order: 1,
    });
  }
  const subject = image.subjectColours;
  if (subject) {
    entries.push({
      entry: { type: 'coloured', at: subject.colouredAt, rgbHex: subject.rgbHex, rybHex: subject.rybHex, measure: 'subject', algorithm: subject.algorithm },
      order: 1,
    });
  }
  // Chronological; the upload always first; ties keep their insertion order (stable sort).
  return entries
    .sort((a, b) => a.order - b.order || Date.parse(a.entry.at) - Date.parse(b.entry.at))
    .map((e) => e.entry);
}
