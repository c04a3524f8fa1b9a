// What a colour algorithm version measures. The catalog keeps the dominant colours of two
// measures side by side: the whole photo and the subject (the vegetable's pixels only). A
// version measures the subject when its id starts with "subject-" (libs/colour names them so);
// every other version (mean-euclidean-v1, legacy-uint8-wraparound-v1) measures the whole photo.
export const COLOUR_MEASURES = ['photo', 'subject'] as const;
export type ColourMeasure = (typeof COLOUR_MEASURES)[number];

export const SUBJECT_ALGORITHM_PREFIX = 'subject-';

export function colourMeasureOf(algorithmVersion: string): ColourMeasure {
  return algorithmVersion.startsWith(SUBJECT_ALGORITHM_PREFIX) ? 'subject' : 'photo';
}

export function isColourMeasure(value: unknown): value is ColourMeasure {
  return typeof value === 'string' && (COLOUR_MEASURES as readonly string[]).includes(value);
}
