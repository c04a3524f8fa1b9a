// ProjectionBatcher on a real (in-memory SQLite) read model: events handed in side by side go
// into one transaction, each caller learns its own event's outcome, and a bad event fails alone.
import { CATALOG_PROJECTION, createReadModel, type MikroOrmReadModel } from '@vegvision/read-model';
import { makeClassified, makeColourDetected, makeUploaded } from '@vegvision/read-model/testing';
import { ProjectionBatcher } from './projection-batcher';

describe('ProjectionBatcher', () => {
  let readModel: MikroOrmReadModel;

  beforeEach(async () => {
    readModel = await createReadModel({ kind: 'sqlite', path: ':memory:', migrate: true });
  });

  afterEach(async () => {
    await readModel.close();
  });

  it('projects events handed in side by side in one transaction and tells each caller its own outcome', async () => {
    const batches = jest.spyOn(readModel, 'projectBatch');
    const batcher = new ProjectionBatcher(readModel, CATALOG_PROJECTION);
    const a = makeUploaded();
    const b = makeUploaded();
    const results = await Promise.all([
      batcher.project(a, 1),
      batcher.project(b, 2),
      batcher.project(a, 1), // already applied by the first, in the same batch
    ]);
    expect(results).toEqual([true, true, false]);
    expect(batches.mock.calls.map(([, events]) => events.map((e) => e.position))).toEqual([[1, 2, 1]]);
    expect(await readModel.getImage(a.data.imageId)).not.toBeNull();
    expect(await readModel.getImage(b.data.imageId)).not.toBeNull();
    expect(await readModel.checkpoint(CATALOG_PROJECTION)).toBe(2);
  });

  it('fails only the bad event of a batch: the others commit', async () => {
    const batcher = new ProjectionBatcher(readModel, CATALOG_PROJECTION);
    const a = makeUploaded();
    await batcher.project(a, 1);
    const orphan = makeClassified('00000000-0000-4000-8000-000000000000');
    const settled = await Promise.allSettled([
      batcher.project(makeClassified(a.data.imageId), 2),
      batcher.project(orphan, 3),
      batcher.project(makeColourDetected(a.data.imageId), 4),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'read_model_unknown_image' });
    expect((await readModel.getImage(a.data.imageId))?.status).toBe('ready');
    expect(await readModel.checkpoint(CATALOG_PROJECTION)).toBe(4);
  });

  it('keeps batches within maxBatch and projects every event once', async () => {
    const batches = jest.spyOn(readModel, 'projectBatch');
    const batcher = new ProjectionBatcher(readModel, CATALOG_PROJECTION, 2);
    const uploads = Array.from({ length: 5 }, () => makeUploaded());
    expect(await Promise.all(uploads.map((u, i) => batcher.project(u, i + 1)))).toEqual([true, true, true, true, true]);
    const sizes = batches.mock.calls.map(([, events]) => events.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
    expect(sizes.reduce((n, s) => n + s, 0)).toBe(5); // (project() of a lone event is a batch of one)
    expect((await readModel.facets()).total).toBe(5);
    expect(() => new ProjectionBatcher(readModel, CATALOG_PROJECTION, 0)).toThrow(RangeError);
  });
});
