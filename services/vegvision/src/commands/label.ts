// `vegvision label`: offline labelling of files with the shipped (or given) model.
import { VegetableClassifier, defaultModelDir } from '@vegvision/classifier';
import { detectColours } from '@vegvision/colour';
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
        const top = c.top.slice(0, 3).map((t) => ({ kind: t.kind, confidence: round(t.confidence) }));
        if (options.json) {
          out.write(
            JSON.stringify({
              file,
              kind: c.kind,
              confidence: round(c.confidence),
              top,
              rgb: colours.rgb.hex,
              ryb: colours.ryb.hex,
              modelVersion: c.modelVersion,
              ...(options.raw
                ? {
                    predictedKind: c.predictedKind,
                    rejectionScore: c.rejectionScore,
                    notVegetableProbability: c.notVegetableProbability,
                    logits: Array.from(c.logits),
                  }
                : {}),
            }) + '\n',
          );
        } else {
          const topText = top.map((t) => `${t.kind} ${(t.confidence * 100).toFixed(1)}%`).join(', ');
          out.write(`${file}\t${c.kind}\t${(c.confidence * 100).toFixed(1)}%\t[${topText}]\tRGB ${colours.rgb.hex}\tRYB ${colours.ryb.hex}\n`);
        }
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
