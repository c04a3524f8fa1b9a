// Facet counters: one row per (source, shown kind, facet, value) with the number of images
// there, kept by the projector in the same transaction as the image row it changes, so that
// `facets` (and the `total` of `list`) under kind, palette, colour, measure and source filters
// read a few hundred counter rows instead of counting the images. Facets: 'total' (value '':
// every image), and one per colour column ('rgb', 'ryb', 'subject_rgb', 'subject_ryb'; value:
// the hex, images without that colour have no row). An unlabelled image's kind is ''.
// Rows whose count falls to 0 stay (the key space is small: sources × kinds × colours).
import type { ImageRow } from './entities';

export const FACET_COUNTS_TABLE = 'facet_counts';

/** The colour facets and their image columns. */
export const COLOUR_FACETS = [
  { facet: 'rgb', column: 'rgb_hex', property: 'rgbHex' },
  { facet: 'ryb', column: 'ryb_hex', property: 'rybHex' },
  { facet: 'subject_rgb', column: 'subject_rgb_hex', property: 'subjectRgbHex' },
  { facet: 'subject_ryb', column: 'subject_ryb_hex', property: 'subjectRybHex' },
] as const;

export type ColourFacet = (typeof COLOUR_FACETS)[number]['facet'];

/** (source, kind, facet, value), joined by NUL (none of them holds one). */
export type FacetKey = string;
const SEP = '\u0000';

/** The columns of an image row that the counters count by. */
export type FacetRow = Pick<ImageRow, 'source' | 'kind' | 'rgbHex' | 'rybHex' | 'subjectRgbHex' | 'subjectRybHex'>;

/** The counter keys an image row counts in (none for no row). */
export function facetKeysOf(row: FacetRow | null | undefined): FacetKey[] {
  if (!row) return [];
  const kind = row.kind ?? '';
  const keys = [[row.source, kind, 'total', ''].join(SEP)];
  for (const { facet, property } of COLOUR_FACETS) {
    const value = row[property];
    if (value !== null && value !== undefined) keys.push([row.source, kind, facet, value].join(SEP));
  }
  return keys;
}

/** The counter changes from `before` to `after` (keys in both cancel out). */
export function facetDelta(before: FacetKey[], after: FacetKey[]): { key: string[]; n: number }[] {
  const delta = new Map<FacetKey, number>();
  for (const k of before) delta.set(k, (delta.get(k) ?? 0) - 1);
  for (const k of after) delta.set(k, (delta.get(k) ?? 0) + 1);
  return [...delta].filter(([, n]) => n !== 0).map(([k, n]) => ({ key: k.split(SEP), n }));
}

/** One upsert adding the changes to the counters: [sql, params]. */
export function facetUpsert(table: string, changes: { key: string[]; n: number }[]): [string, unknown[]] {
  const values = changes.map(() => '(?, ?, ?, ?, ?)').join(', ');
  return [
    `insert into ${table} ("source", "kind", "facet", "value", "n") values ${values} ` +
      `on conflict ("source", "kind", "facet", "value") do update set "n" = "${FACET_COUNTS_TABLE}"."n" + excluded."n"`,
    changes.flatMap((c) => [...c.key, c.n]),
  ];
}

/** Statements that recount every counter from the image rows (the migration's backfill, and after bulk loads). */
export function recountStatements(counts: string, images: string): string[] {
  const kind = `coalesce("kind", '')`;
  return [
    `delete from ${counts}`,
    `insert into ${counts} ("source", "kind", "facet", "value", "n") select "source", ${kind}, 'total', '', count(*) from ${images} group by "source", ${kind}`,
    ...COLOUR_FACETS.map(
      ({ facet, column }) =>
        `insert into ${counts} ("source", "kind", "facet", "value", "n") select "source", ${kind}, '${facet}', "${column}", count(*) from ${images} ` +
        `where "${column}" is not null group by "source", ${kind}, "${column}"`,
    ),
  ];
}
