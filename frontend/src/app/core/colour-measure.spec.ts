import type { CatalogImage, Facets } from './api.types';
import { chipsOf, colourCounts } from './colour-measure';

describe('colour measures in the console', () => {
  const img = { rgbHex: '#FF8000', rybHex: '#FB9902', subjectColours: { rgbHex: '#FF0000', rybHex: '#FE2712' } } as unknown as CatalogImage;
  const facets = { colours: { RGB: { '#FF8000': 3 }, RYB: {} }, subjectColours: { RGB: { '#FF0000': 2 }, RYB: {} } } as unknown as Facets;

  it('shows the chips and counts of the measure the filters use', () => {
    expect(chipsOf(img, 'subject')).toEqual({ rgb: '#FF0000', ryb: '#FE2712' });
    expect(chipsOf(img, 'photo')).toEqual({ rgb: '#FF8000', ryb: '#FB9902' });
    expect(chipsOf({ ...img, subjectColours: null }, 'subject')).toEqual({ rgb: null, ryb: null });
    expect(colourCounts(facets, 'subject', 'RGB')).toEqual({ '#FF0000': 2 });
    expect(colourCounts(facets, 'photo', 'RGB')).toEqual({ '#FF8000': 3 });
    expect(colourCounts(null, 'photo', 'RGB')).toBeNull();
  });
});
