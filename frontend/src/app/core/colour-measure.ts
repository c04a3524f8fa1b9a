// The two colour measures as the console shows them: which chips an image card carries and which
// facet counts the swatches show, for the measure the filters use (one place for browse and catalog).
import type { CatalogImage, Facets, PaletteName } from './api.types';

export type ColourMeasure = 'subject' | 'photo';

/** The card's RGB and RYB chips of that measure (null until recorded). */
export function chipsOf(img: CatalogImage, measure: ColourMeasure): { rgb: string | null; ryb: string | null } {
  if (measure === 'subject') return { rgb: img.subjectColours?.rgbHex ?? null, ryb: img.subjectColours?.rybHex ?? null };
  return { rgb: img.rgbHex, ryb: img.rybHex };
}

/** Images per colour of the palette under that measure, or null while the facets are unknown. */
export function colourCounts(facets: Facets | null, measure: ColourMeasure, palette: PaletteName): Record<string, number> | null {
  if (!facets) return null;
  return (measure === 'subject' ? facets.subjectColours : facets.colours)[palette] ?? null;
}
