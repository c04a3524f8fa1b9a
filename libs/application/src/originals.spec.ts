// The labelling roles of one process share one analysis per upload: the first role to ask has
// both parts analysed, the other takes its part; a failure of the image fails both, a failure of
// the other role's part (its model) fails neither role's own part.
import { ModelLoadError, type VerifiedModel } from '@vegvision/classifier';
import type { ColourDetection } from '@vegvision/colour';
import type { VegvisionConfig } from '@vegvision/config';
import { ImageDecodeError } from '@vegvision/imaging';
import type { ObjectStorage } from '@vegvision/storage';
import type { Analysis, AnalysisRequest } from './analysis';
import type { ClassifierProvider } from './classifier.provider';
import { LIVE_COLOUR_VARIANTS } from './image-commands';
import type { LabellingPool } from './labelling-pool';
import { Metrics } from './metrics';
import { Originals } from './originals';

const model = (version: string) => ({ version, dir: `/models/${version}` }) as unknown as VerifiedModel;
const ACTIVE = model('active-v1');

function setup(analyse: (r: AnalysisRequest) => Promise<Analysis>, active: () => Promise<VerifiedModel> = async () => ACTIVE) {
  const requests: AnalysisRequest[] = [];
  const pool = { analyse: (r: AnalysisRequest) => (requests.push(r), analyse(r)) } as unknown as LabellingPool;
  const storage = { get: async () => Buffer.from('bytes') } as unknown as ObjectStorage;
  const config = { roles: ['classifier', 'colour'], limits: { maxPixels: 1e6 } } as unknown as VegvisionConfig;
  const classifiers = { get: active } as unknown as ClassifierProvider;
  return { originals: new Originals(storage, config, new Metrics(), pool, classifiers), requests };
}

/** What the pool would answer for a request: a label by its model, a (fake) colour per variant. */
async function answer(r: AnalysisRequest): Promise<Analysis> {
  const version = r.modelDir?.split('/').pop();
  return {
    classification: version ? ({ modelVersion: version, kind: 'Tomato' } as Analysis['classification']) : undefined,
    colours: Object.fromEntries((r.colours ?? []).map((v) => [v, { algorithmVersion: v } as unknown as ColourDetection])),
  };
}

describe('Originals: one analysis for the labelling roles of a process', () => {
  it('the first role asks for both parts, the other takes its part of the same analysis', async () => {
    const { originals, requests } = setup(answer);
    const [label, colours] = await Promise.all([
      originals.analysis('k', { classifier: ACTIVE }, 'classifier'),
      originals.analysis('k', { colours: LIVE_COLOUR_VARIANTS }, 'colour'),
    ]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ modelDir: ACTIVE.dir, colours: [...LIVE_COLOUR_VARIANTS] });
    expect(label.classification?.modelVersion).toBe('active-v1');
    expect(Object.keys(colours.colours)).toEqual([...LIVE_COLOUR_VARIANTS]);
  });

  it('a role that needs what the shared analysis lacks (another model) has its own', async () => {
    const { originals, requests } = setup(answer);
    await originals.analysis('k', { colours: ['correct'] }, 'colour');
    const other = await originals.analysis('k', { classifier: model('other-v2') }, 'classifier');
    expect(requests.map((r) => r.modelDir)).toEqual([ACTIVE.dir, '/models/other-v2']);
    expect(other.classification?.modelVersion).toBe('other-v2');
  });

  it('an undecodable original fails both roles from one decode', async () => {
    const { originals, requests } = setup(async () => {
      throw new ImageDecodeError('The JPEG image could not be decoded: the file is truncated or corrupt.');
    });
    const results = await Promise.allSettled([
      originals.analysis('k', { colours: ['correct'] }, 'colour'),
      originals.analysis('k', { classifier: ACTIVE }, 'classifier'),
    ]);
    expect(results.map((r) => r.status === 'rejected' && r.reason instanceof ImageDecodeError)).toEqual([true, true]);
    expect(requests).toHaveLength(1);
  });

  it('a model that does not load fails the classifier role only; the colour role gets its colours', async () => {
    const { originals } = setup(async (r) => {
      if (r.modelDir) throw new ModelLoadError('onnxruntime could not load model.onnx', r.modelDir);
      return answer(r);
    });
    const [colours, label] = await Promise.allSettled([
      originals.analysis('k', { colours: ['correct'] }, 'colour'),
      originals.analysis('k', { classifier: ACTIVE }, 'classifier'),
    ]);
    expect(colours).toMatchObject({ status: 'fulfilled', value: { colours: { correct: expect.any(Object) } } });
    expect(label).toMatchObject({ status: 'rejected', reason: expect.any(ModelLoadError) });
  });

  it('the colour role goes on without the label when the active model cannot even be found', async () => {
    const { originals, requests } = setup(answer, async () => {
      throw new Error('no model');
    });
    const colours = await originals.analysis('k', { colours: ['correct'] }, 'colour');
    expect(Object.keys(colours.colours)).toContain('correct');
    expect(requests[0].modelDir).toBeUndefined();
  });

  it('a replay (no role) shares nothing', async () => {
    const { originals, requests } = setup(answer);
    await originals.analysis('k', { colours: ['correct'] });
    await originals.analysis('k', { colours: ['correct'] });
    expect(requests).toHaveLength(2);
    expect(requests[0].modelDir).toBeUndefined();
  });
});
