// Catalog listing filters and order <-> URL query parameters (shareable, survives a reload).
// URL form: ?sort=oldest&source=upload&kind=Tomato&palette=RYB&colour=FE2712&measure=photo (defaults left out).
import type { Params } from '@angular/router';
import type { ListParams } from '../core/api.service';
import type { PaletteName } from '../core/api.types';
import { PALETTES, isLabel } from '../core/catalog';
import type { ColourMeasure } from '../browse/browse-query';

export const SORTS = ['newest', 'oldest', 'confidence_asc', 'confidence_desc'] as const;
export type Sort = (typeof SORTS)[number];
export const SOURCES = ['upload', 'catalog'] as const;
export type Source = (typeof SOURCES)[number];

export interface CatalogQuery {
  sort: Sort;
  source: Source | null;
  kind: string | null;
  palette: PaletteName;
  colour: string | null;
  measure: ColourMeasure;
}

export const DEFAULT_QUERY: CatalogQuery = { sort: 'newest', source: null, kind: null, palette: 'RGB', colour: null, measure: 'subject' };
/** "Recent uploads": people's uploads, newest first. */
export const RECENT_UPLOADS: Partial<CatalogQuery> = { sort: 'newest', source: 'upload' };

function first(value: unknown): string | undefined {
  if (Array.isArray(value)) return first(value[0]);
  return typeof value === 'string' ? value : undefined;
}

/** Reads the query; anything invalid falls back to its default. */
export function catalogQueryFromParams(params: Params): CatalogQuery {
  const sortRaw = first(params['sort']);
  const sort = (SORTS as readonly string[]).includes(sortRaw ?? '') ? (sortRaw as Sort) : DEFAULT_QUERY.sort;
  const sourceRaw = first(params['source']);
  const source = (SOURCES as readonly string[]).includes(sourceRaw ?? '') ? (sourceRaw as Source) : null;
  const kindRaw = first(params['kind']);
  const kind = kindRaw !== undefined && isLabel(kindRaw) ? kindRaw : null;
  const palette: PaletteName = first(params['palette'])?.toUpperCase() === 'RYB' ? 'RYB' : 'RGB';
  const colourRaw = first(params['colour'])?.trim().toUpperCase().replace(/^#/, '');
  const colour = colourRaw && PALETTES[palette].includes(`#${colourRaw}`) ? `#${colourRaw}` : null;
  const measure: ColourMeasure = first(params['measure']) === 'photo' ? 'photo' : 'subject';
  return { sort, source, kind, palette, colour, measure };
}

/** Query parameters for the URL; defaults are null (removed when merged). */
export function paramsFromCatalogQuery(q: CatalogQuery): Record<string, string | null> {
  return {
    sort: q.sort === DEFAULT_QUERY.sort ? null : q.sort,
    source: q.source,
    kind: q.kind,
    palette: q.palette === DEFAULT_QUERY.palette ? null : q.palette,
    colour: q.colour ? q.colour.slice(1) : null,
    measure: q.measure === DEFAULT_QUERY.measure ? null : q.measure,
  };
}

/** Applies a change; a palette change drops a colour not on the new palette. */
export function updateCatalogQuery(q: CatalogQuery, change: Partial<CatalogQuery>): CatalogQuery {
  const next = { ...q, ...change };
  if (next.colour && !PALETTES[next.palette].includes(next.colour)) next.colour = null;
  return next;
}

/** What the listing API is asked for (without the cursor). */
export function listParams(q: CatalogQuery, limit: number): ListParams {
  return { sort: q.sort, limit, kind: q.kind, palette: q.palette, colour: q.colour, measure: q.measure, ...(q.source ? { source: q.source } : {}) };
}

export function isRecentUploads(q: CatalogQuery): boolean {
  return q.source === 'upload' && q.sort === 'newest' && !q.kind && !q.colour;
}
