// The behaviour every ReadModel adapter must show. Each test gets a fresh, empty read model
// from `factory` (migrated by the suite) and releases it with `cleanup`.
import type { DomainEvent } from '@vegvision/contracts';
import { ImageSource } from '@vegvision/contracts';
import { CATALOG_PROJECTION, LIST_SORTS, REVIEW_CONFIDENCE_THRESHOLD, type CatalogFilters, type Facets, type ImageView, type ListQuery, type ListSort, type ReadModel } from '../read-model.port';
import {
  FIXTURE_RGB,
  FIXTURE_RYB,
  fixtureEvents,
  makeClassified,
  makeColourDetected,
  makeCorrected,
  makeDeleted,
  makeUploaded,
  projectAll,
  fixtureTime,
} from './fixtures';
import { describeProjectBatchContract } from './project-batch.contract';

export interface ReadModelContractSubject {
  readModel: ReadModel;
  cleanup(): Promise<void>;
}

const TIMEOUT = 60_000;
const P = CATALOG_PROJECTION;

/** Expects a promise to reject with an error carrying `code`. */
async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

/** Facets counted the slow way, from the images themselves (the oracle of the counter tests). */
function facetsOf(images: ImageView[], f: CatalogFilters): Facets {
  const colourOf = (i: ImageView, palette: 'RGB' | 'RYB', subject: boolean) =>
    subject ? (palette === 'RGB' ? i.subjectColours?.rgbHex : i.subjectColours?.rybHex) ?? null : palette === 'RGB' ? i.rgbHex : i.rybHex;
  const matches = (i: ImageView, skip: 'kind' | 'colour' | null) => {
    if (f.source !== undefined && i.source !== f.source) return false;
    if (skip !== 'kind' && f.kind !== undefined && i.kind !== f.kind) return false;
    if (skip !== 'colour' && f.palette !== undefined) {
      const c = colourOf(i, f.palette, f.measure === 'subject');
      if (c === null || (f.colour !== undefined && c !== f.colour.toUpperCase())) return false;
    }
    return true;
  };
  const countBy = (skip: 'kind' | 'colour', value: (i: ImageView) => string | null | undefined) => {
    const out: Record<string, number> = {};
    for (const i of images.filter((i) => matches(i, skip))) {
      const v = value(i);
      if (v !== null && v !== undefined) out[v] = (out[v] ?? 0) + 1;
    }
    return out;
  };
  return {
    total: images.filter((i) => matches(i, null)).length,
    kinds: countBy('kind', (i) => i.kind),
    colours: { RGB: countBy('colour', (i) => i.rgbHex), RYB: countBy('colour', (i) => i.rybHex) },
    subjectColours: { RGB: countBy('colour', (i) => i.subjectColours?.rgbHex), RYB: countBy('colour', (i) => i.subjectColours?.rybHex) },
  };
}

export function describeReadModelContract(name: string, factory: () => Promise<ReadModelContractSubject>): void {
  describe(`ReadModel contract: ${name}`, () => {
    let subject: ReadModelContractSubject | undefined;
    let rm: ReadModel;

    beforeEach(async () => {
      subject = await factory();
      rm = subject.readModel;
      await rm.migrate();
    }, TIMEOUT);

    afterEach(async () => {
      const s = subject;
      subject = undefined;
      await s?.cleanup();
    }, TIMEOUT);

    describeProjectBatchContract(() => rm);

    it(
      'migrates idempotently and starts empty',
      async () => {
        await rm.migrate();
        await rm.migrate();
        await rm.ping();
        expect(await rm.checkpoint(P)).toBe('start');
        expect(await rm.facets()).toEqual({ total: 0, kinds: {}, colours: { RGB: {}, RYB: {} }, subjectColours: { RGB: {}, RYB: {} } });
        expect(await rm.sample({ count: 9 })).toEqual([]);
        expect(await rm.dump(P)).toEqual([]);
      },
      TIMEOUT,
    );

    it(
      'sync() keeps everything projected as it was (durable where commits alone are not)',
      async () => {
        const fixture = fixtureEvents(2);
        const last = await projectAll(rm, fixture.events);
        const before = await rm.dump(P);
        await rm.sync();
        await Promise.all([rm.sync(), rm.sync()]);
        expect(await rm.dump(P)).toEqual(before);
        expect(await rm.checkpoint(P)).toBe(last);
      },
      TIMEOUT,
    );

    it(
      'projects upload, classification and colours into every field of the image view',
      async () => {
        const uploaded = makeUploaded({
          objectKey: 'originals/abc.png',
          contentType: 'image/png',
          width: 1024,
          height: 768,
          sizeBytes: 5_000_000_000n,
          source: ImageSource.CATALOG,
          datasetSplit: 'train',
          groundTruthKind: 'Carrot',
          originalName: 'carrot 01.png',
          uploadedAt: '2025-02-03T04:05:06.789Z',
        });
        const imageId = uploaded.data.imageId;
        expect(await rm.project(P, uploaded, 1)).toBe(true);

        const afterUpload: ImageView = {
          imageId,
          objectKey: 'originals/abc.png',
          sha256: uploaded.data.sha256,
          contentType: 'image/png',
          width: 1024,
          height: 768,
          sizeBytes: 5_000_000_000,
          source: 'catalog',
          datasetSplit: 'train',
          groundTruthKind: 'Carrot',
          originalName: 'carrot 01.png',
          uploadedAt: '2025-02-03T04:05:06.789Z',
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
          colouredAt: null,
          subjectColours: null,
          status: 'processing',
        };
        expect(await rm.getImage(imageId)).toEqual(afterUpload);
        expect(await rm.checkpoint(P)).toBe(1);

        const classified = makeClassified(imageId, {
          modelVersion: 'effnet-2025-01',
          kind: 'Carrot',
          confidence: 0.8125,
          top: [
            { kind: 'Carrot', confidence: 0.8125 },
            { kind: 'Radish', confidence: 0.125 },
            { kind: 'Tomato', confidence: 0.0625 },
          ],
          classifiedAt: '2025-02-03T04:05:07.000Z',
        });
        expect(await rm.project(P, classified, 2)).toBe(true);
        const afterClassification: ImageView = {
          ...afterUpload,
          kind: 'Carrot',
          labelSource: 'model',
          modelKind: 'Carrot',
          confidence: 0.8125,
          top: [
            { kind: 'Carrot', confidence: 0.8125 },
            { kind: 'Radish', confidence: 0.125 },
            { kind: 'Tomato', confidence: 0.0625 },
          ],
          modelVersion: 'effnet-2025-01',
          classifiedAt: '2025-02-03T04:05:07.000Z',
        };
        expect(await rm.getImage(imageId)).toEqual(afterClassification);

        const coloured = makeColourDetected(imageId, {
          algorithmVersion: 'mean-euclidean-v1',
          rgbHex: '#ffff00',
          rybHex: '#FEFE33',
          rgbShares: [
            { hex: '#FFFF00', share: 0.5 },
            { hex: '#FF0000', share: 0.25 },
          ],
          rybShares: [{ hex: '#FEFE33', share: 1 }],
          detectedAt: '2025-02-03T04:05:08.5Z',
        });
        expect(await rm.project(P, coloured, 3)).toBe(true);
        const ready: ImageView = {
          ...afterClassification,
          // Hex values are stored upper-case.
          rgbHex: '#FFFF00',
          rybHex: '#FEFE33',
          rgbShares: [
            { hex: '#FFFF00', share: 0.5 },
            { hex: '#FF0000', share: 0.25 },
          ],
          rybShares: [{ hex: '#FEFE33', share: 1 }],
          colourAlgorithm: 'mean-euclidean-v1',
          colouredAt: '2025-02-03T04:05:08.500Z',
          status: 'ready',
        };
        expect(await rm.getImage(imageId)).toEqual(ready);
        expect(await rm.findBySha256(uploaded.data.sha256)).toEqual(ready);
        expect(await rm.findBySha256(uploaded.data.sha256.toUpperCase())).toEqual(ready);
        expect(await rm.classifications(imageId)).toEqual([
          {
            eventId: classified.meta.eventId,
            imageId,
            modelVersion: 'effnet-2025-01',
            kind: 'Carrot',
            confidence: 0.8125,
            top: afterClassification.top,
            classifiedAt: '2025-02-03T04:05:07.000Z',
            position: 2,
          },
        ]);
        expect(await rm.checkpoint(P)).toBe(3);
        expect(await rm.getImage('no-such-image')).toBeNull();
        expect(await rm.findBySha256('0'.repeat(64))).toBeNull();
        expect(await rm.classifications('no-such-image')).toEqual([]);
      },
      TIMEOUT,
    );

    it(
      'becomes ready when colours arrive before the classification too',
      async () => {
        const uploaded = makeUploaded();
        const id = uploaded.data.imageId;
        await rm.project(P, uploaded, 1);
        await rm.project(P, makeColourDetected(id), 2);
        expect((await rm.getImage(id))?.status).toBe('processing');
        await rm.project(P, makeClassified(id), 3);
        expect((await rm.getImage(id))?.status).toBe('ready');
      },
      TIMEOUT,
    );

    it(
      'applies each position exactly once',
      async () => {
        const uploaded = makeUploaded();
        const id = uploaded.data.imageId;
        const classified = makeClassified(id);
        expect(await rm.project(P, uploaded, 10)).toBe(true);
        expect(await rm.project(P, classified, 11)).toBe(true);
        expect(await rm.project(P, classified, 11)).toBe(false);
        expect(await rm.project(P, classified, 5)).toBe(false);
        expect(await rm.project(P, uploaded, 10)).toBe(false);
        expect(await rm.classifications(id)).toHaveLength(1);
        expect((await rm.getImage(id))?.uploadCount).toBe(1);
        expect(await rm.checkpoint(P)).toBe(11);
      },
      TIMEOUT,
    );

    it(
      'lets exactly one of two concurrent calls for the same position apply it',
      async () => {
        const uploaded = makeUploaded();
        await rm.project(P, uploaded, 1);
        const classified = makeClassified(uploaded.data.imageId);
        const results = await Promise.all([rm.project(P, classified, 2), rm.project(P, classified, 2)]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await rm.classifications(uploaded.data.imageId)).toHaveLength(1);
        expect(await rm.checkpoint(P)).toBe(2);
      },
      TIMEOUT,
    );

    it(
      'keeps every classification in the history and shows the newest',
      async () => {
        const uploaded = makeUploaded();
        const id = uploaded.data.imageId;
        const first = makeClassified(id, { modelVersion: 'model-v1', kind: 'Tomato', confidence: 0.6 });
        const second = makeClassified(id, {
          modelVersion: 'model-v2',
          kind: 'Capsicum',
          confidence: 0.95,
          classifiedAt: '2025-03-01T00:00:00.000Z',
        });
        await rm.project(P, uploaded, 1);
        await rm.project(P, first, 2);
        await rm.project(P, makeColourDetected(id), 3);
        await rm.project(P, second, 4);

        const image = await rm.getImage(id);
        expect(image).toMatchObject({
          kind: 'Capsicum',
          confidence: 0.95,
          modelVersion: 'model-v2',
          classifiedAt: '2025-03-01T00:00:00.000Z',
          status: 'ready',
        });
        expect(image?.top[0]).toEqual({ kind: 'Capsicum', confidence: 0.95 });
        const history = await rm.classifications(id);
        expect(history.map((c) => [c.eventId, c.modelVersion, c.kind, c.position])).toEqual([
          [first.meta.eventId, 'model-v1', 'Tomato', 2],
          [second.meta.eventId, 'model-v2', 'Capsicum', 4],
        ]);
        expect((await rm.facets()).kinds).toEqual({ Capsicum: 1 });
        expect(await rm.sample({ count: 9, kind: 'Tomato' })).toEqual([]);
        expect((await rm.sample({ count: 9, kind: 'Capsicum' })).map((i) => i.imageId)).toEqual([id]);
      },
      TIMEOUT,
    );

    it(
      'counts re-uploads of an image and keeps the first upload’s fields',
      async () => {
        const first = makeUploaded({ originalName: 'first.jpg', uploadedAt: '2025-01-01T00:00:00.000Z' });
        const again = makeUploaded({
          imageId: first.data.imageId,
          sha256: first.data.sha256,
          originalName: 'second.jpg',
          uploadedAt: '2025-01-02T00:00:00.000Z',
        });
        await rm.project(P, first, 1);
        await rm.project(P, again, 2);
        await rm.project(P, again, 3);
        expect(await rm.getImage(first.data.imageId)).toMatchObject({
          uploadCount: 3,
          originalName: 'first.jpg',
          uploadedAt: '2025-01-01T00:00:00.000Z',
        });
        expect((await rm.facets()).total).toBe(1);
      },
      TIMEOUT,
    );

    it(
      'fails loudly, writing nothing, on an event for an image never uploaded',
      async () => {
        const orphan = makeClassified('00000000-0000-4000-8000-000000000000');
        await expectCode(rm.project(P, orphan, 1), 'read_model_unknown_image');
        await expectCode(rm.project(P, makeColourDetected('00000000-0000-4000-8000-000000000000'), 1), 'read_model_unknown_image');
        expect(await rm.checkpoint(P)).toBe('start');
        expect(await rm.classifications('00000000-0000-4000-8000-000000000000')).toEqual([]);
        expect(await rm.dump(P)).toEqual([]);
      },
      TIMEOUT,
    );

    it(
      'rejects invalid events, positions and projections with typed errors and writes nothing',
      async () => {
        const uploaded = makeUploaded();
        await rm.project(P, uploaded, 1);
        const before = await rm.dump(P);

        await expectCode(rm.project(P, makeUploaded({ imageId: '' }), 2), 'read_model_invalid_event');
        await expectCode(rm.project(P, makeUploaded({ sha256: 'not-a-hash' }), 2), 'read_model_invalid_event');
        await expectCode(rm.project(P, makeUploaded({ source: ImageSource.UNSPECIFIED }), 2), 'read_model_invalid_event');
        await expectCode(rm.project(P, makeUploaded({ uploadedAt: 'yesterday' }), 2), 'read_model_invalid_event');
        await expectCode(
          rm.project(P, makeClassified(uploaded.data.imageId, { kind: '' }), 2),
          'read_model_invalid_event',
        );
        await expectCode(
          rm.project(P, makeColourDetected(uploaded.data.imageId, { rgbHex: 'red' }), 2),
          'read_model_invalid_event',
        );
        const noId: DomainEvent = { ...uploaded, meta: { ...uploaded.meta, eventId: '' } };
        await expectCode(rm.project(P, noId, 2), 'read_model_invalid_event');
        await expectCode(rm.project(P, makeUploaded(), -1), 'read_model_invalid_position');
        await expectCode(rm.project(P, makeUploaded(), 1.5), 'read_model_invalid_position');
        await expectCode(rm.project('other', makeUploaded(), 2), 'read_model_unknown_projection');
        await expectCode(rm.checkpoint(''), 'read_model_invalid_checkpoint_name');
        await expectCode(rm.reset('other'), 'read_model_unknown_projection');
        await expectCode(rm.dump('other'), 'read_model_unknown_projection');
        // Another image id with the same bytes.
        await expectCode(
          rm.project(P, makeUploaded({ sha256: uploaded.data.sha256 }), 2),
          'read_model_duplicate_sha256',
        );

        expect(await rm.dump(P)).toEqual(before);
        expect(await rm.checkpoint(P)).toBe(1);
      },
      TIMEOUT,
    );

    describe('sample', () => {
      // Tomato: 3 (2 red, 1 green), Carrot: 2 (1 red, 1 blue), not_a_vegetable: 1 (yellow),
      // one coloured but unclassified (green), one only uploaded.
      const specs = [
        { kind: 'Tomato', rgbHex: FIXTURE_RGB[0] },
        { kind: 'Tomato', rgbHex: FIXTURE_RGB[0] },
        { kind: 'Tomato', rgbHex: FIXTURE_RGB[1] },
        { kind: 'Carrot', rgbHex: FIXTURE_RGB[0] },
        { kind: 'Carrot', rgbHex: FIXTURE_RGB[2] },
        { kind: 'not_a_vegetable', rgbHex: FIXTURE_RGB[3] },
        { kind: null, rgbHex: FIXTURE_RGB[1] },
        { kind: null, rgbHex: null },
      ];
      let ids: string[];

      beforeEach(async () => {
        const fixture = fixtureEvents(specs);
        ids = fixture.images.map((image) => image.imageId);
        await projectAll(rm, fixture.events);
      }, TIMEOUT);

      const idsOf = (images: ImageView[]) => images.map((i) => i.imageId).sort();
      const pick = (...indexes: number[]) => indexes.map((i) => ids[i]).sort();

      it(
        'filters by kind',
        async () => {
          expect(idsOf(await rm.sample({ count: 9, kind: 'Tomato' }))).toEqual(pick(0, 1, 2));
          expect(idsOf(await rm.sample({ count: 9, kind: 'not_a_vegetable' }))).toEqual(pick(5));
          const all = await rm.sample({ count: 9, kind: 'Carrot' });
          expect(all.every((i) => i.kind === 'Carrot' && i.status === 'ready')).toBe(true);
        },
        TIMEOUT,
      );

      it(
        'filters by palette and colour, on either palette',
        async () => {
          expect(idsOf(await rm.sample({ count: 9, palette: 'RGB', colour: FIXTURE_RGB[0] }))).toEqual(pick(0, 1, 3));
          expect(idsOf(await rm.sample({ count: 9, palette: 'RYB', colour: FIXTURE_RYB[1] }))).toEqual(pick(2, 6));
          // Lower-case colours are accepted.
          expect(idsOf(await rm.sample({ count: 9, palette: 'RGB', colour: FIXTURE_RGB[2].toLowerCase() }))).toEqual(
            pick(4),
          );
          // A palette alone: every image with colours projected.
          expect(idsOf(await rm.sample({ count: 9, palette: 'RYB' }))).toEqual(pick(0, 1, 2, 3, 4, 5, 6));
        },
        TIMEOUT,
      );

      it(
        'combines kind and colour filters',
        async () => {
          expect(idsOf(await rm.sample({ count: 9, kind: 'Tomato', palette: 'RGB', colour: FIXTURE_RGB[0] }))).toEqual(
            pick(0, 1),
          );
          expect(idsOf(await rm.sample({ count: 9, kind: 'Carrot', palette: 'RYB', colour: FIXTURE_RYB[2] }))).toEqual(
            pick(4),
          );
          expect(await rm.sample({ count: 9, kind: 'Carrot', palette: 'RGB', colour: FIXTURE_RGB[1] })).toEqual([]);
        },
        TIMEOUT,
      );

      it(
        'limits to count, returns all of fewer matches, and [] for none',
        async () => {
          const two = await rm.sample({ count: 2, kind: 'Tomato' });
          expect(two).toHaveLength(2);
          expect(new Set(two.map((i) => i.imageId)).size).toBe(2);
          expect(two.every((i) => pick(0, 1, 2).includes(i.imageId))).toBe(true);
          expect(await rm.sample({ count: 1 })).toHaveLength(1);
          expect(idsOf(await rm.sample({ count: 9 }))).toEqual([...ids].sort());
          expect(await rm.sample({ count: 9, kind: 'Pumpkin' })).toEqual([]);
          expect(await rm.sample({ count: 3, palette: 'RGB', colour: '#123456' })).toEqual([]);
          // Sampled images are full views.
          const [one] = await rm.sample({ count: 1, kind: 'not_a_vegetable' });
          expect(one).toEqual(await rm.getImage(ids[5]));
        },
        TIMEOUT,
      );

      it(
        'rejects malformed queries with a typed error',
        async () => {
          for (const count of [0, 10, 1.5, Number.NaN]) {
            await expectCode(rm.sample({ count }), 'read_model_invalid_query');
          }
          await expectCode(rm.sample({ count: 1, colour: FIXTURE_RGB[0] }), 'read_model_invalid_query');
          await expectCode(rm.sample({ count: 1, palette: 'RGB', colour: 'red' }), 'read_model_invalid_query');
          await expectCode(
            rm.sample({ count: 1, palette: 'CMYK' as never, colour: FIXTURE_RGB[0] }),
            'read_model_invalid_query',
          );
        },
        TIMEOUT,
      );

      it(
        'counts facets per kind and per colour of each palette',
        async () => {
          expect(await rm.facets()).toEqual({
            total: 8,
            kinds: { Carrot: 2, Tomato: 3, not_a_vegetable: 1 },
            colours: {
              RGB: { [FIXTURE_RGB[0]]: 3, [FIXTURE_RGB[1]]: 2, [FIXTURE_RGB[2]]: 1, [FIXTURE_RGB[3]]: 1 },
              RYB: { [FIXTURE_RYB[0]]: 3, [FIXTURE_RYB[1]]: 2, [FIXTURE_RYB[2]]: 1, [FIXTURE_RYB[3]]: 1 },
            },
            subjectColours: { RGB: {}, RYB: {} },
          });
        },
        TIMEOUT,
      );
    });

    it(
      'keeps the subject colour (a subject-* algorithm) beside the whole photo\'s, filters and counts either measure',
      async () => {
        const fixture = fixtureEvents([
          { kind: 'Tomato', rgbHex: FIXTURE_RGB[1] },
          { kind: 'Tomato', rgbHex: FIXTURE_RGB[1] },
        ]);
        await projectAll(rm, fixture.events);
        const [a, b] = fixture.images.map((i) => i.imageId);
        const photoOfA = await rm.getImage(a);
        let position = fixture.events.length + 10;
        const subject = makeColourDetected(a, {
          algorithmVersion: 'subject-border-v1',
          rgbHex: FIXTURE_RGB[0],
          rybHex: FIXTURE_RYB[0],
          rgbShares: [{ hex: FIXTURE_RGB[0], share: 1 }],
          rybShares: [{ hex: FIXTURE_RYB[0], share: 1 }],
          detectedAt: '2025-02-03T04:05:09.000Z',
        });
        expect(await rm.project(P, subject, position++)).toBe(true);
        const view = await rm.getImage(a);
        // The whole photo's colours stay; the subject's are beside them.
        expect(view).toEqual({
          ...photoOfA,
          subjectColours: {
            rgbHex: FIXTURE_RGB[0],
            rybHex: FIXTURE_RYB[0],
            rgbShares: [{ hex: FIXTURE_RGB[0], share: 1 }],
            rybShares: [{ hex: FIXTURE_RYB[0], share: 1 }],
            algorithm: 'subject-border-v1',
            colouredAt: '2025-02-03T04:05:09.000Z',
          },
        });
        // A whole-photo algorithm recorded later (the seed-compatible legacy one) replaces the photo colours only.
        const legacy = makeColourDetected(a, { algorithmVersion: 'legacy-uint8-wraparound-v1', rgbHex: FIXTURE_RGB[3], rybHex: FIXTURE_RYB[3] });
        expect(await rm.project(P, legacy, position++)).toBe(true);
        expect(await rm.getImage(a)).toMatchObject({ rgbHex: FIXTURE_RGB[3], colourAlgorithm: 'legacy-uint8-wraparound-v1', subjectColours: { rgbHex: FIXTURE_RGB[0] } });

        const ids = async (q: Parameters<ReadModel['sample']>[0]) => (await rm.sample(q)).map((i) => i.imageId).sort();
        expect(await ids({ count: 9, palette: 'RGB', colour: FIXTURE_RGB[0], measure: 'subject' })).toEqual([a]);
        expect(await ids({ count: 9, palette: 'RGB', colour: FIXTURE_RGB[0] })).toEqual([]);
        expect(await ids({ count: 9, palette: 'RGB', colour: FIXTURE_RGB[1], measure: 'photo' })).toEqual([b]);
        // A palette alone with the subject measure: the images that have a subject colour.
        expect(await ids({ count: 9, palette: 'RYB', measure: 'subject' })).toEqual([a]);
        await expect(rm.sample({ count: 9, palette: 'RGB', measure: 'vegetable' as never })).rejects.toMatchObject({ code: 'read_model_invalid_query' });
        expect((await rm.facets()).subjectColours).toEqual({ RGB: { [FIXTURE_RGB[0]]: 1 }, RYB: { [FIXTURE_RYB[0]]: 1 } });
      },
      TIMEOUT,
    );

    it(
      'samples at random',
      async () => {
        const fixture = fixtureEvents(12);
        await projectAll(rm, fixture.events);
        const seen = new Set<string>();
        // The chance that 60 uniform draws from 12 images all hit the same one is 12^-59.
        for (let i = 0; i < 60 && seen.size < 2; i++) {
          const [image] = await rm.sample({ count: 1, kind: 'Tomato' });
          seen.add(image.imageId);
        }
        expect(seen.size).toBeGreaterThan(1);
        const nine = await rm.sample({ count: 9 });
        expect(new Set(nine.map((i) => i.imageId)).size).toBe(9);
      },
      TIMEOUT,
    );

    it(
      'draws from many matches (the index draw): distinct matching images, spread over all of them',
      async () => {
        // 60 red and 10 green Tomatoes, 30 blue Carrots: more matches than the exact draw takes.
        const specs = [
          ...Array.from({ length: 60 }, () => ({ kind: 'Tomato', rgbHex: FIXTURE_RGB[0] })),
          ...Array.from({ length: 10 }, () => ({ kind: 'Tomato', rgbHex: FIXTURE_RGB[1] })),
          ...Array.from({ length: 30 }, () => ({ kind: 'Carrot', rgbHex: FIXTURE_RGB[2] })),
        ];
        const fixture = fixtureEvents(specs);
        await projectAll(rm, fixture.events);
        const tomatoes = new Set(fixture.images.slice(0, 70).map((i) => i.imageId));
        const seen = new Set<string>();
        for (let i = 0; i < 60; i++) {
          const three = await rm.sample({ count: 3, kind: 'Tomato' });
          expect(three).toHaveLength(3);
          expect(new Set(three.map((v) => v.imageId)).size).toBe(3);
          for (const v of three) {
            expect(tomatoes.has(v.imageId)).toBe(true);
            seen.add(v.imageId);
          }
          const red = await rm.sample({ count: 3, kind: 'Tomato', palette: 'RGB', colour: FIXTURE_RGB[0] });
          expect(red).toHaveLength(3);
          expect(red.every((v) => v.kind === 'Tomato' && v.rgbHex === FIXTURE_RGB[0])).toBe(true);
          const any = await rm.sample({ count: 3, palette: 'RYB' });
          expect(new Set(any.map((v) => v.imageId)).size).toBe(3);
        }
        // 180 picks of 70 images: about 65 distinct if uniform; far fewer only if the draw sticks
        // (a point past the last Tomato id, about one seek in four here, wraps round to the first).
        expect(seen.size).toBeGreaterThan(45);
        expect(await rm.sample({ count: 3, kind: 'Carrot', palette: 'RGB', colour: FIXTURE_RGB[0] })).toEqual([]);
      },
      TIMEOUT,
    );

    it(
      'resets the projection and rebuilds it to an equal dump',
      async () => {
        const fixture = fixtureEvents([
          { kind: 'Tomato', rgbHex: FIXTURE_RGB[0] },
          { kind: 'Bean', rgbHex: FIXTURE_RGB[1] },
          { kind: null, rgbHex: FIXTURE_RGB[2] },
          { kind: null, rgbHex: null },
        ]);
        const extra = [
          makeClassified(fixture.images[0].imageId, { modelVersion: 'model-v2', kind: 'Capsicum' }),
          makeUploaded({ imageId: fixture.images[1].imageId, sha256: fixture.images[1].sha256 }),
        ];
        const log = [...fixture.events, ...extra];
        const last = await projectAll(rm, log, { firstPosition: 100, step: 3 });
        const live = await rm.dump(P);
        expect(live).toHaveLength(4 + 3);
        expect(live).toEqual(JSON.parse(JSON.stringify(live)));
        const facets = await rm.facets();

        await rm.reset(P);
        expect(await rm.checkpoint(P)).toBe('start');
        expect(await rm.dump(P)).toEqual([]);
        expect(await rm.getImage(fixture.images[0].imageId)).toBeNull();
        expect((await rm.facets()).total).toBe(0);

        await rm.reset(P); // resetting an empty projection is fine
        expect(await projectAll(rm, log, { firstPosition: 100, step: 3 })).toBe(last);
        expect(await rm.dump(P)).toEqual(live);
        expect(await rm.facets()).toEqual(facets);
        expect(await rm.checkpoint(P)).toBe(last);
      },
      TIMEOUT,
    );

    it(
      'reports the highest applied position as the checkpoint',
      async () => {
        expect(await rm.checkpoint(P)).toBe('start');
        const a = makeUploaded();
        const b = makeUploaded();
        expect(await rm.project(P, a, 0)).toBe(true);
        expect(await rm.checkpoint(P)).toBe(0);
        expect(await rm.project(P, b, 40)).toBe(true);
        expect(await rm.checkpoint(P)).toBe(40);
        // Another image's event below the checkpoint still applies; the checkpoint stays.
        expect(await rm.project(P, makeClassified(a.data.imageId), 25)).toBe(true);
        expect(await rm.checkpoint(P)).toBe(40);
        // Skipped events leave it too.
        expect(await rm.project(P, makeClassified(b.data.imageId), 40)).toBe(false);
        expect(await rm.checkpoint(P)).toBe(40);
        expect(await rm.project(P, makeClassified(a.data.imageId), 2 ** 40)).toBe(true);
        expect(await rm.checkpoint(P)).toBe(2 ** 40);
        // A failed apply leaves the checkpoint where it was.
        await expectCode(rm.project(P, makeClassified('missing'), 2 ** 40 + 1), 'read_model_unknown_image');
        expect(await rm.checkpoint(P)).toBe(2 ** 40);
      },
      TIMEOUT,
    );

    it(
      'applies events ordered per image but interleaved across images, once each',
      async () => {
        const [x, y] = fixtureEvents(2).images;
        // Partition of x delivered first (positions 4, 5, 6), then y's (1, 2, 3).
        for (const [i, event] of x.events.entries()) expect(await rm.project(P, event, 4 + i)).toBe(true);
        for (const [i, event] of y.events.entries()) expect(await rm.project(P, event, 1 + i)).toBe(true);
        expect(await rm.checkpoint(P)).toBe(6);
        // Redelivery of either partition, in whole or in part, changes nothing.
        for (const [i, event] of y.events.entries()) expect(await rm.project(P, event, 1 + i)).toBe(false);
        expect(await rm.project(P, x.events[1], 5)).toBe(false);
        expect(await rm.project(P, x.events[0], 4)).toBe(false);
        for (const image of [x, y]) {
          expect(await rm.getImage(image.imageId)).toMatchObject({ status: 'ready', uploadCount: 1 });
          expect(await rm.classifications(image.imageId)).toHaveLength(1);
        }
        expect((await rm.facets()).total).toBe(2);
      },
      TIMEOUT,
    );

    it(
      'skips a classification whose event id is already in the history, even at a new position',
      async () => {
        const uploaded = makeUploaded();
        const classified = makeClassified(uploaded.data.imageId, { kind: 'Bean' });
        await rm.project(P, uploaded, 1);
        expect(await rm.project(P, classified, 2)).toBe(true);
        expect(await rm.project(P, classified, 3)).toBe(false);
        expect(await rm.classifications(uploaded.data.imageId)).toHaveLength(1);
        expect(await rm.checkpoint(P)).toBe(2);
        // The image still takes later events.
        expect(await rm.project(P, makeClassified(uploaded.data.imageId, { kind: 'Carrot' }), 4)).toBe(true);
        expect((await rm.getImage(uploaded.data.imageId))?.kind).toBe('Carrot');
      },
      TIMEOUT,
    );

    it(
      'stores named checkpoints beside the projection',
      async () => {
        expect(await rm.checkpoint('relay')).toBe('start');
        await rm.saveCheckpoint('relay', 7);
        expect(await rm.checkpoint('relay')).toBe(7);
        await rm.saveCheckpoint('relay', 2 ** 45);
        expect(await rm.checkpoint('relay')).toBe(2 ** 45);
        await rm.saveCheckpoint('relay', 3); // the caller owns it: it may move back
        expect(await rm.checkpoint('relay')).toBe(3);
        await rm.saveCheckpoint('other-component', 0);
        expect(await rm.checkpoint('other-component')).toBe(0);

        // Projecting and resetting the catalog leaves named checkpoints alone.
        await rm.project(P, makeUploaded(), 100);
        expect(await rm.checkpoint(P)).toBe(100);
        expect(await rm.checkpoint('relay')).toBe(3);
        await rm.reset(P);
        expect(await rm.checkpoint(P)).toBe('start');
        expect(await rm.checkpoint('relay')).toBe(3);

        await expectCode(rm.saveCheckpoint(P, 5), 'read_model_reserved_checkpoint');
        await expectCode(rm.saveCheckpoint('', 5), 'read_model_invalid_checkpoint_name');
        await expectCode(rm.saveCheckpoint('relay', -1), 'read_model_invalid_position');
        await expectCode(rm.saveCheckpoint('relay', Number.NaN), 'read_model_invalid_position');
        expect(await rm.checkpoint('relay')).toBe(3);
      },
      TIMEOUT,
    );

    it(
      'shows a person\'s correction over every model label, later relabels included, and keeps its history',
      async () => {
        const uploaded = makeUploaded();
        const id = uploaded.data.imageId;
        await rm.project(P, uploaded, 1);
        await rm.project(P, makeClassified(id, { kind: 'Brinjal', modelVersion: 'm1' }), 2);
        await rm.project(P, makeColourDetected(id), 3);
        const corrected = makeCorrected(id, { kind: 'Capsicum', note: 'a red pepper', previousKind: 'Brinjal' });
        expect(await rm.project(P, corrected, 4)).toBe(true);
        expect(await rm.project(P, corrected, 5)).toBe(false); // same event again
        await rm.project(P, makeClassified(id, { kind: 'Tomato', modelVersion: 'm2' }), 6);
        const view = await rm.getImage(id);
        expect(view).toMatchObject({
          kind: 'Capsicum',
          labelSource: 'person',
          modelKind: 'Tomato',
          modelVersion: 'm2',
          status: 'ready',
          correction: { kind: 'Capsicum', by: 'ana', at: corrected.data.correctedAt, note: 'a red pepper' },
        });
        expect(await rm.corrections(id)).toEqual([
          {
            eventId: corrected.meta.eventId,
            imageId: id,
            kind: 'Capsicum',
            note: 'a red pepper',
            correctedBy: 'ana',
            correctedAt: corrected.data.correctedAt,
            previousKind: 'Brinjal',
            position: 4,
          },
        ]);
        // Browse and facets count the label shown.
        expect((await rm.sample({ count: 9, kind: 'Capsicum' })).map((v) => v.imageId)).toEqual([id]);
        expect(await rm.sample({ count: 9, kind: 'Tomato' })).toEqual([]);
        expect((await rm.facets()).kinds).toEqual({ Capsicum: 1 });
        // A second correction replaces the first one shown; both stay in the history.
        await rm.project(P, makeCorrected(id, { kind: 'Tomato', correctedBy: 'bo' }), 7);
        expect(await rm.getImage(id)).toMatchObject({ kind: 'Tomato', labelSource: 'person', correction: { by: 'bo' } });
        expect((await rm.corrections(id)).map((c) => c.kind)).toEqual(['Capsicum', 'Tomato']);
      },
      TIMEOUT,
    );

    it(
      'removes a deleted image from every query, skips its late events, and lets the same bytes start anew',
      async () => {
        const uploaded = makeUploaded();
        const id = uploaded.data.imageId;
        const other = makeUploaded();
        await rm.project(P, uploaded, 1);
        await rm.project(P, makeClassified(id), 2);
        await rm.project(P, makeColourDetected(id), 3);
        await rm.project(P, makeCorrected(id), 4);
        await rm.project(P, other, 5);
        expect(await rm.project(P, makeDeleted(id), 6)).toBe(true);
        expect(await rm.project(P, makeDeleted(id), 6)).toBe(false);
        expect(await rm.getImage(id)).toBeNull();
        expect(await rm.findBySha256(uploaded.data.sha256)).toBeNull();
        expect(await rm.classifications(id)).toEqual([]);
        expect(await rm.corrections(id)).toEqual([]);
        expect((await rm.sample({ count: 9 })).map((v) => v.imageId)).toEqual([other.data.imageId]);
        expect((await rm.facets()).total).toBe(1);
        // A label computed while the deletion was recorded lands after it: skipped, no error.
        expect(await rm.project(P, makeClassified(id, { modelVersion: 'm2' }), 7)).toBe(true);
        expect(await rm.project(P, makeClassified(id, { modelVersion: 'm2' }), 7)).toBe(false);
        expect(await rm.getImage(id)).toBeNull();
        const dumped = await rm.dump(P);
        expect(dumped.filter((r) => (r as { imageId: string }).imageId === id)).toEqual([{ table: 'deleted_images', imageId: id, position: 7 }]);
        // The same bytes uploaded again: a new catalog entry, labelled anew.
        const again = makeUploaded({ imageId: id, originalName: 'again.jpg' });
        expect(await rm.project(P, again, 8)).toBe(true);
        await rm.project(P, makeClassified(id, { kind: 'Bean', modelVersion: 'm1' }), 9);
        expect(await rm.getImage(id)).toMatchObject({ originalName: 'again.jpg', uploadCount: 1, kind: 'Bean', labelSource: 'model', correction: null });
        expect((await rm.classifications(id)).map((c) => c.kind)).toEqual(['Bean']);
        expect((await rm.dump(P)).some((r) => (r as { table: string }).table === 'deleted_images')).toBe(false);
      },
      TIMEOUT,
    );

    describe('list', () => {
      // Nine images: upload times out of log order (two share one), confidences with a tie and
      // one unclassified image, both sources, two model versions, colours of both measures.
      interface Spec {
        at: number;
        kind?: string;
        confidence?: number;
        model?: string;
        rgb?: number;
        subject?: number;
        source?: 'upload' | 'catalog';
      }
      const specs: Spec[] = [
        { at: 5, kind: 'Tomato', confidence: 0.95, model: 'm1', rgb: 0, source: 'catalog' },
        { at: 1, kind: 'Tomato', confidence: 0.55, model: 'm1', rgb: 1, subject: 0 },
        { at: 8, kind: 'Carrot', confidence: 0.7, model: 'm2', rgb: 0, subject: 0, source: 'catalog' },
        { at: 3, kind: 'not_a_vegetable', confidence: 0.8, model: 'm2', rgb: 2 },
        { at: 3, kind: 'Carrot', confidence: 0.7, model: 'm1', rgb: 0, source: 'catalog' },
        { at: 9 },
        { at: 2, kind: 'Bean', confidence: 0.3, model: 'm2', rgb: 3, subject: 1, source: 'catalog' },
        { at: 7, kind: 'Tomato', confidence: 0.99, model: 'm2', rgb: 1 },
        { at: 4, kind: 'Bean', confidence: 0.61, model: 'm1', rgb: 3 },
      ];
      let ids: string[];
      let position: number;

      const eventsOf = (spec: Spec, imageId?: string): DomainEvent[] => {
        const uploaded = makeUploaded({
          ...(imageId ? { imageId } : {}),
          uploadedAt: fixtureTime(spec.at),
          source: spec.source === 'catalog' ? ImageSource.CATALOG : ImageSource.UPLOAD,
        });
        const id = uploaded.data.imageId;
        const events: DomainEvent[] = [uploaded];
        if (spec.kind) events.push(makeClassified(id, { kind: spec.kind, confidence: spec.confidence, modelVersion: spec.model }));
        if (spec.rgb !== undefined) events.push(makeColourDetected(id, { rgbHex: FIXTURE_RGB[spec.rgb], rybHex: FIXTURE_RYB[spec.rgb] }));
        if (spec.subject !== undefined) {
          events.push(makeColourDetected(id, { algorithmVersion: 'subject-border-v1', rgbHex: FIXTURE_RGB[spec.subject], rybHex: FIXTURE_RYB[spec.subject] }));
        }
        return events;
      };
      const add = async (spec: Spec): Promise<string> => {
        const events = eventsOf(spec);
        position = await projectAll(rm, events, { firstPosition: position + 1 });
        return events[0].data.imageId;
      };

      beforeEach(async () => {
        ids = [];
        position = 0;
        for (const spec of specs) ids.push(await add(spec));
      }, TIMEOUT);

      /** Every page of a listing, each of at most `limit` items, and the totals each page gave. */
      const walk = async (query: ListQuery, between?: (page: number) => Promise<void>) => {
        const items: ImageView[] = [];
        const totals: number[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 50; page++) {
          const result = await rm.list({ ...query, cursor });
          expect(result.items.length).toBeLessThanOrEqual(query.limit ?? 24);
          items.push(...result.items);
          totals.push(result.total);
          if (result.nextCursor === null) return { ids: items.map((i) => i.imageId), items, totals };
          expect(result.items).toHaveLength(query.limit ?? 24);
          cursor = result.nextCursor;
          await between?.(page);
        }
        throw new Error('the listing did not end');
      };

      /** Expected order of the fixture under a sort: the key, then the image id, in the sort's direction. */
      const expected = (sort: ListSort, indexes = specs.map((_, i) => i)): string[] => {
        const rows = indexes.map((i) => ({ id: ids[i], at: specs[i].at, c: specs[i].confidence }));
        const key = (r: (typeof rows)[number]): number =>
          sort === 'newest' || sort === 'oldest' ? r.at : r.c ?? (sort === 'confidence_asc' ? 2 : -1);
        const asc = sort === 'oldest' || sort === 'confidence_asc';
        rows.sort((a, b) => {
          const byKey = key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
          return asc ? byKey : -byKey;
        });
        return rows.map((r) => r.id);
      };

      it(
        'walks every sort page by page: each image once, in (key, id) order, unclassified last on confidence',
        async () => {
          for (const sort of LIST_SORTS) {
            for (const limit of [1, 2, 4, 100]) {
              const listing = await walk({ sort, limit });
              expect(listing.ids).toEqual(expected(sort));
              expect(new Set(listing.totals)).toEqual(new Set([9]));
            }
          }
          // newest is the default sort and 24 the default limit.
          const first = await rm.list({});
          expect(first.items.map((i) => i.imageId)).toEqual(expected('newest'));
          expect(first).toMatchObject({ nextCursor: null, total: 9 });
          expect(first.items[0]).toEqual(await rm.getImage(first.items[0].imageId));
          expect((await walk({ sort: 'confidence_desc', limit: 4 })).ids.at(-1)).toBe(ids[5]);
          expect((await walk({ sort: 'confidence_asc', limit: 4 })).ids.at(-1)).toBe(ids[5]);
        },
        TIMEOUT,
      );

      it(
        'keeps pages stable while images arrive between them: no duplicates, no gaps',
        async () => {
          for (const sort of LIST_SORTS) {
            const before = expected(sort);
            const added: string[] = [];
            const listing = await walk({ sort, limit: 2 }, async (page) => {
              // One image sorting before everything seen so far, one after, one tying on the key.
              added.push(await add({ at: 100 + page, kind: 'Tomato', confidence: 0.999, model: 'm1', rgb: 0 }));
              added.push(await add({ at: -100 - page, kind: 'Tomato', confidence: 0.001, model: 'm1', rgb: 0 }));
              added.push(await add({ at: 3, kind: 'Carrot', confidence: 0.7, model: 'm1', rgb: 0 }));
            });
            expect(new Set(listing.ids).size).toBe(listing.ids.length);
            // Every image present at the start is seen, in order.
            expect(listing.ids.filter((id) => before.includes(id))).toEqual(before);
            expect(listing.totals.at(-1)).toBe(9 + added.length);
            // Start over for the next sort.
            for (const id of added) {
              position += 1;
              await rm.project(P, makeDeleted(id), position);
            }
          }
        },
        TIMEOUT,
      );

      it(
        'filters by kind, colour of either measure, source, model version and confidence, with totals',
        async () => {
          const only = async (query: ListQuery) => {
            const listing = await walk({ limit: 2, sort: 'oldest', ...query });
            expect(new Set(listing.totals)).toEqual(new Set([listing.ids.length]));
            return listing.ids;
          };
          const pick = (...indexes: number[]) => expected('oldest', indexes);
          expect(await only({ kind: 'Tomato' })).toEqual(pick(0, 1, 7));
          expect(await only({ palette: 'RGB', colour: FIXTURE_RGB[0] })).toEqual(pick(0, 2, 4));
          expect(await only({ palette: 'RYB', colour: FIXTURE_RYB[0].toLowerCase(), measure: 'subject' })).toEqual(pick(1, 2));
          expect(await only({ palette: 'RGB', measure: 'subject' })).toEqual(pick(1, 2, 6));
          expect(await only({ palette: 'RGB' })).toEqual(pick(0, 1, 2, 3, 4, 6, 7, 8));
          expect(await only({ source: 'catalog' })).toEqual(pick(0, 2, 4, 6));
          expect(await only({ source: 'upload' })).toEqual(pick(1, 3, 5, 7, 8));
          expect(await only({ modelVersion: 'm2' })).toEqual(pick(2, 3, 6, 7));
          expect(await only({ minConfidence: 0.7 })).toEqual(pick(0, 2, 3, 4, 7));
          expect(await only({ maxConfidence: 0.7 })).toEqual(pick(1, 2, 4, 6, 8));
          expect(await only({ minConfidence: 0.7, maxConfidence: 0.7 })).toEqual(pick(2, 4));
          expect(await only({ minConfidence: 0, maxConfidence: 1 })).toEqual(pick(0, 1, 2, 3, 4, 6, 7, 8));
          expect(await only({ kind: 'Carrot', source: 'catalog', modelVersion: 'm1', palette: 'RGB', colour: FIXTURE_RGB[0] })).toEqual(pick(4));
          expect(await only({ kind: 'Pumpkin' })).toEqual([]);
          expect(await rm.list({ kind: 'Pumpkin' })).toEqual({ items: [], nextCursor: null, total: 0 });
        },
        TIMEOUT,
      );

      it(
        'lists doubtful labels for review: low confidence, not a vegetable, or the newest two model versions disagree; never a corrected one',
        async () => {
          const review = async () => (await walk({ review: true, sort: 'oldest', limit: 3 })).ids;
          // Below the threshold: 1 (0.55) and 6 (0.3); 8 (0.61) is above it; 3 is not_a_vegetable.
          expect(REVIEW_CONFIDENCE_THRESHOLD).toBe(0.6);
          expect(await review()).toEqual(expected('oldest', [1, 3, 6]));
          // A new model version relabels 0 as another kind: the versions disagree.
          position += 1;
          await rm.project(P, makeClassified(ids[0], { kind: 'Capsicum', confidence: 0.97, modelVersion: 'm2' }), position);
          // 7 relabelled by another version with the same kind: they agree.
          position += 1;
          await rm.project(P, makeClassified(ids[7], { kind: 'Tomato', confidence: 0.97, modelVersion: 'm3' }), position);
          expect(await review()).toEqual(expected('oldest', [0, 1, 3, 6]));
          // The same version run again with the kind of the previous version: they agree again.
          position += 1;
          await rm.project(P, makeClassified(ids[0], { kind: 'Tomato', confidence: 0.97, modelVersion: 'm2' }), position);
          expect(await review()).toEqual(expected('oldest', [1, 3, 6]));
          // A third version that disagrees with the newest other version (m3 vs m2 on 7: m2 said Tomato).
          position += 1;
          await rm.project(P, makeClassified(ids[7], { kind: 'Bean', confidence: 0.97, modelVersion: 'm4' }), position);
          expect(await review()).toEqual(expected('oldest', [1, 3, 6, 7]));
          // A person's correction takes an image out of the queue.
          position += 1;
          await rm.project(P, makeCorrected(ids[1], { kind: 'Tomato' }), position);
          position += 1;
          await rm.project(P, makeCorrected(ids[7], { kind: 'Bean' }), position);
          expect(await review()).toEqual(expected('oldest', [3, 6]));
          // Review combines with the other filters.
          expect((await walk({ review: true, kind: 'Bean' })).ids).toEqual([ids[6]]);
        },
        TIMEOUT,
      );

      it(
        'refuses a cursor that is malformed, forged, or made for another sort or other filters',
        async () => {
          const page = await rm.list({ sort: 'newest', limit: 2, kind: 'Tomato' });
          expect(page.nextCursor).toEqual(expect.any(String));
          const cursor = page.nextCursor as string;
          expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
          const forged = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');
          const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, unknown>;
          for (const bad of [
            '',
            'not a cursor',
            '!!!!',
            'a'.repeat(600),
            Buffer.from('not json').toString('base64url'),
            forged([1, 2]),
            forged(null),
            forged({ ...decoded, k: 'yesterday' }),
            forged({ ...decoded, k: 5 }),
            forged({ ...decoded, i: '' }),
            forged({ ...decoded, i: 7 }),
            forged({ ...decoded, f: 'x' }),
          ]) {
            await expectCode(rm.list({ sort: 'newest', limit: 2, kind: 'Tomato', cursor: bad }), 'read_model_invalid_cursor');
          }
          await expectCode(rm.list({ sort: 'oldest', limit: 2, kind: 'Tomato', cursor }), 'read_model_invalid_cursor');
          await expectCode(rm.list({ sort: 'newest', limit: 2, kind: 'Carrot', cursor }), 'read_model_invalid_cursor');
          await expectCode(rm.list({ sort: 'newest', limit: 2, cursor }), 'read_model_invalid_cursor');
          // The limit may change between pages.
          expect((await rm.list({ sort: 'newest', limit: 5, kind: 'Tomato', cursor })).items).toHaveLength(1);
          const confidence = (await rm.list({ sort: 'confidence_asc', limit: 1 })).nextCursor as string;
          await expectCode(
            rm.list({ sort: 'confidence_asc', limit: 1, cursor: forged({ ...JSON.parse(Buffer.from(confidence, 'base64url').toString()), k: 'x' }) }),
            'read_model_invalid_cursor',
          );
          for (const query of [{ limit: 0 }, { limit: 101 }, { limit: 1.5 }, { sort: 'random' as never }, { minConfidence: -0.1 }, { maxConfidence: 2 }, { minConfidence: 0.8, maxConfidence: 0.2 }, { colour: FIXTURE_RGB[0] }, { source: 'web' as never }, { measure: 'x' as never }]) {
            await expectCode(rm.list(query), 'read_model_invalid_query');
          }
        },
        TIMEOUT,
      );

      it(
        'counts each facet under the other filters; without filters as before',
        async () => {
          const all = await rm.facets();
          expect(all.total).toBe(9);
          expect(all.kinds).toEqual({ Bean: 2, Carrot: 2, Tomato: 3, not_a_vegetable: 1 });
          expect(await rm.facets({})).toEqual(all);
          const tomato = await rm.facets({ kind: 'Tomato' });
          // Kinds ignore the kind filter; colours respect it.
          expect(tomato.total).toBe(3);
          expect(tomato.kinds).toEqual(all.kinds);
          expect(tomato.colours.RGB).toEqual({ [FIXTURE_RGB[0]]: 1, [FIXTURE_RGB[1]]: 2 });
          expect(tomato.subjectColours.RGB).toEqual({ [FIXTURE_RGB[0]]: 1 });
          const red = await rm.facets({ palette: 'RGB', colour: FIXTURE_RGB[0] });
          // Colours ignore the colour filter; kinds respect it.
          expect(red.total).toBe(3);
          expect(red.kinds).toEqual({ Carrot: 2, Tomato: 1 });
          expect(red.colours).toEqual(all.colours);
          const both = await rm.facets({ kind: 'Carrot', palette: 'RGB', colour: FIXTURE_RGB[0], source: 'catalog' });
          expect(both.total).toBe(2);
          expect(both.kinds).toEqual({ Carrot: 2, Tomato: 1 });
          expect(both.colours.RGB).toEqual({ [FIXTURE_RGB[0]]: 2 });
          const subject = await rm.facets({ palette: 'RGB', colour: FIXTURE_RGB[0], measure: 'subject' });
          expect(subject.total).toBe(2);
          expect(subject.kinds).toEqual({ Carrot: 1, Tomato: 1 });
          const doubtful = await rm.facets({ review: true, source: 'upload' });
          expect(doubtful.total).toBe(2);
          expect(doubtful.kinds).toEqual({ Tomato: 1, not_a_vegetable: 1 });
          const confident = await rm.facets({ minConfidence: 0.9, modelVersion: 'm2' });
          expect(confident).toMatchObject({ total: 1, kinds: { Tomato: 1 } });
          await expectCode(rm.facets({ colour: FIXTURE_RGB[0] }), 'read_model_invalid_query');
        },
        TIMEOUT,
      );
    });

    it(
      'keeps facet counts right across relabel, correction, deletion, re-upload, recolour, subject colour and rebuild',
      async () => {
        const upload = (i: number, catalog = false) =>
          makeUploaded({ uploadedAt: fixtureTime(i), ...(catalog ? { source: ImageSource.CATALOG, datasetSplit: 'train', groundTruthKind: 'Tomato' } : {}) });
        const ups = [upload(0), upload(1, true), upload(2), upload(3, true), upload(4), upload(5), upload(6)];
        const [a, b, c, d, e, f, g] = ups.map((u) => u.data.imageId);
        const events: DomainEvent[] = [
          ...ups,
          makeClassified(a, { kind: 'Tomato' }),
          makeClassified(b, { kind: 'Tomato' }),
          makeClassified(c, { kind: 'Carrot' }),
          makeClassified(d, { kind: 'Carrot' }),
          makeClassified(e, { kind: 'not_a_vegetable', confidence: 0.3 }),
          makeClassified(f, { kind: 'Bean' }),
          ...[a, b, c, d, e].map((id, i) => makeColourDetected(id, { rgbHex: FIXTURE_RGB[i % 4], rybHex: FIXTURE_RYB[i % 4] })),
          // Relabel by a newer model; a person's correction; a correction over the relabel.
          makeClassified(a, { kind: 'Carrot', modelVersion: 'model-v2' }),
          makeCorrected(b, { kind: 'Capsicum', previousKind: 'Tomato' }),
          makeCorrected(a, { kind: 'Bean', previousKind: 'Carrot' }),
          makeClassified(b, { kind: 'Potato', modelVersion: 'model-v2' }),
          // Recolour (photo), then the subject measure beside it.
          makeColourDetected(d, { rgbHex: FIXTURE_RGB[2], rybHex: FIXTURE_RYB[2] }),
          makeColourDetected(d, { algorithmVersion: 'subject-oklab-v3', rgbHex: FIXTURE_RGB[1], rybHex: FIXTURE_RYB[3] }),
          makeColourDetected(a, { algorithmVersion: 'subject-oklab-v3', rgbHex: FIXTURE_RGB[1], rybHex: FIXTURE_RYB[1] }),
          makeColourDetected(a, { algorithmVersion: 'subject-oklab-v3', rgbHex: FIXTURE_RGB[0], rybHex: FIXTURE_RYB[2] }),
          // The same bytes again (counted once), a deletion, and a deleted image uploaded anew.
          makeUploaded({ imageId: e, sha256: ups[4].data.sha256, uploadedAt: fixtureTime(9) }),
          makeDeleted(c),
          makeClassified(c, { kind: 'Bean' }),
          makeDeleted(f),
          makeUploaded({ imageId: c, sha256: ups[2].data.sha256, uploadedAt: fixtureTime(10) }),
          makeColourDetected(c, { rgbHex: FIXTURE_RGB[3], rybHex: FIXTURE_RYB[3] }),
          makeColourDetected(g, { rgbHex: FIXTURE_RGB[0], rybHex: FIXTURE_RYB[0] }),
        ];
        const queries: CatalogFilters[] = [
          {},
          { kind: 'Bean' },
          { kind: 'Carrot' },
          { kind: 'Tomato' },
          { palette: 'RGB', colour: FIXTURE_RGB[0] },
          { palette: 'RYB' },
          { palette: 'RGB', colour: FIXTURE_RGB[2].toLowerCase(), kind: 'Carrot' },
          { source: 'catalog' },
          { source: 'upload', palette: 'RGB' },
          { palette: 'RGB', measure: 'subject' },
          { palette: 'RYB', colour: FIXTURE_RYB[2], measure: 'subject', kind: 'Bean' },
          { palette: 'RGB', colour: FIXTURE_RGB[1], measure: 'subject', source: 'catalog' },
        ];
        const check = async (when: string) => {
          const images = ((await rm.dump(P)) as ({ table: string } & ImageView)[]).filter((r) => r.table === 'images');
          for (const query of queries) {
            const expected = facetsOf(images, query);
            expect({ when, query, facets: await rm.facets(query) }).toEqual({ when, query, facets: expected });
            expect({ when, query, total: (await rm.list({ ...query, limit: 1 })).total }).toEqual({ when, query, total: expected.total });
          }
          return images.length;
        };
        let position = 0;
        for (const event of events) {
          await rm.project(P, event, ++position);
          if (position % 6 === 0 || position === events.length) await check(`after event ${position}`);
        }
        expect(await check('live')).toBe(6);
        // Every image's row is gone with its deletion, counters included.
        expect((await rm.facets({ kind: 'Bean', palette: 'RGB' })).total).toBe(1);
        // A rebuild (reset, then the log again) counts the same.
        const live = await rm.facets();
        await rm.reset(P);
        expect(await rm.facets()).toEqual({ total: 0, kinds: {}, colours: { RGB: {}, RYB: {} }, subjectColours: { RGB: {}, RYB: {} } });
        await projectAll(rm, events);
        expect(await rm.facets()).toEqual(live);
        await check('rebuilt');
      },
      TIMEOUT,
    );
  });
}
