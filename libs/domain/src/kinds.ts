/** The 15 vegetable kinds, in the classifier's class order. */
export const KINDS = [
  'Bean',
  'Bitter_Gourd',
  'Bottle_Gourd',
  'Brinjal',
  'Broccoli',
  'Cabbage',
  'Capsicum',
  'Carrot',
  'Cauliflower',
  'Cucumber',
  'Papaya',
  'Potato',
  'Pumpkin',
  'Radish',
  'Tomato',
] as const;

export type Kind = (typeof KINDS)[number];

/** Label given when the classifier's rejection rule fires. */
export const NOT_A_VEGETABLE = 'not_a_vegetable';

export type Label = Kind | typeof NOT_A_VEGETABLE;

export function isKind(value: string): value is Kind {
  return (KINDS as readonly string[]).includes(value);
}

export function isLabel(value: string): value is Label {
  return value === NOT_A_VEGETABLE || isKind(value);
}

/** A kind with the model's probability for it. */
export interface KindProbability {
  kind: string;
  confidence: number;
}

/**
 * For a refused photo (label `not_a_vegetable`), the kind the model found closest and its
 * softmax probability: the first of the label's top kinds. That probability says how close the
 * nearest kind came, never how sure the model is that the photo is not a vegetable. Null for
 * an accepted label, an unlabelled image, or a refused one without top kinds.
 */
export function closestKind(label: string | null, top: readonly KindProbability[]): KindProbability | null {
  if (label !== NOT_A_VEGETABLE || top.length === 0) return null;
  return { kind: top[0].kind, confidence: top[0].confidence };
}
