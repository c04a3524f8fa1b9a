// Browse filters <-> URL query parameters, so that a view can be shared and reloaded.
// URL form: ?count=6&kind=Tomato&palette=RYB&colour=FE2712&measure=photo (defaults are left out).
import type { Params } from '@angular/router';
import type { PaletteName } from '../core/api.types';
import type { ColourMeasure } from '../core/colour-measure';

export type { ColourMeasure };
import { PALETTES, isLabel } from '../core/catalog';

export interface BrowseFilters {
  /** 1..9 */
  count: number;
  kind: string | null;
  palette: PaletteName;
  /** Upper-case `#RRGGBB` of the palette, or null for any colour. */
  colour: string | null;
  /** Which colour the palette and colour filter: the vegetable's pixels (default) or the whole photo. */
  measure: ColourMeasure;
}

export const MEASURES: readonly ColourMeasure[] = ['subject', 'photo'];

export const DEFAULT_FILTERS: BrowseFilters = { count: 9, kind: null, palette: 'RGB', colour: null, measure: 'subject' };

function first(value: unknown): string | undefined {
  if (Array.isArray(value)) return first(value[0]);
  return typeof value === 'string' ? value : undefined;
}

/** Reads filters from query parameters; anything invalid falls back to its default. */
export function filtersFromQuery(params: Params): BrowseFilters {
  const countRaw = first(params['count']);
  const count = countRaw !== undefined && /^[1-9]$/.test(countRaw) ? Number(countRaw) : DEFAULT_FILTERS.count;

  const kindRaw = first(params['kind']);
  const kind = kindRaw !== undefined && isLabel(kindRaw) ? kindRaw : null;

  const paletteRaw = first(params['palette'])?.toUpperCase();
  const palette: PaletteName = paletteRaw === 'RYB' ? 'RYB' : 'RGB';

  const colourRaw = first(params['colour'])?.trim().toUpperCase().replace(/^#/, '');
  const colourHex = colourRaw ? `#${colourRaw}` : null;
  const colour = colourHex && PALETTES[palette].includes(colourHex) ? colourHex : null;

  const measure: ColourMeasure = first(params['measure']) === 'photo' ? 'photo' : 'subject';

  return { count, kind, palette, colour, measure };
}

/** Query parameters for filters; defaults are omitted (null removes a parameter when merging). */
export function queryFromFilters(filters: BrowseFilters): Record<string, string | null> {
  return {
    count: filters.count === DEFAULT_FILTERS.count ? null : String(filters.count),
    kind: filters.kind,
    palette: filters.palette === DEFAULT_FILTERS.palette ? null : filters.palette,
    colour: filters.colour ? filters.colour.replace(/^#/, '') : null,
    measure: filters.measure === DEFAULT_FILTERS.measure ? null : filters.measure,
  };
}

/** Applies a change; switching the palette drops a colour that is not on the new palette. */
export function updateFilters(current: BrowseFilters, change: Partial<BrowseFilters>): BrowseFilters {
  const next: BrowseFilters = { ...current, ...change };
  if (next.colour && !PALETTES[next.palette].includes(next.colour)) next.colour = null;
  return next;
}

export function sameFilters(a: BrowseFilters, b: BrowseFilters): boolean {
  return a.count === b.count && a.kind === b.kind && a.palette === b.palette && a.colour === b.colour && a.measure === b.measure;
}

export function hasActiveFilters(f: BrowseFilters): boolean {
  return f.kind !== null || f.colour !== null;
}
