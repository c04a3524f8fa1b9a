// The opaque cursor of `ReadModel.list`: base64url of JSON {s: sort, f: filter fingerprint,
// k: sort key of the last item, i: its image id}. Decoding validates every part, so a cursor
// that was not made here, or for another sort or other filters, is refused instead of paging
// from somewhere unexpected.
import { createHash } from 'node:crypto';
import { InvalidCursorError } from './errors';
import type { CatalogFilters, ListSort } from './read-model.port';

export interface CursorPosition {
  /** ISO timestamp (newest, oldest) or the coalesced confidence (confidence sorts). */
  key: string | number;
  imageId: string;
}

const MAX_CURSOR_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export const isTimeSort = (sort: ListSort): boolean => sort === 'newest' || sort === 'oldest';

/** A short digest of the filters, so a cursor only continues the listing it came from. */
export function filterFingerprint(filters: CatalogFilters): string {
  const canonical = [
    filters.kind ?? null,
    filters.palette ?? null,
    filters.colour?.toUpperCase() ?? null,
    filters.measure ?? 'photo',
    filters.source ?? null,
    filters.modelVersion ?? null,
    filters.minConfidence ?? null,
    filters.maxConfidence ?? null,
    filters.review === true,
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 16);
}

export function encodeCursor(sort: ListSort, filters: CatalogFilters, position: CursorPosition): string {
  const body = { s: sort, f: filterFingerprint(filters), k: position.key, i: position.imageId };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: unknown, sort: ListSort, filters: CatalogFilters): CursorPosition {
  if (typeof cursor !== 'string' || cursor === '' || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) {
    throw new InvalidCursorError('not a cursor of this API');
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor of this API');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InvalidCursorError('not a cursor of this API');
  const { s, f, k, i } = body as Record<string, unknown>;
  if (s !== sort) throw new InvalidCursorError(`it continues another sort order (${String(s).slice(0, 20)})`);
  if (f !== filterFingerprint(filters)) throw new InvalidCursorError('it continues a listing with other filters');
  if (typeof i !== 'string' || i === '' || i.length > 200) throw new InvalidCursorError('no image id');
  if (isTimeSort(sort)) {
    if (typeof k !== 'string' || Number.isNaN(Date.parse(k)) || new Date(k).toISOString() !== k) {
      throw new InvalidCursorError('no upload time');
    }
  } else if (typeof k !== 'number' || !Number.isFinite(k)) {
    throw new InvalidCursorError('no confidence');
  }
  return { key: k as string | number, imageId: i };
}
