// Parity of the TypeScript pipeline (sharp + onnxruntime-node) with the trainer's Python pipeline
// (Pillow + onnxruntime) on every validation image, using the model's validation-reference.json.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { KINDS } from '@vegvision/domain';
import { VegetableClassifier } from './classifier';
import { VALIDATION_REFERENCE_FILE } from './model-card';

/**
 * Max |TS logit - Python logit| allowed per logit (Python side rounded to 4 decimals). The TS resize reproduces
 * Pillow's bit for bit on the dataset (224x224 -> S), so the input tensors are identical and what is left is
 * onnxruntime-node vs onnxruntime (Python) float noise plus the 4-decimal rounding: on mnv2-160-v1
 * max 0.000050 (the reference's 4-decimal rounding step), 0 top-1 disagreements. Any preprocessing
 * difference (even the ±1-level sharp-vs-Pillow Lanczos one) moves logits by ~0.01..0.24.
 */
const PARITY_LOGIT_TOLERANCE = 1e-3;
/** TS validation accuracy may fall below the card's figure by at most this much. */
const ACCURACY_EPSILON = 0.002;
const CHUNK = 96;

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SHARED_DIR = process.env.VEGVISION_SHARED_DIR
  ? path.resolve(process.env.VEGVISION_SHARED_DIR)
  : path.resolve(REPO_ROOT, '..', 'shared');
const VALIDATION_DIR = path.join(SHARED_DIR, 'data', 'vegetable-images', 'validation');
const MODELS_DIR = path.resolve(__dirname, '..', 'models');

interface ReferenceItem {
  path: string;
  label?: number;
  top1: number;
  logits: number[];
}
interface Reference {
  version: string;
  size: number;
  classes: string[];
  count: number;
  items: ReferenceItem[];
}

/**
 * The model under test: $VEGVISION_PARITY_MODEL_DIR, else the shipped default (models/DEFAULT, else the only
 * folder with a card); or why there is none.
 */
function locateTrainedModel(): { dir?: string; why?: string } {
  let dir: string | undefined = process.env.VEGVISION_PARITY_MODEL_DIR;
  const defaultFile = path.join(MODELS_DIR, 'DEFAULT');
  if (dir) dir = path.resolve(dir);
  else if (!existsSync(MODELS_DIR)) return { why: `${MODELS_DIR} does not exist` };
  else if (existsSync(defaultFile)) dir = path.join(MODELS_DIR, readFileSync(defaultFile, 'utf8').trim());
  else {
    const withCards = readdirSync(MODELS_DIR, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(path.join(MODELS_DIR, e.name, 'model-card.json')))
      .map((e) => path.join(MODELS_DIR, e.name));
    if (withCards.length !== 1) return { why: `${withCards.length} trained models in ${MODELS_DIR} and no DEFAULT file` };
    dir = withCards[0];
  }
  for (const f of ['model.onnx', 'model-card.json', VALIDATION_REFERENCE_FILE]) {
    if (!existsSync(path.join(dir, f))) return { why: `${path.join(dir, f)} does not exist (yet)` };
  }
  return { dir };
}

const located = locateTrainedModel();
const skipWhy = located.dir
  ? existsSync(VALIDATION_DIR)
    ? undefined
    : `${VALIDATION_DIR} does not exist (set VEGVISION_SHARED_DIR)`
  : `no trained model: ${located.why}`;
if (skipWhy) console.warn(`SKIPPED: classifier parity with Python — ${skipWhy}`);

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

(skipWhy ? describe.skip : describe)('classifier parity with the Python pipeline (trained model)', () => {
  jest.setTimeout(15 * 60_000);
  const dir = located.dir as string;
  let clf: VegetableClassifier;
  let ref: Reference;

  beforeAll(async () => {
    ref = JSON.parse(await readFile(path.join(dir, VALIDATION_REFERENCE_FILE), 'utf8')) as Reference;
    // two runs of CHUNK/2 images in flight, one onnxruntime thread each: sharp decoding of one overlaps
    // inference of the other, and nothing spins on a busy 2-core machine
    clf = await VegetableClassifier.load(dir, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      maxBatchSize: CHUNK / 2,
      maxConcurrentRuns: 2,
    });
  });

  afterAll(async () => {
    await clf?.close();
  });

  it('the reference covers every validation image and matches the model', () => {
    expect(ref.version).toBe(clf.modelVersion);
    expect(ref.size).toBe(clf.inputSize);
    expect(ref.classes).toEqual([...KINDS]);
    expect(ref.items).toHaveLength(ref.count);
    const onDisk = KINDS.flatMap((k) =>
      readdirSync(path.join(VALIDATION_DIR, k))
        .filter((f) => f.toLowerCase().endsWith('.jpg'))
        .map((f) => `${k}/${f}`),
    ).sort();
    expect(ref.items.map((i) => i.path).sort()).toEqual(onDisk);
  });

  it('TS top-1 equals Python top-1 on every validation image, logits within tolerance, accuracy as stated', async () => {
    const n = ref.items.length;
    const diffs = new Float64Array(n);
    const mismatches: string[] = [];
    let correct = 0;
    let rejected = 0;
    // ~15 KB per JPEG: read them all, then let classifyBatch split into runs of CHUNK/2 (2 in flight)
    const buffers = await Promise.all(ref.items.map((it) => readFile(path.join(VALIDATION_DIR, it.path))));
    const results = await clf.classifyBatch(buffers);
    expect(results).toHaveLength(n);
    results.forEach((r, i) => {
      const item = ref.items[i];
      let d = 0;
      for (let k = 0; k < KINDS.length; k++) d = Math.max(d, Math.abs(r.logits[k] - item.logits[k]));
      diffs[i] = d;
      const top1 = argmax(r.logits);
      if (top1 !== item.top1) {
        const margin = item.logits[item.top1] - item.logits[top1];
        mismatches.push(
          `${item.path}: TS ${KINDS[top1]} vs Python ${KINDS[item.top1]} (Python margin ${margin.toFixed(4)}, max |Δlogit| ${d.toFixed(4)})`,
        );
      }
      const label = KINDS.indexOf(item.path.split('/')[0] as (typeof KINDS)[number]);
      if (top1 === label) correct++;
      if (r.rejected) rejected++;
    });
    const sorted = Float64Array.from(diffs).sort();
    const mean = diffs.reduce((a, b) => a + b, 0) / n;
    const accuracy = correct / n;
    const stated = clf.card.metrics.validationTop1;
    console.log(
      [
        `parity ${clf.modelVersion} on ${n} validation images (S=${clf.inputSize}):`,
        `  per-image max |TS logit - Python logit|: max ${sorted[n - 1].toFixed(6)}, p99.9 ${quantile(sorted, 0.999).toFixed(4)},` +
          ` p99 ${quantile(sorted, 0.99).toFixed(4)}, p50 ${quantile(sorted, 0.5).toFixed(4)}, mean ${mean.toFixed(4)}` +
          ` (tolerance ${PARITY_LOGIT_TOLERANCE})`,
        `  top-1 disagreements: ${mismatches.length}${mismatches.length ? '\n    ' + mismatches.join('\n    ') : ''}`,
        `  TS validation top-1 accuracy: ${(100 * accuracy).toFixed(2)}% (${correct}/${n}); card: ${
          stated === undefined ? 'n/a' : (100 * stated).toFixed(2) + '%'
        }; rejected as not_a_vegetable: ${rejected}`,
      ].join('\n'),
    );
    expect(mismatches).toEqual([]);
    expect(sorted[n - 1]).toBeLessThanOrEqual(PARITY_LOGIT_TOLERANCE);
    if (stated !== undefined) expect(accuracy).toBeGreaterThanOrEqual(stated - ACCURACY_EPSILON);
  });
});
