import type { ImageDetail } from '../core/api.types';
import { buildTimeline } from './timeline';

const base: ImageDetail = {
  imageId: '7d5b4c39-0a49-5b7c-9a57-8c1f0d1f0a01',
  objectKey: 'originals/ab/ab',
  sha256: 'ab',
  contentType: 'image/jpeg',
  width: 224,
  height: 224,
  sizeBytes: 1000,
  source: 'upload',
  datasetSplit: null,
  groundTruthKind: null,
  originalName: 'tomato.jpg',
  uploadedAt: '2026-01-01T10:00:00.000Z',
  uploadCount: 1,
  kind: null,
  labelSource: null,
  modelKind: null,
  correction: null,
  confidence: null,
  top: [],
  modelVersion: null,
  classifiedAt: null,
  rgbHex: null,
  rybHex: null,
  rgbShares: [],
  rybShares: [],
  colourAlgorithm: null,
  subjectColours: null,
  colouredAt: null,
  status: 'processing',
  url: '/api/objects/x',
  urlExpiresAt: '2026-01-01T10:05:00.000Z',
  classifications: [],
  corrections: [],
};

const classification = (modelVersion: string, kind: string, classifiedAt: string, position: number) => ({
  eventId: `e-${position}`,
  imageId: base.imageId,
  modelVersion,
  kind,
  confidence: 0.9,
  top: [],
  classifiedAt,
  position,
});

describe('buildTimeline', () => {
  it('starts with the upload alone while the image is processing', () => {
    expect(buildTimeline(base)).toEqual([{ type: 'uploaded', at: base.uploadedAt, source: 'upload' }]);
  });

  it('orders upload, classifications and colours in time; later models relabel', () => {
    const image: ImageDetail = {
      ...base,
      source: 'catalog',
      colouredAt: '2026-01-01T10:00:02.000Z',
      rgbHex: '#FF0000',
      rybHex: '#FE2712',
      classifications: [
        classification('mnv2-160-v2', 'Tomato', '2026-02-01T09:00:00.000Z', 40),
        classification('mnv2-160-v1', 'Capsicum', '2026-01-01T10:00:01.000Z', 3),
      ],
    };
    expect(buildTimeline(image).map((e) => [e.type, 'model' in e ? e.model : null, 'current' in e ? e.current : null])).toEqual([
      ['uploaded', null, null],
      ['classified', 'mnv2-160-v1', false],
      ['coloured', null, null],
      ['relabelled', 'mnv2-160-v2', true],
    ]);
    expect(buildTimeline(image)[0]).toMatchObject({ source: 'catalog' });
  });

  it('lists the colours of both measures, each with its algorithm', () => {
    const image: ImageDetail = {
      ...base,
      colouredAt: '2026-01-01T10:00:02.000Z',
      rgbHex: '#FF8000',
      rybHex: '#FB9902',
      colourAlgorithm: 'mean-euclidean-v1',
      subjectColours: { rgbHex: '#FF0000', rybHex: '#FE2712', rgbShares: [], rybShares: [], algorithm: 'subject-oklab-v3', colouredAt: '2026-01-01T10:00:03.000Z' },
    };
    expect(buildTimeline(image).filter((e) => e.type === 'coloured')).toEqual([
      { type: 'coloured', at: '2026-01-01T10:00:02.000Z', rgbHex: '#FF8000', rybHex: '#FB9902', measure: 'photo', algorithm: 'mean-euclidean-v1' },
      { type: 'coloured', at: '2026-01-01T10:00:03.000Z', rgbHex: '#FF0000', rybHex: '#FE2712', measure: 'subject', algorithm: 'subject-oklab-v3' },
    ]);
  });

  it('names the closest kind of a refusal as closest', () => {
    const refused = { ...classification('mnv2-160-v1', 'not_a_vegetable', '2026-01-01T10:00:01.000Z', 3), confidence: 0.326 };
    const image: ImageDetail = {
      ...base,
      classifications: [{ ...refused, top: [{ kind: 'Brinjal', confidence: 0.326 }, { kind: 'Potato', confidence: 0.2 }] }],
    };
    expect(buildTimeline(image)[1]).toMatchObject({ type: 'classified', kind: 'not_a_vegetable', closest: { kind: 'Brinjal', confidence: 0.326 } });
    const accepted: ImageDetail = { ...base, classifications: [classification('mnv2-160-v1', 'Tomato', '2026-01-01T10:00:01.000Z', 3)] };
    expect(buildTimeline(accepted)[1]).toMatchObject({ kind: 'Tomato', closest: null });
  });

  it('puts a person\'s correction in the history with who, the kind and the note', () => {
    const entries = buildTimeline({
      ...base,
      corrections: [
        { eventId: 'e1', imageId: base.imageId, kind: 'Capsicum', note: 'red pepper', correctedBy: 'ana', correctedAt: '2026-01-01T10:05:00.000Z', previousKind: 'Tomato', position: 5 },
      ],
    });
    expect(entries.at(-1)).toEqual({ type: 'corrected', at: '2026-01-01T10:05:00.000Z', by: 'ana', kind: 'Capsicum', note: 'red pepper' });
  });
});
