import { DEFAULT_QUERY, catalogQueryFromParams, isRecentUploads, listParams, paramsFromCatalogQuery, updateCatalogQuery } from './catalog-query';

describe('catalog query <-> URL', () => {
  it('reads every parameter, and the defaults for an empty query', () => {
    expect(catalogQueryFromParams({})).toEqual(DEFAULT_QUERY);
    expect(catalogQueryFromParams({ sort: 'confidence_asc', source: 'upload', kind: 'Tomato', palette: 'ryb', colour: 'fe2712', measure: 'photo' })).toEqual({
      sort: 'confidence_asc',
      source: 'upload',
      kind: 'Tomato',
      palette: 'RYB',
      colour: '#FE2712',
      measure: 'photo',
    });
  });

  it('drops what is invalid', () => {
    expect(catalogQueryFromParams({ sort: 'random', source: 'web', kind: 'Banana', colour: 'FE2712' })).toEqual(DEFAULT_QUERY);
  });

  it('round-trips, writing only what differs from the defaults', () => {
    expect(paramsFromCatalogQuery(DEFAULT_QUERY)).toEqual({ sort: null, source: null, kind: null, palette: null, colour: null, measure: null });
    const q = { ...DEFAULT_QUERY, sort: 'oldest' as const, source: 'catalog' as const, colour: '#FF8000' };
    const params = Object.fromEntries(Object.entries(paramsFromCatalogQuery(q)).filter(([, v]) => v !== null));
    expect(catalogQueryFromParams(params)).toEqual(q);
  });

  it('drops a colour not on a new palette; knows "recent uploads"; asks the API for the filters', () => {
    expect(updateCatalogQuery({ ...DEFAULT_QUERY, colour: '#FF0000' }, { palette: 'RYB' }).colour).toBeNull();
    expect(isRecentUploads({ ...DEFAULT_QUERY, source: 'upload' })).toBe(true);
    expect(isRecentUploads({ ...DEFAULT_QUERY, source: 'upload', kind: 'Tomato' })).toBe(false);
    expect(listParams({ ...DEFAULT_QUERY, source: 'upload' }, 24)).toMatchObject({ sort: 'newest', limit: 24, source: 'upload' });
    expect(listParams(DEFAULT_QUERY, 24)).not.toHaveProperty('source');
  });
});
