// The random sample's draw in O(sample), not O(matches): image ids are hashes of the image's
// bytes (deterministic UUIDs), so their order is a random order of the images, independent of
// every label. A draw seeks `count` random points in that order, in the index of the filter
// column and the image id; from each point it takes one of the next SAMPLE_RUN matching ids at
// random (wrapping round to the first ids past the last one), all in one query.
//
// Approximately uniform: an image's chance per point is the share of the id space spanned by
// the SAMPLE_RUN gaps before it, over SAMPLE_RUN; with random ids that is 1/M on average (M
// matches) with a standard deviation of 1/(M·√SAMPLE_RUN) (a quarter of it), fixed per image
// by where its id falls. Small match sets (at most SAMPLE_RUN · count) and draws whose picks
// collide use the exact draw (every match read, sorted by
// random()) instead: a uniform sample without replacement.

/** Matching ids read after each random point; 1/√ of it is the draw's relative bias. */
export const SAMPLE_RUN = 16;

export interface SampleDrawQuery {
  /** Quoted (schema-qualified) images table. */
  images: string;
  /** The key the rows are loaded by ("rowid" on SQLite, "image_id" on PostgreSQL). */
  key: string;
  /** SQL conditions of the filters and their parameters (all of them hold). */
  where: string[];
  params: unknown[];
  count: number;
  /**
   * PostgreSQL plans every statement it is sent (no prepared statements here): there the picks
   * are one correlated subquery over unnest()ed points and offsets, planned once, instead of
   * `count` copies of it.
   */
  engine: 'sqlite' | 'postgres';
}

/** A random point of the image id order: 8 lower-case hex digits (the ids' own alphabet). */
function randomPoint(random: () => number): string {
  return Math.floor(random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0');
}

/**
 * A query of the rows the draw picks, less its `select` list (`from …`): `count` of them, or fewer when picks collide or when at
 * most SAMPLE_RUN · count images match (a count that stops there, so O(count) too), and its
 * parameters.
 */
export function sampleDrawSql(q: SampleDrawQuery, random: () => number = Math.random): { sql: string; params: unknown[] } {
  const filters = q.where.map((c) => `(${c})`);
  const where = (extra: string[]) => {
    const all = [...filters, ...extra];
    return all.length ? ` where ${all.join(' and ')}` : '';
  };
  const ids = (name: string, extra: string[]) =>
    `select k from (select ${q.key} as k from ${q.images}${where(extra)} order by "image_id" limit ${SAMPLE_RUN}) ${name}`;
  const pick = (i: number) =>
    `select k from (${ids(`a${i}`, ['"image_id" >= ?'])} union all ${ids(`b${i}`, [])} limit 1 offset ?) p${i}`;
  const enough = SAMPLE_RUN * q.count;
  const guard = `from ${q.images} where (select count(*) from (select 1 as one from ${q.images}${where([])} limit ${enough + 1}) m) > ${enough}`;
  // Per pick: the point, then which of the SAMPLE_RUN ids after it (the offset).
  const points = Array.from({ length: q.count }, () => randomPoint(random));
  const offsets = Array.from({ length: q.count }, () => Math.floor(random() * SAMPLE_RUN));
  if (q.engine === 'postgres') {
    const run = (extra: string[]) => `(select "image_id" as k from ${q.images}${where(extra)} order by "image_id" limit ${SAMPLE_RUN})`;
    const picks = `select (select k from (${run(['"image_id" >= p.point'])} union all ${run([])} limit 1 offset p.skip) x) from unnest(?::text[], ?::int[]) as p(point, skip)`;
    // Arrays as literals: the driver's bindings would spread a JS array into a list.
    return { sql: `${guard} and "image_id" in (${picks})`, params: [...q.params, ...q.params, ...q.params, `{${points.join(',')}}`, `{${offsets.join(',')}}`] };
  }
  const picks = Array.from({ length: q.count }, (_, i) => pick(i)).join(' union all ');
  const params = [...q.params, ...points.flatMap((point, i) => [...q.params, point, ...q.params, offsets[i]])];
  return { sql: `${guard} and ${q.key} in (${picks})`, params };
}
