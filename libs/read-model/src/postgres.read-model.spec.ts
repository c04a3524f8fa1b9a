import { randomBytes } from 'node:crypto';
import { createReadModel } from './create-read-model';
import { CATALOG_PROJECTION } from './read-model.port';
import { describeReadModelContract, fixtureEvents, makeClassified, makeUploaded, projectAll } from './testing';
import type { MikroOrmReadModel } from './mikro-orm/mikro-orm-read-model';

const URL = process.env['VEGVISION_DATABASE_URL'];
const TIMEOUT = 60_000;

if (!URL) {
  console.warn('SKIPPED: read-model PostgreSQL adapter — VEGVISION_DATABASE_URL not set');
}

/** A schema name unique to this run and call, so parallel runs never meet. */
function uniqueSchema(): string {
  return `rm_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

async function dropSchema(readModel: MikroOrmReadModel, schema: string): Promise<void> {
  await readModel.orm.em.fork().getConnection().execute(`drop schema if exists "${schema}" cascade`);
}

/** Opens a read model in a fresh schema; `cleanup` drops the schema and closes. */
async function openScratch(): Promise<{ readModel: MikroOrmReadModel; schema: string; cleanup(): Promise<void> }> {
  const schema = uniqueSchema();
  const readModel = await createReadModel({ kind: 'postgres', url: URL as string, schema });
  return {
    readModel,
    schema,
    cleanup: async () => {
      try {
        await dropSchema(readModel, schema);
      } finally {
        await readModel.close();
      }
    },
  };
}

(URL ? describe : describe.skip)('MikroORM + PostgreSQL', () => {
  describeReadModelContract('MikroORM + PostgreSQL', openScratch);

  describe('PostgreSQL specifics', () => {
    let scratch: Awaited<ReturnType<typeof openScratch>>;

    beforeEach(async () => {
      scratch = await openScratch();
    }, TIMEOUT);

    afterEach(async () => {
      await scratch.cleanup();
    }, TIMEOUT);

    it(
      'creates its tables in its own schema and records the migration there',
      async () => {
        await scratch.readModel.migrate();
        const connection = scratch.readModel.orm.em.fork().getConnection();
        const tables = await connection.execute(
          `select table_name from information_schema.tables where table_schema = ? order by table_name`,
          [scratch.schema],
        );
        expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual([
          'classifications',
          'corrections',
          'deleted_images',
          'facet_counts',
          'images',
          'projection_checkpoints',
          'read_model_migrations',
        ]);
        const indexes = await connection.execute(`select indexname from pg_indexes where schemaname = ? order by 1`, [
          scratch.schema,
        ]);
        expect(indexes.map((i: { indexname: string }) => i.indexname)).toEqual(
          expect.arrayContaining(['images_kind_image_id_index', 'images_rgb_hex_image_id_index', 'images_ryb_hex_image_id_index', 'images_sha256_unique']),
        );
      },
      TIMEOUT,
    );

    it(
      'migrates safely when two instances start at once',
      async () => {
        const other = await createReadModel({ kind: 'postgres', url: URL as string, schema: scratch.schema });
        try {
          await Promise.all([scratch.readModel.migrate(), other.migrate()]);
          const applied = await other.orm.em
            .fork()
            .getConnection()
            .execute(`select name from "${scratch.schema}".read_model_migrations`);
          expect(applied).toEqual([
            { name: 'Migration20250601000000Initial' },
            { name: 'Migration20260301000000Corrections' },
            { name: 'Migration20260303000000SubjectColour' },
            { name: 'Migration20261202000000CatalogListing' },
            { name: 'Migration20261207000000ReadPath' },
            { name: 'Migration20261207180000SampleDraw' },
          ]);
        } finally {
          await other.close();
        }
      },
      TIMEOUT,
    );

    it(
      'applies each position once when two projector instances race',
      async () => {
        await scratch.readModel.migrate();
        const other = await createReadModel({ kind: 'postgres', url: URL as string, schema: scratch.schema });
        try {
          const fixture = fixtureEvents(10);
          // Both instances project the whole log concurrently, event by event.
          const [a, b] = await Promise.all([
            raceProject(scratch.readModel, fixture.events),
            raceProject(other, fixture.events),
          ]);
          expect(a + b).toBe(fixture.events.length);
          expect(await other.checkpoint(CATALOG_PROJECTION)).toBe(fixture.events.length);
          for (const image of fixture.images) {
            expect(await other.classifications(image.imageId)).toHaveLength(1);
            expect(await other.getImage(image.imageId)).toMatchObject({ uploadCount: 1, status: 'ready' });
          }
        } finally {
          await other.close();
        }
      },
      TIMEOUT,
    );

    it(
      'shares one schema between a live instance and a fresh reader',
      async () => {
        await scratch.readModel.migrate();
        const uploaded = makeUploaded();
        await projectAll(scratch.readModel, [uploaded, makeClassified(uploaded.data.imageId)]);
        const reader = await createReadModel({ kind: 'postgres', url: URL as string, schema: scratch.schema });
        try {
          expect(await reader.dump(CATALOG_PROJECTION)).toEqual(await scratch.readModel.dump(CATALOG_PROJECTION));
        } finally {
          await reader.close();
        }
      },
      TIMEOUT,
    );
  });
});

async function raceProject(readModel: MikroOrmReadModel, events: Parameters<typeof projectAll>[1]): Promise<number> {
  let applied = 0;
  for (let i = 0; i < events.length; i++) {
    if (await readModel.project(CATALOG_PROJECTION, events[i], i + 1)) applied++;
  }
  return applied;
}
