// The behaviour every ReadModel adapter must show. Each test gets a fresh, empty read model
// from `factory` (migrated by the suite) and releases it with `cleanup`.
import type { DomainEvent } from '@vegvision/contracts';
import { ImageSource } from '@vegvision/contracts';
import { CATALOG_PROJECTION, type ImageView, type ReadModel } from '../read-model.port';
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
} from './fixtures';

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
  });
}
