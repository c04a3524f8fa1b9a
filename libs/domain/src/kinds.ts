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
