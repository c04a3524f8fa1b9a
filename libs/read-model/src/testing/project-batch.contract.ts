// The behaviour of `projectBatch` every ReadModel adapter must show: the same rows as `project`
// one event at a time, in one transaction, all or nothing. Called from describeReadModelContract
// (`readModel()` gives that suite's fresh, migrated read model of the running test).
import { CATALOG_PROJECTION, type ReadModel } from '../read-model.port';
import {
  FIXTURE_RGB,
  fixtureEvents,
  makeClassified,
  makeColourDetected,
  makeCorrected,
  makeDeleted,
  makeUploaded,
  projectAll,
} from './fixtures';

const TIMEOUT = 60_000;
const P = CATALOG_PROJECTION;

export function describeProjectBatchContract(readModel: () => ReadModel): void {
  describe('projectBatch', () => {
    it(
      'writes what projecting the events one by one writes: rows, facet counters, checkpoint',
      async () => {
        const rm = readModel();
        const fixture = fixtureEvents([
          { kind: 'Tomato', rgbHex: FIXTURE_RGB[0] },
          { kind: 'Bean', rgbHex: FIXTURE_RGB[1] },
          { kind: null, rgbHex: FIXTURE_RGB[2] },
        ]);
        const [a, b] = fixture.images;
        const log = [
          ...fixture.events,
          makeClassified(a.imageId, { modelVersion: 'model-v2', kind: 'Capsicum' }),
          makeColourDetected(a.imageId, { algorithmVersion: 'subject-border-v1', rgbHex: FIXTURE_RGB[3] }),
          makeCorrected(b.imageId, { kind: 'Carrot' }),
          makeUploaded({ imageId: b.imageId, sha256: b.sha256 }),
          makeDeleted(fixture.images[2].imageId),
        ];
        const last = await projectAll(rm, log, { firstPosition: 10, step: 2 });
        const oneByOne = await rm.dump(P);
        const facets = await rm.facets();
        await rm.reset(P);

        // Two batches, the log split in the middle of an image's events.
        const positioned = log.map((event, i) => ({ event, position: 10 + 2 * i }));
        const half = Math.floor(positioned.length / 2);
        expect(await rm.projectBatch(P, positioned.slice(0, half))).toEqual(positioned.slice(0, half).map(() => true));
        expect(await rm.projectBatch(P, positioned.slice(half))).toEqual(positioned.slice(half).map(() => true));
        expect(await rm.dump(P)).toEqual(oneByOne);
        expect(await rm.facets()).toEqual(facets);
        expect(await rm.facets({ kind: 'Carrot' })).toMatchObject({ total: 1 });
        expect(await rm.checkpoint(P)).toBe(last);
      },
      TIMEOUT,
    );

    it(
      'skips, per event, what was applied already, in the batch or before it',
      async () => {
        const rm = readModel();
        const uploaded = makeUploaded();
        const id = uploaded.data.imageId;
        const classified = makeClassified(id);
        await rm.project(P, uploaded, 1);
        const results = await rm.projectBatch(P, [
          { event: uploaded, position: 1 },
          { event: classified, position: 2 },
          { event: classified, position: 2 },
          { event: classified, position: 3 }, // the same event id at a later position
          { event: makeColourDetected(id), position: 4 },
        ]);
        expect(results).toEqual([false, true, false, false, true]);
        expect(await rm.classifications(id)).toHaveLength(1);
        expect((await rm.getImage(id))?.status).toBe('ready');
        expect((await rm.facets()).kinds).toEqual({ Tomato: 1 });
        expect(await rm.checkpoint(P)).toBe(4);
        expect(await rm.projectBatch(P, [])).toEqual([]);
        expect(await rm.checkpoint(P)).toBe(4);
      },
      TIMEOUT,
    );

    it(
      'writes nothing of a batch with an event that cannot be applied, so each event can be retried alone',
      async () => {
        const rm = readModel();
        const first = makeUploaded();
        await rm.project(P, first, 1);
        const before = await rm.dump(P);
        const facets = await rm.facets();
        const next = makeUploaded();
        const good = [
          { event: makeClassified(first.data.imageId), position: 2 },
          { event: next, position: 3 },
        ];
        // An event for an image never uploaded, after good ones.
        await expect(
          rm.projectBatch(P, [...good, { event: makeClassified('00000000-0000-4000-8000-000000000000'), position: 4 }]),
        ).rejects.toMatchObject({ code: 'read_model_unknown_image' });
        // An invalid event: nothing is written either.
        await expect(rm.projectBatch(P, [...good, { event: makeColourDetected(first.data.imageId, { rgbHex: 'red' }), position: 4 }])).rejects.toMatchObject({
          code: 'read_model_invalid_event',
        });
        await expect(rm.projectBatch(P, [...good, { event: makeUploaded(), position: -1 }])).rejects.toMatchObject({
          code: 'read_model_invalid_position',
        });
        expect(await rm.dump(P)).toEqual(before);
        expect(await rm.facets()).toEqual(facets);
        expect(await rm.checkpoint(P)).toBe(1);
        // The good events alone still apply.
        expect(await rm.projectBatch(P, good)).toEqual([true, true]);
        expect(await rm.getImage(next.data.imageId)).not.toBeNull();
        expect(await rm.checkpoint(P)).toBe(3);
      },
      TIMEOUT,
    );
  });
}
