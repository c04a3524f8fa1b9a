// Query parameters of the catalog's reads: the filters shared by the random sample
// (GET /api/images), the listing (GET /api/catalog/images) and the facets, and the listing's
// paging. Each parameter is parsed here and documented here (the ApiQuery decorators), so the
// OpenAPI document states exactly what the parser accepts.
import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { PALETTES, isPaletteColour, type PaletteName } from '@vegvision/colour';
import { COLOUR_MEASURES, KINDS, NOT_A_VEGETABLE, isColourMeasure, isLabel, type ColourMeasure } from '@vegvision/domain';
import { DEFAULT_LIST_LIMIT, LIST_SORTS, MAX_LIST_LIMIT, REVIEW_CONFIDENCE_THRESHOLD, type CatalogFilters, type ListQuery, type ListSort } from '@vegvision/read-model';
import type { Request } from 'express';
import { COLOUR_PATTERN, LABELS, MODEL_VERSION_MAX_LENGTH, MODEL_VERSION_PATTERN, PALETTE_NAMES } from './api-schemas';
import { CATALOG_QUERY_CODES as CODES } from './error-table';
import { ApiProblem } from './problem';
import { singleQuery } from './query-params';

const SOURCES = ['upload', 'catalog'] as const;
/** Base64url, as the read model makes cursors; the read model validates the rest. */
export const CURSOR_PATTERN = '^[A-Za-z0-9_-]+$';
export const CURSOR_MAX_LENGTH = 512;
const LIMIT_RE = /^(?:[1-9][0-9]?|100)$/;
/** A decimal number, as OpenAPI clients write a `number` in a query. */
const DECIMAL_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const MODEL_VERSION_RE = new RegExp(MODEL_VERSION_PATTERN);
const COLOUR_RE = new RegExp(COLOUR_PATTERN);

const bad = (code: string, detail: string, parameter: string) => new ApiProblem(400, code, detail, { parameter });
const shown = (value: string) => `"${value.slice(0, 40)}"`;

/** kind, palette, colour and measure: the filters of the random sample. */
export function parseColourFilters(req: Request): Pick<CatalogFilters, 'kind' | 'palette' | 'colour' | 'measure'> {
  const kind = singleQuery(req, 'kind');
  const paletteRaw = singleQuery(req, 'palette');
  const colourRaw = singleQuery(req, 'colour');
  const measureRaw = singleQuery(req, 'measure');
  if (kind !== undefined && !isLabel(kind)) {
    throw bad(CODES.kind, `Unknown kind ${shown(kind)}. Known kinds: ${KINDS.join(', ')}, ${NOT_A_VEGETABLE}.`, 'kind');
  }
  let palette: PaletteName | undefined;
  if (paletteRaw !== undefined) {
    if (paletteRaw !== 'RGB' && paletteRaw !== 'RYB') throw bad(CODES.palette, `palette must be RGB or RYB (got ${shown(paletteRaw)})`, 'palette');
    palette = paletteRaw;
  }
  let measure: ColourMeasure | undefined;
  if (measureRaw !== undefined) {
    if (!isColourMeasure(measureRaw)) throw bad(CODES.measure, `measure must be ${COLOUR_MEASURES.join(' or ')} (got ${shown(measureRaw)})`, 'measure');
    measure = measureRaw;
  }
  let colour: string | undefined;
  if (colourRaw !== undefined) {
    if (!COLOUR_RE.test(colourRaw)) throw bad(CODES.colour, `colour must be #RRGGBB or RRGGBB (got ${shown(colourRaw)})`, 'colour');
    if (!palette) throw bad(CODES.paletteRequired, 'A colour filter needs a palette (palette=RGB or palette=RYB).', 'colour');
    colour = colourRaw.toUpperCase();
    if (!colour.startsWith('#')) colour = `#${colour}`;
    if (!isPaletteColour(palette, colour)) {
      throw bad(CODES.colourNotInPalette, `${colour} is not a colour of the ${palette} palette (${PALETTES[palette].hexes.join(' ')}).`, 'colour');
    }
  }
  return { kind, palette, colour, measure };
}

function parseConfidence(req: Request, name: 'minConfidence' | 'maxConfidence'): number | undefined {
  const raw = singleQuery(req, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!DECIMAL_RE.test(raw) || !Number.isFinite(value) || value < 0 || value > 1) {
    throw bad(CODES.confidence, `${name} must be a number from 0 to 1 (got ${shown(raw)})`, name);
  }
  return value;
}

/** Every filter of the listing and the facets. */
export function parseCatalogFilters(req: Request): CatalogFilters {
  const filters: CatalogFilters = parseColourFilters(req);
  const source = singleQuery(req, 'source');
  if (source !== undefined) {
    if (!(SOURCES as readonly string[]).includes(source)) throw bad(CODES.source, `source must be upload or catalog (got ${shown(source)})`, 'source');
    filters.source = source as (typeof SOURCES)[number];
  }
  const modelVersion = singleQuery(req, 'modelVersion');
  if (modelVersion !== undefined) {
    if (modelVersion.length > MODEL_VERSION_MAX_LENGTH || !MODEL_VERSION_RE.test(modelVersion)) {
      throw bad(CODES.modelVersion, `modelVersion must be a model version (letters, digits, ".", "_", "-"; at most ${MODEL_VERSION_MAX_LENGTH}) (got ${shown(modelVersion)})`, 'modelVersion');
    }
    filters.modelVersion = modelVersion;
  }
  filters.minConfidence = parseConfidence(req, 'minConfidence');
  filters.maxConfidence = parseConfidence(req, 'maxConfidence');
  if (filters.minConfidence !== undefined && filters.maxConfidence !== undefined && filters.minConfidence > filters.maxConfidence) {
    throw bad(CODES.confidenceRange, `minConfidence (${filters.minConfidence}) is above maxConfidence (${filters.maxConfidence})`, 'minConfidence');
  }
  const review = singleQuery(req, 'review');
  if (review !== undefined) {
    if (review !== 'true') throw bad(CODES.review, `review takes only the value true (got ${shown(review)}); leave it out to list every label`, 'review');
    filters.review = true;
  }
  for (const key of Object.keys(filters) as (keyof CatalogFilters)[]) if (filters[key] === undefined) delete filters[key];
  return filters;
}

/** The listing's filters, sort, limit and cursor. */
export function parseListQuery(req: Request): ListQuery & { sort: ListSort; limit: number } {
  const filters = parseCatalogFilters(req);
  const limitRaw = singleQuery(req, 'limit');
  if (limitRaw !== undefined && !LIMIT_RE.test(limitRaw)) {
    throw bad(CODES.limit, `limit must be a whole number from 1 to ${MAX_LIST_LIMIT} (got ${shown(limitRaw)})`, 'limit');
  }
  const sortRaw = singleQuery(req, 'sort');
  if (sortRaw !== undefined && !(LIST_SORTS as readonly string[]).includes(sortRaw)) {
    throw bad(CODES.sort, `sort must be one of ${LIST_SORTS.join(', ')} (got ${shown(sortRaw)})`, 'sort');
  }
  const cursor = singleQuery(req, 'cursor');
  if (cursor !== undefined && (cursor.length > CURSOR_MAX_LENGTH || !new RegExp(CURSOR_PATTERN).test(cursor))) {
    throw bad(CODES.cursor, 'cursor must be the nextCursor of a previous page, unchanged', 'cursor');
  }
  return {
    ...filters,
    sort: (sortRaw as ListSort | undefined) ?? 'newest',
    limit: limitRaw === undefined ? DEFAULT_LIST_LIMIT : Number(limitRaw),
    ...(cursor !== undefined ? { cursor } : {}),
  };
}

/** The listing's query string for these parameters (a page's links). */
export function listQueryString(query: ListQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  return params.toString();
}

const measureDoc = 'Which colour `palette`/`colour` filter: `photo` (whole photo, default) or `subject` (the vegetable\'s pixels).';

/** OpenAPI of the sample's filters. */
export function ApiColourFilters(): MethodDecorator {
  return applyDecorators(
    ApiQuery({ name: 'kind', required: false, schema: { type: 'string', enum: LABELS } }),
    ApiQuery({ name: 'palette', required: false, schema: { type: 'string', enum: PALETTE_NAMES } }),
    ApiQuery({ name: 'colour', required: false, schema: { type: 'string', pattern: COLOUR_PATTERN }, description: '#RRGGBB (or RRGGBB) of the palette; needs `palette`' }),
    ApiQuery({ name: 'measure', required: false, schema: { type: 'string', enum: [...COLOUR_MEASURES] }, description: measureDoc }),
  );
}

/** OpenAPI of every filter of the listing and the facets. */
export function ApiCatalogFilters(): MethodDecorator {
  return applyDecorators(
    ApiColourFilters(),
    ApiQuery({ name: 'source', required: false, schema: { type: 'string', enum: [...SOURCES] }, description: 'How the image came: a person\'s upload or the labelled catalog import' }),
    ApiQuery({ name: 'modelVersion', required: false, schema: { type: 'string', pattern: MODEL_VERSION_PATTERN, maxLength: MODEL_VERSION_MAX_LENGTH }, description: 'Model version of the newest model label' }),
    ApiQuery({ name: 'minConfidence', required: false, schema: { type: 'number', minimum: 0, maximum: 1 }, description: 'Lowest model confidence, inclusive; not above maxConfidence (400 `invalid_confidence_range`)' }),
    ApiQuery({ name: 'maxConfidence', required: false, schema: { type: 'number', minimum: 0, maximum: 1 }, description: 'Highest model confidence, inclusive' }),
    ApiQuery({
      name: 'review',
      required: false,
      schema: { type: 'string', enum: ['true'] },
      description:
        `Only doubtful labels (a review queue): no person corrected the image, and the model label is below ${REVIEW_CONFIDENCE_THRESHOLD} confidence, ` +
        'or is `not_a_vegetable`, or the newest two model versions that labelled it name different kinds',
    }),
  );
}

/** OpenAPI of the listing's paging. */
export function ApiListPaging(): MethodDecorator {
  return applyDecorators(
    ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT } }),
    ApiQuery({ name: 'sort', required: false, schema: { type: 'string', enum: [...LIST_SORTS], default: 'newest' }, description: 'Upload time or model confidence, ties by image id; unclassified images last on confidence' }),
    ApiQuery({
      name: 'cursor',
      required: false,
      schema: { type: 'string', pattern: CURSOR_PATTERN, maxLength: CURSOR_MAX_LENGTH },
      description: '`nextCursor` of the previous page, with the same sort and filters (else 400 `invalid_cursor`)',
    }),
  );
}
