import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { encodeEvent } from '@vegvision/contracts';
import { createReadModel } from './create-read-model';
import { CATALOG_PROJECTION } from './read-model.port';
import { describeReadModelContract, fixtureEvents, makeClassified, projectAll } from './testing';

const TIMEOUT = 60_000;

describeReadModelContract('MikroORM + libSQL (:memory:)', async () => {
  const readModel = await createReadModel({ kind: 'sqlite', path: ':memory:' });
  return { readModel, cleanup: () => readModel.close() };
});

describeReadModelContract('MikroORM + libSQL (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vegvision-read-model-'));
  const readModel = await createReadModel({ kind: 'sqlite', path: join(dir, 'read.db') });
  return {
    readModel,
    cleanup: async () => {
      await readModel.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeReadModelContract('MikroORM + libSQL (file, synchronous normal)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vegvision-read-model-'));
  const readModel = await createReadModel({ kind: 'sqlite', path: join(dir, 'read.db'), synchronous: 'normal' });
  return {
    readModel,
    cleanup: async () => {
      await readModel.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('MikroORM + libSQL file database', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vegvision-read-model-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'keeps its data, checkpoint and migrations across a reopen, in WAL mode',
    async () => {
      const path = join(dir, 'nested', 'read.db');
      const fixture = fixtureEvents(3);
      const first = await createReadModel({ kind: 'sqlite', path, migrate: true });
      let before: unknown[];
      try {
        await projectAll(first, fixture.events);
        before = await first.dump(CATALOG_PROJECTION);
        const [mode] = await first.orm.em.fork().getConnection().execute('pragma journal_mode');
        expect(mode).toEqual({ journal_mode: 'wal' });
      } finally {
        await first.close();
      }

      const second = await createReadModel({ kind: 'sqlite', path, migrate: true });
      try {
        expect(await second.checkpoint(CATALOG_PROJECTION)).toBe(9);
        expect(await second.dump(CATALOG_PROJECTION)).toEqual(before);
        expect(await second.getImage(fixture.images[1].imageId)).toMatchObject({ status: 'ready', kind: 'Tomato' });
        // Projection continues from the stored per-image positions (image 0's events: 1..3).
        expect(await second.project(CATALOG_PROJECTION, makeClassified(fixture.images[0].imageId), 3)).toBe(false);
        expect(await second.project(CATALOG_PROJECTION, makeClassified(fixture.images[0].imageId), 10)).toBe(true);
        const applied = await second.orm.em
          .fork()
          .getConnection()
          .execute('select name from read_model_migrations order by id');
        expect(applied).toEqual([
          { name: 'Migration20250601000000Initial' },
          { name: 'Migration20260301000000Corrections' },
          { name: 'Migration20260303000000SubjectColour' },
          { name: 'Migration20261202000000CatalogListing' },
          { name: 'Migration20261207000000ReadPath' },
          { name: 'Migration20261207180000SampleDraw' },
        ]);
      } finally {
        await second.close();
      }
    },
    TIMEOUT,
  );

  it(
    "commits with an fsync each by default, and with synchronous 'normal' only when sync() asks, keeping what it committed across a reopen",
    async () => {
      const path = join(dir, 'read.db');
      const mode = async (rm: Awaited<ReturnType<typeof createReadModel>>) =>
        (await rm.orm.em.fork().getConnection().execute('pragma synchronous'))[0];
      const full = await createReadModel({ kind: 'sqlite', path, migrate: true });
      expect(await mode(full)).toEqual({ synchronous: 2 });
      await full.sync(); // nothing to do
      await full.close();

      const fixture = fixtureEvents(2);
      const normal = await createReadModel({ kind: 'sqlite', path, synchronous: 'normal' });
      let before: unknown[];
      try {
        expect(await mode(normal)).toEqual({ synchronous: 1 });
        await projectAll(normal, fixture.events);
        await normal.sync();
        before = await normal.dump(CATALOG_PROJECTION);
      } finally {
        await normal.close();
      }
      const again = await createReadModel({ kind: 'sqlite', path });
      try {
        expect(await again.dump(CATALOG_PROJECTION)).toEqual(before);
      } finally {
        await again.close();
      }
      // The WAL file went with the last connection: sync() where there is no WAL file does nothing.
      const reopened = await createReadModel({ kind: 'sqlite', path, synchronous: 'normal' });
      try {
        await expect(reopened.sync()).resolves.toBeUndefined();
      } finally {
        await reopened.close();
      }
    },
    TIMEOUT,
  );

  it(
    'applies each event once when two projector processes race on one file',
    async () => {
      const path = join(dir, 'read.db');
      const setup = await createReadModel({ kind: 'sqlite', path, migrate: true });
      await setup.close();
      const fixture = fixtureEvents(15);
      const logFile = join(dir, 'log.json');
      writeFileSync(logFile, JSON.stringify(fixture.events.map(encodeEvent)));

      const repoRoot = resolve(__dirname, '../../..');
      const child = () =>
        promisify(execFile)(
          process.execPath,
          ['-r', join(repoRoot, 'tools/ts-loader/register'), join(__dirname, 'sqlite-race.child.ts'), path, logFile],
          { cwd: repoRoot, timeout: 90_000 },
        );
      const results = await Promise.all([child(), child()]);
      const applied = results.map((r) => Number(r.stdout.trim()));
      expect(applied[0] + applied[1]).toBe(fixture.events.length);

      const readModel = await createReadModel({ kind: 'sqlite', path });
      try {
        expect(await readModel.checkpoint(CATALOG_PROJECTION)).toBe(fixture.events.length);
        for (const image of fixture.images) {
          expect(await readModel.getImage(image.imageId)).toMatchObject({ uploadCount: 1, status: 'ready' });
          expect(await readModel.classifications(image.imageId)).toHaveLength(1);
        }
      } finally {
        await readModel.close();
      }
    },
    120_000,
  );

  it(
    'serves readers while the projector writes',
    async () => {
      const path = join(dir, 'read.db');
      const readModel = await createReadModel({ kind: 'sqlite', path, migrate: true });
      try {
        const fixture = fixtureEvents(20);
        const [last, ...reads] = await Promise.all([
          projectAll(readModel, fixture.events),
          ...Array.from({ length: 20 }, () => readModel.facets()),
        ]);
        expect(last).toBe(60);
        for (const facets of reads) expect(facets.total).toBeLessThanOrEqual(20);
        expect((await readModel.facets()).total).toBe(20);
      } finally {
        await readModel.close();
      }
    },
    TIMEOUT,
  );
});

describe('createReadModel', () => {
  it('rejects unusable configuration with a typed error', async () => {
    await expect(createReadModel({ kind: 'sqlite', path: '' })).rejects.toMatchObject({
      code: 'read_model_config_invalid',
    });
    await expect(createReadModel({ kind: 'sqlite', path: ':memory:', synchronous: 'off' as never })).rejects.toMatchObject({
      code: 'read_model_config_invalid',
    });
    await expect(createReadModel({ kind: 'mysql' } as never)).rejects.toMatchObject({
      code: 'read_model_config_invalid',
    });
    await expect(createReadModel({ kind: 'postgres', url: 'mysql://x' })).rejects.toMatchObject({
      code: 'read_model_config_invalid',
    });
    await expect(
      createReadModel({ kind: 'postgres', url: 'postgres://u:p@127.0.0.1:1/db', schema: 'Bad-Name' }),
    ).rejects.toMatchObject({ code: 'read_model_config_invalid' });
  });

  it(
    'fails with read_model_unavailable when PostgreSQL cannot be reached, without leaking the password',
    async () => {
      // Port 1 on localhost refuses connections at once.
      const error = await createReadModel({ kind: 'postgres', url: 'postgres://u:secret@127.0.0.1:1/db' }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'read_model_unavailable' });
      expect(String((error as Error).message)).not.toContain('secret');
    },
    TIMEOUT,
  );

  it('refuses calls after close', async () => {
    const readModel = await createReadModel({ kind: 'sqlite', path: ':memory:', migrate: true });
    await readModel.close();
    await readModel.close();
    await expect(readModel.ping()).rejects.toMatchObject({ code: 'read_model_closed' });
  });
});
