import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { KINDS } from '@vegvision/domain';
import { ModelCardError, ModelNotFoundError } from './errors';
import { MODELS_DIR_ENV, defaultModelDir, defaultModelsDir, listModels } from './registry';
import { TINY_MODEL_DIR, copyModel, makeTemp, removeTemp } from './test-helpers';

jest.setTimeout(60_000);

describe('model registry', () => {
  let tmp: string;
  let n = 0;
  const freshModels = async () => {
    const dir = path.join(tmp, `models-${n++}`);
    await mkdir(dir);
    return dir;
  };
  const addModel = (modelsDir: string, version: string, createdAt: string) =>
    copyModel(TINY_MODEL_DIR, path.join(modelsDir, version), (card) => {
      card.version = version;
      card.createdAt = createdAt;
      card.metrics = { validationTop1: 0.99 };
    });

  beforeAll(async () => {
    tmp = await makeTemp();
  });
  afterAll(async () => {
    await removeTemp(tmp);
  });

  it('listModels reads every card, oldest first, ignoring folders without a card', async () => {
    const models = await freshModels();
    await addModel(models, 'mnv2-160-v2', '2025-02-01T00:00:00Z');
    await addModel(models, 'mnv2-160-v1', '2025-01-01T00:00:00Z');
    await mkdir(path.join(models, 'in-progress'));
    await writeFile(path.join(models, 'DEFAULT'), 'mnv2-160-v2\n');
    const list = await listModels(models);
    expect(list.map((m) => m.version)).toEqual(['mnv2-160-v1', 'mnv2-160-v2']);
    expect(list[0]).toEqual({
      version: 'mnv2-160-v1',
      dir: path.join(models, 'mnv2-160-v1'),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      architecture: expect.stringContaining('fixture'),
      classes: [...KINDS],
      metrics: { validationTop1: 0.99 },
      createdAt: '2025-01-01T00:00:00Z',
    });
  });

  it('listModels of an empty folder is empty; of a missing folder a ModelNotFoundError', async () => {
    expect(await listModels(await freshModels())).toEqual([]);
    await expect(listModels(path.join(tmp, 'nope'))).rejects.toBeInstanceOf(ModelNotFoundError);
  });

  it('listModels rejects a card whose version differs from its folder', async () => {
    const models = await freshModels();
    await copyModel(TINY_MODEL_DIR, path.join(models, 'renamed'));
    await expect(listModels(models)).rejects.toThrow(ModelCardError);
    await expect(listModels(models)).rejects.toThrow(/version "fixture-tiny-v1", which differs from its directory name/);
  });

  it('defaultModelDir follows the DEFAULT file', async () => {
    const models = await freshModels();
    await addModel(models, 'a', '2025-01-01T00:00:00Z');
    await addModel(models, 'b', '2025-01-02T00:00:00Z');
    await writeFile(path.join(models, 'DEFAULT'), ' a \n');
    expect(defaultModelDir(models)).toBe(path.join(models, 'a'));
    await writeFile(path.join(models, 'DEFAULT'), 'c');
    expect(() => defaultModelDir(models)).toThrow(/DEFAULT names "c", but .* does not exist/);
    await writeFile(path.join(models, 'DEFAULT'), '../a');
    expect(() => defaultModelDir(models)).toThrow(ModelCardError);
  });

  it('defaultModelDir without DEFAULT picks the single model, else fails clearly', async () => {
    const models = await freshModels();
    expect(() => defaultModelDir(models)).toThrow(/no model/);
    await addModel(models, 'only', '2025-01-01T00:00:00Z');
    expect(defaultModelDir(models)).toBe(path.join(models, 'only'));
    await addModel(models, 'second', '2025-01-02T00:00:00Z');
    expect(() => defaultModelDir(models)).toThrow(ModelNotFoundError);
    expect(() => defaultModelDir(models)).toThrow(/holds 2 models \(only, second\) and no DEFAULT file/);
  });

  it('defaultModelsDir is libs/classifier/models unless overridden by the environment', () => {
    const saved = process.env[MODELS_DIR_ENV];
    try {
      delete process.env[MODELS_DIR_ENV];
      expect(defaultModelsDir()).toBe(path.resolve(__dirname, '..', 'models'));
      process.env[MODELS_DIR_ENV] = tmp;
      expect(defaultModelsDir()).toBe(path.resolve(tmp));
    } finally {
      if (saved === undefined) delete process.env[MODELS_DIR_ENV];
      else process.env[MODELS_DIR_ENV] = saved;
    }
  });
});
