// The shipped model on real photos: its answers on the real-photo validation side of the committed split
// (services/trainer/splits/real-photos-v1.json, images in ../shared) are the ones its card publishes.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { KINDS, NOT_A_VEGETABLE } from '@vegvision/domain';
import { VegetableClassifier } from './classifier';
import { defaultModelDir } from './registry';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SHARED_DIR = process.env.VEGVISION_SHARED_DIR
  ? path.resolve(process.env.VEGVISION_SHARED_DIR)
  : path.resolve(REPO_ROOT, '..', 'shared');
const PHOTOS_DIR = path.join(SHARED_DIR, 'data', 'real-photos');
const MANIFEST = path.join(REPO_ROOT, 'services', 'trainer', 'splits', 'real-photos-v1.json');
const REAL_ANSWERS_FILE = 'real-validation-answers.json';

interface Answers {
  version: string;
  manifest: string;
  items: Array<{ file: string; label: string; answer: string }>;
}

const modelDir = defaultModelDir();
const answersPath = path.join(modelDir, REAL_ANSWERS_FILE);
const skipWhy = !existsSync(PHOTOS_DIR)
  ? `${PHOTOS_DIR} does not exist (set VEGVISION_SHARED_DIR)`
  : !existsSync(answersPath)
    ? `the default model ${path.basename(modelDir)} has no ${REAL_ANSWERS_FILE} (a model without real-photo figures)`
    : undefined;
if (skipWhy) console.warn(`SKIPPED: shipped model on real photos — ${skipWhy}`);

(skipWhy ? describe.skip : describe)('the shipped model on real-photo validation (../shared)', () => {
  jest.setTimeout(10 * 60_000);
  let clf: VegetableClassifier;
  let expected: Answers;

  beforeAll(async () => {
    expected = JSON.parse(readFileSync(answersPath, 'utf8')) as Answers;
    clf = await VegetableClassifier.load(modelDir, { intraOpNumThreads: 1, maxBatchSize: 16, maxConcurrentRuns: 2 });
  });

  afterAll(async () => {
    await clf?.close();
  });

  it('covers exactly the validation side of the committed split', () => {
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { items: Array<{ file: string; split: string }> };
    const validation = manifest.items.filter((i) => i.split === 'validation').map((i) => i.file);
    expect(expected.items.map((i) => i.file).sort()).toEqual(validation.sort());
    expect(expected.version).toBe(clf.modelVersion);
  });

  it('gives the recorded answer for every photo, and the card figures follow from them', async () => {
    const results = await clf.classifyBatch(
      await Promise.all(expected.items.map((i) => readFile(path.join(PHOTOS_DIR, i.file)))),
    );
    const differing = expected.items
      .map((item, i) => ({ file: item.file, expected: item.answer, got: results[i].kind }))
      .filter((d) => d.expected !== d.got);
    expect(differing).toEqual([]);

    const vegetables = expected.items.filter((i) => (KINDS as readonly string[]).includes(i.label));
    const negatives = expected.items.filter((i) => i.label === NOT_A_VEGETABLE);
    const right = vegetables.filter((i) => i.answer === i.label).length / vegetables.length;
    const refused = negatives.filter((i) => i.answer === NOT_A_VEGETABLE).length / negatives.length;
    const card = clf.card.metrics as { typescript?: { realValidation: { answerRight: number; negativesRefused: number } } };
    console.log(
      `${clf.modelVersion} on ${vegetables.length} real vegetables and ${negatives.length} real negatives: ` +
        `answer right ${(100 * right).toFixed(1)}%, negatives refused ${(100 * refused).toFixed(1)}%`,
    );
    expect(right).toBeCloseTo(card.typescript!.realValidation.answerRight, 4);
    expect(refused).toBeCloseTo(card.typescript!.realValidation.negativesRefused, 4);
  });
});
