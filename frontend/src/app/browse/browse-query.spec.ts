import { DEFAULT_FILTERS, filtersFromQuery, hasActiveFilters, queryFromFilters, updateFilters } from './browse-query';

describe('browse filters <-> URL query', () => {
  it('reads every filter from the query', () => {
    expect(filtersFromQuery({ count: '6', kind: 'Tomato', palette: 'RYB', colour: 'FE2712' })).toEqual({
      count: 6,
      kind: 'Tomato',
      palette: 'RYB',
      colour: '#FE2712',
      measure: 'subject',
    });
    expect(filtersFromQuery({ measure: 'photo' }).measure).toBe('photo');
    expect(filtersFromQuery({ measure: 'nonsense' }).measure).toBe('subject');
  });

  it('uses the defaults for an empty query', () => {
    expect(filtersFromQuery({})).toEqual(DEFAULT_FILTERS);
    expect(DEFAULT_FILTERS).toEqual({ count: 9, kind: null, palette: 'RGB', colour: null, measure: 'subject' });
  });

  it('accepts a colour with "#", in lower case, and a lower-case palette', () => {
    expect(filtersFromQuery({ palette: 'ryb', colour: '#fe2712' })).toMatchObject({ palette: 'RYB', colour: '#FE2712' });
    expect(filtersFromQuery({ colour: 'ff0000' })).toMatchObject({ palette: 'RGB', colour: '#FF0000' });
  });

  it('drops what is invalid instead of failing', () => {
    expect(filtersFromQuery({ count: '0' }).count).toBe(9);
    expect(filtersFromQuery({ count: '10' }).count).toBe(9);
    expect(filtersFromQuery({ count: '3.5' }).count).toBe(9);
    expect(filtersFromQuery({ kind: 'Banana' }).kind).toBeNull();
    expect(filtersFromQuery({ kind: 'not_a_vegetable' }).kind).toBe('not_a_vegetable');
    expect(filtersFromQuery({ palette: 'CMYK' }).palette).toBe('RGB');
    // a colour of the other palette is not on this one
    expect(filtersFromQuery({ palette: 'RGB', colour: 'FE2712' }).colour).toBeNull();
    expect(filtersFromQuery({ colour: 'zzz' }).colour).toBeNull();
    expect(filtersFromQuery({ count: ['4', '5'] }).count).toBe(4);
  });

  it('writes only what differs from the defaults, colours without "#"', () => {
    expect(queryFromFilters(DEFAULT_FILTERS)).toEqual({ count: null, kind: null, palette: null, colour: null, measure: null });
    expect(queryFromFilters({ count: 3, kind: 'Carrot', palette: 'RYB', colour: '#FB9902', measure: 'photo' })).toEqual({
      count: '3',
      kind: 'Carrot',
      palette: 'RYB',
      colour: 'FB9902',
      measure: 'photo',
    });
  });

  it('round-trips through the query', () => {
    const filters = { count: 1, kind: 'Potato', palette: 'RGB' as const, colour: '#FF8000', measure: 'photo' as const };
    const query = Object.fromEntries(Object.entries(queryFromFilters(filters)).filter(([, v]) => v !== null));
    expect(filtersFromQuery(query)).toEqual(filters);
  });

  it('drops the colour when the palette changes under it', () => {
    const rgbRed = { ...DEFAULT_FILTERS, colour: '#FF0000' };
    expect(updateFilters(rgbRed, { palette: 'RYB' })).toEqual({ ...DEFAULT_FILTERS, palette: 'RYB', colour: null });
    expect(updateFilters(rgbRed, { kind: 'Tomato' })).toEqual({ ...rgbRed, kind: 'Tomato' });
    expect(hasActiveFilters(rgbRed)).toBe(true);
    expect(hasActiveFilters({ ...DEFAULT_FILTERS, count: 2, palette: 'RYB' })).toBe(false);
  });
});
