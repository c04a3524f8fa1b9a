import { randomBytes, createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { KINDS } from '@vegvision/domain';
import { VegetableClassifier } from './classifier';
import {
  ModelCardError,
  ModelChecksumError,
  ModelLoadError,
  ModelNotFoundError,
  ModelShapeError,
} from './errors';
import { loadModelCard, parseModelCard, sha256File } from './model-card';
import { BROKEN_DIR, TINY_MODEL_DIR, copyModel, makeTemp, removeTemp } from './test-helpers';

jest.setTimeout(60_000);

async function loadError(dir: string): Promise<Error> {
  const err = await VegetableClassifier.load(dir).then(
    async (c) => {
      await c.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error(`expected VegetableClassifier.load(${dir}) to fail`);
  return err;
}

describe('model card and model loading errors', () => {
  let tmp: string;
  let n = 0;
  const fresh = () => path.join(tmp, `m${n++}`);

  beforeAll(async () => {
    tmp = await makeTemp();
  });
  afterAll(async () => {
    await removeTemp(tmp);
  });

  it('loadModelCard reads and verifies the fixture card', async () => {
    const card = await loadModelCard(TINY_MODEL_DIR);
    expect(card.version).toBe('fixture-tiny-v1');
    expect(card.input.size).toBe(32);
    expect(card.rejection.method).toBe('max_softmax');
    expect(card.sha256).toBe(await sha256File(path.join(TINY_MODEL_DIR, 'model.onnx')));
  });

  it('missing directory -> ModelNotFoundError', async () => {
    const missing = path.join(tmp, 'does-not-exist');
    for (const err of [await loadError(missing), await loadModelCard(missing).catch((e: Error) => e)]) {
      expect(err).toBeInstanceOf(ModelNotFoundError);
      expect(err).toMatchObject({ code: 'model_not_found', path: missing });
      expect(err.message).toMatch(/model directory .*does-not-exist does not exist/);
    }
  });

  it('missing model-card.json -> ModelNotFoundError naming the file', async () => {
    const dir = fresh();
    await mkdir(dir);
    const err = await loadError(dir);
    expect(err).toBeInstanceOf(ModelNotFoundError);
    expect(err.message).toMatch(/model-card\.json does not exist/);
  });

  it('missing model.onnx -> ModelNotFoundError naming the file', async () => {
    const dir = await copyModel(TINY_MODEL_DIR, fresh());
    await rm(path.join(dir, 'model.onnx'));
    const err = await loadError(dir);
    expect(err).toBeInstanceOf(ModelNotFoundError);
    expect(err.message).toMatch(/model\.onnx does not exist/);
  });

  it('malformed JSON -> ModelCardError', async () => {
    const dir = await copyModel(TINY_MODEL_DIR, fresh());
    await writeFile(path.join(dir, 'model-card.json'), '{"version": "x", ');
    const err = await loadError(dir);
    expect(err).toBeInstanceOf(ModelCardError);
    expect(err).toMatchObject({ code: 'model_card_invalid' });
    expect(err.message).toMatch(/is not valid JSON/);
  });

  it('missing / mistyped keys -> ModelCardError listing the paths', async () => {
    const dir = await copyModel(TINY_MODEL_DIR, fresh(), (card) => {
      delete card.sha256;
      (card.input as Record<string, unknown>).size = 'big';
      (card.input as Record<string, unknown>).resize = 'stretch';
    });
    const err = await loadError(dir);
    expect(err).toBeInstanceOf(ModelCardError);
    expect(err.message).toMatch(/sha256/);
    expect(err.message).toMatch(/input\.size/);
    expect(err.message).toMatch(/input\.resize/);
  });

  it('wrong class order -> ModelCardError naming the first difference', async () => {
    const dir = await copyModel(TINY_MODEL_DIR, fresh(), (card) => {
      const c = [...KINDS] as string[];
      [c[3], c[4]] = [c[4], c[3]];
      card.classes = c;
    });
    const err = await loadError(dir);
    expect(err).toBeInstanceOf(ModelCardError);
    expect(err.message).toMatch(/wrong class list \(index 3 is "Broccoli", expected "Brinjal"\)/);
    expect(err.message).toContain(KINDS.join(', '));
  });

  it('wrong class count -> ModelCardError', async () => {
    const card = JSON.parse(await readFile(path.join(TINY_MODEL_DIR, 'model-card.json'), 'utf8'));
    card.classes = KINDS.slice(0, 14);
    expect(() => parseModelCard(card, 'x.json')).toThrow(ModelCardError);
    expect(() => parseModelCard(card, 'x.json')).toThrow(/wrong class list \(it has 14 classes\)/);
  });

  it('sha256 mismatch -> ModelChecksumError with both digests', async () => {
    const bogus = 'ab'.repeat(32);
    const dir = await copyModel(TINY_MODEL_DIR, fresh(), (card) => {
      card.sha256 = bogus;
    });
    const err = await loadError(dir);
    expect(err).toBeInstanceOf(ModelChecksumError);
    expect(err).toMatchObject({
      code: 'model_checksum_mismatch',
      expected: bogus,
      actual: await sha256File(path.join(TINY_MODEL_DIR, 'model.onnx')),
    });
    expect(err.message).toMatch(/do not belong together/);
    // opting out of the check loads fine
    const c = await VegetableClassifier.load(dir, { verifyChecksum: false });
    await c.close();
  });

  it('a model with 10 logits -> ModelShapeError', async () => {
    const err = await loadError(path.join(BROKEN_DIR, 'wrong-output-size'));
    expect(err).toBeInstanceOf(ModelShapeError);
    expect(err).toMatchObject({ code: 'model_shape_mismatch' });
    expect(err.message).toMatch(/output "logits" has shape \[N, 10\], expected \[N, 15\]/);
  });

  it('a rank-2 input -> ModelShapeError', async () => {
    const err = await loadError(path.join(BROKEN_DIR, 'wrong-input-rank'));
    expect(err).toBeInstanceOf(ModelShapeError);
    expect(err.message).toMatch(/input "input" has shape \[N, 3\], expected \[N, 3, 32, 32\]/);
  });

  it('a 1-channel input -> ModelShapeError', async () => {
    const err = await loadError(path.join(BROKEN_DIR, 'wrong-channels'));
    expect(err).toBeInstanceOf(ModelShapeError);
    expect(err.message).toMatch(/has shape \[N, 1, 32, 32\]/);
  });

  it('card input size different from the model -> ModelShapeError', async () => {
    const dir = await copyModel(TINY_MODEL_DIR, fresh(), (card) => {
      (card.input as Record<string, unknown>).size = 64;
    });
    const err = await loadError(dir);
    expect(err).toBeInstanceOf(ModelShapeError);
    expect(err.message).toMatch(/expected \[N, 3, 64, 64\]/);
  });

  it('card input / output names absent from the model -> ModelShapeError', async () => {
    const badInput = await copyModel(TINY_MODEL_DIR, fresh(), (card) => {
      (card.input as Record<string, unknown>).name = 'pixels';
    });
    expect(await loadError(badInput)).toMatchObject({
      name: 'ModelShapeError',
      message: expect.stringMatching(/has inputs \[input\], the card expects exactly one input "pixels"/),
    });
    const badOutput = await copyModel(TINY_MODEL_DIR, fresh(), (card) => {
      card.outputs = { logits: 'scores', embedding: 'embedding' };
    });
    const err = await loadError(badOutput);
    expect(err).toBeInstanceOf(ModelShapeError);
    expect(err.message).toMatch(/lacks output\(s\) "scores"/);
  });

  it('centroids whose dimension differs from the embedding -> ModelShapeError', async () => {
    const dir = await copyModel(TINY_MODEL_DIR, fresh(), (card) => {
      card.rejection = { method: 'centroid_cosine', threshold: 0.5, centroids: Array.from({ length: 15 }, () => [1, 0, 0, 0]) };
    });
    const err = await loadError(dir);
    expect(err).toBeInstanceOf(ModelShapeError);
    expect(err.message).toMatch(/embedding has 3 values but the card's rejection centroids have 4/);
  });

  it('centroid rejection without centroids -> ModelCardError', async () => {
    const dir = await copyModel(TINY_MODEL_DIR, fresh(), (card) => {
      card.rejection = { method: 'centroid_cosine', threshold: 0.5 };
    });
    const err = await loadError(dir);
    expect(err).toBeInstanceOf(ModelCardError);
    expect(err.message).toMatch(/needs rejection\.centroids with 15 rows, got none/);
  });

  it('an unreadable ONNX file with a matching checksum -> ModelLoadError', async () => {
    const garbage = randomBytes(256);
    const dir = await copyModel(TINY_MODEL_DIR, fresh(), (card) => {
      card.sha256 = createHash('sha256').update(garbage).digest('hex');
    });
    await writeFile(path.join(dir, 'model.onnx'), garbage);
    const err = await loadError(dir);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect(err).toMatchObject({ code: 'model_load_failed' });
    expect(err.message).toMatch(/onnxruntime could not load/);
  });

  it('the committed fixture cards carry the real checksums of their models', async () => {
    for (const dir of [TINY_MODEL_DIR, ...['wrong-output-size', 'wrong-input-rank', 'wrong-channels'].map((d) => path.join(BROKEN_DIR, d))]) {
      const card = JSON.parse(await readFile(path.join(dir, 'model-card.json'), 'utf8'));
      expect(card.sha256).toBe(await sha256File(path.join(dir, 'model.onnx')));
    }
  });
});
