// `vegvision label`: offline labelling of files with the shipped (or given) model.
import { VegetableClassifier, defaultModelDir, type Classification } from '@vegvision/classifier';
import { detectColours } from '@vegvision/colour';
import { closestKind } from '@vegvision/domain';
import { decodeImage } from '@vegvision/imaging';
import fs from 'node:fs/promises';

export interface LabelOptions {
  json: boolean;
  /** With json: add the raw model outputs (15 logits, rejection score, P(not a vegetable)). */
  raw?: boolean;
  modelDir?: string;
  threads?: number;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

/** Labels every file; returns how many failed. */
export async function runLabel(files: string[], options: LabelOptions): Promise<number> {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const classifier = await VegetableClassifier.load(options.modelDir ?? process.env['VEGVISION_MODEL_DIR'] ?? defaultModelDir(), {
    intraOpNumThreads: options.threads || undefined,
  });
  let failed = 0;
  try {
    for (const file of files) {
      try {
        const decoded = await decodeImage(await fs.readFile(file));
        const c = await classifier.classify(decoded);
        const colours = detectColours(decoded);
        const line = { file, classification: c, rgb: colours.rgb.hex, ryb: colours.ryb.hex };
        out.write((options.json ? labelJson(line, options.raw) : labelText(line)) + '\n');
      } catch (error) {
        failed++;
        const code = (error as { code?: string }).code ?? 'error';
        const message = error instanceof Error ? error.message : String(error);
        if (options.json) out.write(JSON.stringify({ file, error: { code, message } }) + '\n');
        else err.write(`${file}\terror: ${message}\n`);
      }
    }
  } finally {
    await classifier.close();
  }
  if (failed > 0) err.write(`vegvision label: ${failed} of ${files.length} file(s) could not be labelled\n`);
  return failed;
}

const round = (x: number) => Math.round(x * 10000) / 10000;
const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

/** One labelled file, as `label` prints it. */
export interface LabelLine {
  file: string;
  classification: Pick<Classification, 'kind' | 'confidence' | 'top' | 'rejected' | 'modelVersion'> &
    Partial<Pick<Classification, 'predictedKind' | 'rejectionScore' | 'notVegetableProbability' | 'logits'>>;
  rgb: string;
  ryb: string;
}

/**
 * The JSON line: `kind`, `confidence` (probability of the top kind; for not_a_vegetable, of the
 * closest kind), `rejected`, `closestKind` ({kind, confidence} for not_a_vegetable, else null),
 * `top` (3 kinds), colours and model version; with `raw`, the model's raw outputs too.
 */
export function labelJson({ file, classification: c, rgb, ryb }: LabelLine, raw = false): string {
  const top = c.top.slice(0, 3).map((t) => ({ kind: t.kind, confidence: round(t.confidence) }));
  const closest = closestKind(c.kind, c.top);
  return JSON.stringify({
    file,
    kind: c.kind,
    confidence: round(c.confidence),
    rejected: c.rejected,
    closestKind: closest && { kind: closest.kind, confidence: round(closest.confidence) },
    top,
    rgb,
    ryb,
    modelVersion: c.modelVersion,
    ...(raw
      ? {
          predictedKind: c.predictedKind,
          rejectionScore: c.rejectionScore,
          notVegetableProbability: c.notVegetableProbability,
          logits: c.logits ? Array.from(c.logits) : undefined,
        }
      : {}),
  });
}

/**
 * The text line, tab-separated: file, kind, then "97.1%" for a kind, or for a refused photo
 * "closest kind: Brinjal (32.6%)" (a refusal has no certainty of its own to print), top 3, colours.
 */
export function labelText({ file, classification: c, rgb, ryb }: LabelLine): string {
  const closest = closestKind(c.kind, c.top);
  const verdict = closest ? `closest kind: ${closest.kind} (${percent(closest.confidence)})` : percent(c.confidence);
  const topText = c.top
    .slice(0, 3)
    .map((t) => `${t.kind} ${percent(t.confidence)}`)
    .join(', ');
  return `${file}\t${c.kind}\t${verdict}\t[${topText}]\tRGB ${rgb}\tRYB ${ryb}`;
}
