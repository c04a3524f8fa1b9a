import * as path from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { KINDS, NOT_A_VEGETABLE } from '@vegvision/domain';
import { VegetableClassifier, type Classification } from './classifier';
import { ClassifierClosedError, ClassifierError, ClassifierInputError, ModelCardError } from './errors';
import {
  BLUE,
  GREEN,
  GREY,
  RED,
  TINY_MODEL_DIR,
  TINY_OTHER_MODEL_DIR,
  copyModel,
  expectedSolidLogits,
  makeTemp,
  removeTemp,
  solidDecoded,
  solidPng,
} from './test-helpers';

jest.setTimeout(60_000);

function expectTopKWellFormed(r: Classification, k: number): void {
  expect(r.top).toHaveLength(k);
  for (let i = 1; i < r.top.length; i++) expect(r.top[i - 1].confidence).toBeGreaterThanOrEqual(r.top[i].confidence);
  const sum = r.top.reduce((s, t) => s + t.confidence, 0);
  expect(sum).toBeLessThanOrEqual(1 + 1e-9);
  expect(r.top[0].kind).toBe(r.predictedKind);
  expect(r.top[0].confidence).toBe(r.confidence);
  expect(new Set(r.top.map((t) => t.kind)).size).toBe(k);
}

describe('VegetableClassifier on the tiny fixture model', () => {
  let clf: VegetableClassifier;
  let tmp: string | undefined;

  beforeAll(async () => {
    clf = await VegetableClassifier.load(TINY_MODEL_DIR, { intraOpNumThreads: 1 });
    tmp = await makeTemp();
  });

  afterAll(async () => {
    await clf.close();
    await removeTemp(tmp);
  });

  it('loads the card and exposes version and input size', () => {
    expect(clf.modelVersion).toBe('fixture-tiny-v1');
    expect(clf.version).toBe('fixture-tiny-v1');
    expect(clf.inputSize).toBe(32);
    expect(clf.card.classes).toEqual([...KINDS]);
  });

  it.each([
    ['red', 'Tomato', RED, 'Carrot'],
    ['green', 'Broccoli', GREEN, 'Cucumber'],
    ['blue', 'Brinjal', BLUE, undefined],
  ] as const)('classifies an encoded solid %s image as %s', async (_name, kind, rgb, second) => {
    const r = await clf.classify(await solidPng(rgb));
    expect(r.kind).toBe(kind);
    expect(r.predictedKind).toBe(kind);
    expect(r.rejected).toBe(false);
    expect(r.modelVersion).toBe('fixture-tiny-v1');
    if (second) expect(r.top[1].kind).toBe(second);
    expect(r.confidence).toBeGreaterThan(0.9);
    expect(r.confidence).toBeLessThan(0.99);
    expectTopKWellFormed(r, 3);
    // the logits are exactly the fixture's linear head applied to the normalised colour
    const want = await expectedSolidLogits(rgb);
    expect(r.logits).toBeInstanceOf(Float32Array);
    expect(r.logits).toHaveLength(15);
    r.logits.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
  });

  it('gives the same result for decoded pixels and for encoded bytes', async () => {
    const fromBytes = await clf.classify(await solidPng(GREEN, 64, 48));
    const fromPixels = await clf.classify(solidDecoded(GREEN, 64, 48));
    expect(Array.from(fromPixels.logits)).toEqual(Array.from(fromBytes.logits));
    expect(fromPixels.kind).toBe('Broccoli');
  });

  it('rejects a mid-grey image (near-uniform softmax) under the card threshold 0.5', async () => {
    const r = await clf.classify(solidDecoded(GREY));
    expect(r.rejected).toBe(true);
    expect(r.kind).toBe(NOT_A_VEGETABLE);
    expect(KINDS).toContain(r.predictedKind);
    expect(r.confidence).toBeLessThan(0.5);
    expect(r.rejectionScore).toBeCloseTo(r.confidence, 12);
  });

  it('classifyBatch returns the single-image results in input order', async () => {
    const inputs = [solidDecoded(RED), await solidPng(GREEN), solidDecoded(BLUE, 20, 70), solidDecoded(GREY), solidDecoded(RED, 5, 5)];
    const batch = await clf.classifyBatch(inputs);
    expect(batch).toHaveLength(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const single = await clf.classify(inputs[i]);
      expect(batch[i].kind).toBe(single.kind);
      expect(batch[i].rejected).toBe(single.rejected);
      expect(batch[i].top.map((t) => t.kind)).toEqual(single.top.map((t) => t.kind));
      batch[i].logits.forEach((v, j) => expect(v).toBeCloseTo(single.logits[j], 5));
    }
    expect(batch.map((r) => r.kind)).toEqual(['Tomato', 'Broccoli', 'Brinjal', NOT_A_VEGETABLE, 'Tomato']);
    expect(await clf.classifyBatch([])).toEqual([]);
  });

  it('rejects bad input with typed errors', async () => {
    // encoded bytes are decoded by @vegvision/imaging: its typed errors come through
    await expect(clf.classify(Buffer.from('definitely not an image'))).rejects.toMatchObject({
      code: 'unsupported_media_type',
    });
    const png = await solidPng(RED);
    await expect(clf.classify(png.subarray(0, 60))).rejects.toMatchObject({ code: expect.any(String) });
    // decoded pixels are checked here
    await expect(clf.classify({ data: new Uint8Array(10), width: 4, height: 4 })).rejects.toBeInstanceOf(
      ClassifierInputError,
    );
    await expect(clf.classify({ data: new Uint8Array(10), width: 4, height: 4 })).rejects.toThrow(/expected 4x4x3/);
    await expect(clf.classify({ data: new Uint8Array(64), width: 4, height: 4, channels: 4 })).rejects.toThrow(
      /3-channel/,
    );
  });

  it('honours topK and rejects invalid options with a typed error', async () => {
    const five = await VegetableClassifier.load(TINY_MODEL_DIR, { topK: 5, intraOpNumThreads: 1, interOpNumThreads: 1 });
    try {
      const r = await five.classify(solidDecoded(RED));
      expectTopKWellFormed(r, 5);
    } finally {
      await five.close();
    }
    await expect(VegetableClassifier.load(TINY_MODEL_DIR, { topK: 0 })).rejects.toMatchObject({
      code: 'classifier_option_invalid',
    });
    await expect(VegetableClassifier.load(TINY_MODEL_DIR, { topK: 16 })).rejects.toBeInstanceOf(ClassifierError);
    await expect(VegetableClassifier.load(TINY_MODEL_DIR, { intraOpNumThreads: 1.5 })).rejects.toThrow(
      /intraOpNumThreads/,
    );
  });

  it('accepts thread options and splits large batches at maxBatchSize', async () => {
    const c = await VegetableClassifier.load(TINY_MODEL_DIR, {
      intraOpNumThreads: 2,
      interOpNumThreads: 1,
      maxBatchSize: 2,
      maxConcurrentRuns: 1,
    });
    try {
      const colours = [RED, GREEN, BLUE, GREY, RED, BLUE, GREEN];
      const res = await c.classifyBatch(colours.map((rgb) => solidDecoded(rgb)));
      expect(res.map((r) => r.kind)).toEqual([
        'Tomato',
        'Broccoli',
        'Brinjal',
        NOT_A_VEGETABLE,
        'Tomato',
        'Brinjal',
        'Broccoli',
      ]);
    } finally {
      await c.close();
    }
  });

  it('reuses one InferenceSession for many (also concurrent) requests', async () => {
    const spy = jest.spyOn(InferenceSession, 'create');
    try {
      const c = await VegetableClassifier.load(TINY_MODEL_DIR, { maxConcurrentRuns: 2 });
      try {
        for (let i = 0; i < 10; i++) expect((await c.classify(solidDecoded(RED))).kind).toBe('Tomato');
        const burst = await Promise.all(
          Array.from({ length: 40 }, (_, i) => c.classify(solidDecoded([RED, GREEN, BLUE][i % 3]))),
        );
        expect(burst.map((r) => r.kind)).toEqual(
          Array.from({ length: 40 }, (_, i) => ['Tomato', 'Broccoli', 'Brinjal'][i % 3]),
        );
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        await c.close();
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('close() waits for in-flight work, is idempotent, and later calls fail with ClassifierClosedError', async () => {
    const c = await VegetableClassifier.load(TINY_MODEL_DIR);
    const inFlight = c.classifyBatch([solidDecoded(RED), solidDecoded(BLUE)]);
    const closed = c.close();
    await expect(inFlight).resolves.toHaveLength(2);
    await closed;
    await c.close();
    await expect(c.classify(solidDecoded(RED))).rejects.toBeInstanceOf(ClassifierClosedError);
    await expect(c.classify(solidDecoded(RED))).rejects.toMatchObject({ code: 'classifier_closed' });
  });

  describe('rejection rules from the card', () => {
    it('a card with max_softmax threshold 0.99 rejects even confident solid colours', async () => {
      const dir = await copyModel(TINY_MODEL_DIR, path.join(tmp!, 'strict'), (card) => {
        (card.rejection as { threshold: number }).threshold = 0.99;
      });
      const c = await VegetableClassifier.load(dir);
      try {
        const [red, green] = await c.classifyBatch([solidDecoded(RED), solidDecoded(GREEN)]);
        expect(red).toMatchObject({ rejected: true, kind: NOT_A_VEGETABLE, predictedKind: 'Tomato' });
        expect(green).toMatchObject({ rejected: true, kind: NOT_A_VEGETABLE, predictedKind: 'Broccoli' });
        expect(red.confidence).toBeGreaterThan(0.9);
      } finally {
        await c.close();
      }
    });

    it('energy: accepts when logsumexp(logits) >= threshold', async () => {
      const red = await expectedSolidLogits(RED);
      const lse = Math.log(red.reduce((s, v) => s + Math.exp(v), 0));
      const dir = await copyModel(TINY_MODEL_DIR, path.join(tmp!, 'energy'), (card) => {
        card.rejection = { method: 'energy', threshold: lse - 0.01 };
      });
      const c = await VegetableClassifier.load(dir);
      try {
        const [r, g] = await c.classifyBatch([solidDecoded(RED), solidDecoded(GREY)]);
        expect(r.rejected).toBe(false);
        expect(r.rejectionScore).toBeCloseTo(lse, 4);
        expect(g.rejected).toBe(true);
        expect(g.kind).toBe(NOT_A_VEGETABLE);
      } finally {
        await c.close();
      }
    });

    it('centroid_cosine and centroid_distance use the embedding output and the card centroids', async () => {
      // every centroid points at the red embedding: red scores cos = 1, blue points elsewhere
      const x = [RED].map((rgb) => rgb.map((v, ch) => (v / 255 - [0.485, 0.456, 0.406][ch]) / [0.229, 0.224, 0.225][ch]))[0];
      const centroids = Array.from({ length: 15 }, () => x);
      const cosDir = await copyModel(TINY_MODEL_DIR, path.join(tmp!, 'cos'), (card) => {
        card.rejection = { method: 'centroid_cosine', threshold: 0.99, centroids };
      });
      const distDir = await copyModel(TINY_MODEL_DIR, path.join(tmp!, 'dist'), (card) => {
        card.rejection = { method: 'centroid_distance', threshold: 0.1, centroids };
      });
      const cos = await VegetableClassifier.load(cosDir);
      const dist = await VegetableClassifier.load(distDir);
      try {
        const [r, b] = await cos.classifyBatch([solidDecoded(RED), solidDecoded(BLUE)]);
        expect(r.rejectionScore).toBeCloseTo(1, 5);
        expect(r).toMatchObject({ rejected: false, kind: 'Tomato' });
        expect(b).toMatchObject({ rejected: true, kind: NOT_A_VEGETABLE, predictedKind: 'Brinjal' });
        const [rd, bd] = await dist.classifyBatch([solidDecoded(RED), solidDecoded(BLUE)]);
        expect(rd.rejectionScore).toBeCloseTo(0, 3);
        expect(rd.rejected).toBe(false);
        expect(bd.rejected).toBe(true);
      } finally {
        await cos.close();
        await dist.close();
      }
    });

    it('an unknown rejection method is a ModelCardError', async () => {
      const dir = await copyModel(TINY_MODEL_DIR, path.join(tmp!, 'unknown-method'), (card) => {
        card.rejection = { method: 'mahalanobis', threshold: 1 };
      });
      const err = await VegetableClassifier.load(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelCardError);
      expect(err).toMatchObject({ code: 'model_card_invalid' });
      expect((err as Error).message).toMatch(/unknown rejection method "mahalanobis"/);
    });
  });
});

describe('a model with a "not a vegetable" output (rejection other_class)', () => {
  let clf: VegetableClassifier;
  let tmp: string | undefined;

  beforeAll(async () => {
    clf = await VegetableClassifier.load(TINY_OTHER_MODEL_DIR, { intraOpNumThreads: 1 });
    tmp = await makeTemp();
  });

  afterAll(async () => {
    await clf.close();
    await removeTemp(tmp);
  });

  it('gives the 16-way probability of the kind as confidence and P(not a vegetable) beside it', async () => {
    const logits = await expectedSolidLogits(RED);
    const exps = [...logits, 3.0].map((v) => Math.exp(v));
    const total = exps.reduce((a, b) => a + b, 0);
    const r = await clf.classify(solidDecoded(RED));
    expect(r.kind).toBe('Tomato');
    expect(r.rejected).toBe(false);
    expect(r.confidence).toBeCloseTo(exps[KINDS.indexOf('Tomato')] / total, 5);
    expect(r.notVegetableProbability).toBeCloseTo(exps[15] / total, 5);
    expect(r.rejectionScore).toBeCloseTo(1 - exps[15] / total, 5);
    const sumTop = r.top.reduce((s, t) => s + t.confidence, 0);
    expect(sumTop + r.notVegetableProbability!).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('refuses a grey image because P(not a vegetable) wins, and still names the closest kind', async () => {
    const r = await clf.classify(solidDecoded(GREY));
    expect(r.rejected).toBe(true);
    expect(r.kind).toBe(NOT_A_VEGETABLE);
    expect(KINDS).toContain(r.predictedKind);
    expect(r.notVegetableProbability!).toBeGreaterThan(0.5);
    expect(r.confidence).toBeLessThan(0.1);
  });

  it('a card asking for other_class without an "other" output is a ModelCardError', async () => {
    const dir = await copyModel(TINY_MODEL_DIR, path.join(tmp!, 'other-missing'), (card) => {
      card.rejection = { method: 'other_class', threshold: 0.5 };
    });
    const err = await VegetableClassifier.load(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelCardError);
    expect((err as Error).message).toMatch(/other_class needs outputs.other/);
  });

  it('older models report no P(not a vegetable)', async () => {
    const old = await VegetableClassifier.load(TINY_MODEL_DIR, { intraOpNumThreads: 1 });
    try {
      expect((await old.classify(solidDecoded(RED))).notVegetableProbability).toBeUndefined();
    } finally {
      await old.close();
    }
  });
});
