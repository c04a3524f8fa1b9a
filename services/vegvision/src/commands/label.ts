// `vegvision label`: offline labelling of files with the shipped (or given) model. The files are
// decoded, classified and measured in the labelling pool's worker threads (one per core), a few
// of them in flight per thread; the lines come out in the order of the files given.
import { AnalysisPool } from '@vegvision/application';
import { defaultModelDir, type Classification } from '@vegvision/classifier';
import { closestKind } from '@vegvision/domain';
import fs from 'node:fs/promises';

export interface LabelOptions {
  json: boolean;
  /** With json: add the raw model outputs (15 logits, rejection score, P(not a vegetable)). */
  raw?: boolean;
  modelDir?: string;
  /** Worker threads, one inference thread each (default: one per core). */
  threads?: number;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

/** Files read and under analysis at once, per thread: enough for each thread to batch the next ones while it works. */
const FILES_IN_FLIGHT_PER_THREAD = 8;

type Labelled = { ok: true; line: LabelLine } | { ok: false; error: unknown };

/** Labels every file; returns how many failed. */
export async function runLabel(files: string[], options: LabelOptions): Promise<number> {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const modelDir = options.modelDir ?? process.env['VEGVISION_MODEL_DIR'] ?? defaultModelDir();
  const pool = new AnalysisPool({ threads: options.threads || undefined });
  let failed = 0;
  try {
    await pool.load(modelDir); // a missing or broken model fails the command, as before, not each file
    const label = async (file: string): Promise<Labelled> => {
      try {
        const a = await pool.analyse({ bytes: await fs.readFile(file), modelDir, colours: ['correct'] });
        const colours = a.colours.correct!;
        return { ok: true, line: { file, classification: a.classification!, rgb: colours.rgb.hex, ryb: colours.ryb.hex } };
      } catch (error) {
        return { ok: false, error };
      }
    };
    const window = pool.threads * FILES_IN_FLIGHT_PER_THREAD;
    const inFlight: Promise<Labelled>[] = [];
    let next = 0;
    while (next < files.length && inFlight.length < window) inFlight.push(label(files[next++]));
    for (const file of files) {
      const done = await inFlight.shift()!;
      if (next < files.length) inFlight.push(label(files[next++]));
      if (done.ok) {
        out.write((options.json ? labelJson(done.line, options.raw) : labelText(done.line)) + '\n');
      } else {
        failed++;
        const { error } = done;
        const code = (error as { code?: string }).code ?? 'error';
        const message = error instanceof Error ? error.message : String(error);
        if (options.json) out.write(JSON.stringify({ file, error: { code, message } }) + '\n');
        else err.write(`${file}\terror: ${message}\n`);
      }
    }
  } finally {
    await pool.close();
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
