// A synthetic catalog for bench/api: the read model's image rows multiplied, in SQL, from the
// rows the projector wrote for the imported seed sample (270 images), up to N rows. Each copy
// keeps its source row's labels, colours and object key (so the kind and colour distribution
// is the seed's and links still sign and serve), with a fresh image id, a fresh sha256 and an
// upload time shifted back one second per copy. These are projected rows inserted directly,
// not events: the event store keeps only the seed's events (a rebuild would give the seed
// back). The facet counters are then recounted from the rows (MikroOrmReadModel.recountFacets,
// the same statements as the migration's backfill).
import { createReadModel, type MikroOrmReadModel } from '@vegvision/read-model';

const COLUMNS = [
  'object_key', 'content_type', 'width', 'height', 'size_bytes', 'source', 'dataset_split', 'ground_truth_kind', 'original_name',
  'upload_count', 'kind', 'confidence', 'top', 'model_version', 'classified_at', 'rgb_hex', 'ryb_hex', 'rgb_shares', 'ryb_shares',
  'colour_algorithm', 'coloured_at', 'status', 'last_position', 'model_kind', 'corrected_kind', 'corrected_by', 'corrected_at',
  'correction_note', 'subject_rgb_hex', 'subject_ryb_hex', 'subject_rgb_shares', 'subject_ryb_shares', 'subject_colour_algorithm',
  'subject_coloured_at', 'models_disagree',
];

/** Grows the catalog to `target` image rows; returns the row count. */
export async function growCatalog(rm: MikroOrmReadModel, target: number): Promise<number> {
  const conn = rm.orm.em.fork().getConnection();
  const count = async () => Number(((await conn.execute(`select count(*) as n from ${table(rm, 'images')}`)) as { n: number | string }[])[0].n);
  const have = await count();
  const missing = target - have;
  if (missing > 0) {
    const copies = Math.ceil(missing / have);
    const cols = COLUMNS.map((c) => `"${c}"`).join(', ');
    const src = COLUMNS.map((c) => `src."${c}"`).join(', ');
    if (rm.engine === 'sqlite') {
      const hex = (bytes: number) => `lower(hex(randomblob(${bytes})))`;
      const id = `${hex(4)} || '-' || ${hex(2)} || '-4' || substr(${hex(2)}, 2) || '-a' || substr(${hex(2)}, 2) || '-' || ${hex(6)}`;
      // uploaded_at is stored as epoch milliseconds on SQLite.
      await conn.execute(
        `insert into images ("image_id", "sha256", "uploaded_at", ${cols})
         with recursive n(i) as (select 1 union all select i + 1 from n where i < ${copies})
         select ${id}, ${hex(32)}, src."uploaded_at" - n.i * 1000, ${src} from n cross join images src
         order by n.i, src."image_id" limit ${missing}`,
      );
    } else {
      const images = table(rm, 'images');
      await conn.execute(
        `insert into ${images} ("image_id", "sha256", "uploaded_at", ${cols})
         select gen_random_uuid()::text, md5(random()::text) || md5(random()::text), src."uploaded_at" - n.i * interval '1 second', ${src}
         from generate_series(1, ${copies}) n(i) cross join ${images} src
         order by n.i, src."image_id" limit ${missing}`,
      );
      // Analyse, and set the visibility map, as autovacuum would after a bulk load (index-only scans need it).
      await conn.execute(`vacuum analyze ${images}`);
    }
  }
  if (rm.engine === 'sqlite') await conn.execute('analyze');
  // The facet counters (when this read model keeps them) follow the inserted rows.
  await (rm as unknown as { recountFacets?: () => Promise<void> }).recountFacets?.();
  return count();
}

function table(rm: MikroOrmReadModel, name: string): string {
  return rm.schema ? `"${rm.schema}"."${name}"` : `"${name}"`;
}

/** Opens a read model, waits until it holds `ready` ready images (a projector catching up), grows it to `target` images, closes it. */
export async function growCatalogAt(config: Parameters<typeof createReadModel>[0], target: number, ready = 0): Promise<number> {
  const rm = await createReadModel({ ...config, migrate: true } as Parameters<typeof createReadModel>[0]);
  try {
    const conn = rm.orm.em.fork().getConnection();
    const end = Date.now() + 600_000;
    while (ready > 0) {
      const [row] = (await conn.execute(`select count(*) as n from ${table(rm, 'images')} where "status" = 'ready'`)) as { n: number | string }[];
      if (Number(row.n) >= ready) break;
      if (Date.now() > end) throw new Error(`the read model did not reach ${ready} ready images`);
      await new Promise((r) => setTimeout(r, 500));
    }
    return await growCatalog(rm, target);
  } finally {
    await rm.close();
  }
}
