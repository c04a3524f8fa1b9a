// How the API presents a label: the read model's view plus `closestKind`, so that a refused
// photo (kind `not_a_vegetable`) names the nearest kind as nearest, never as certainty.
import { closestKind, type KindProbability } from '@vegvision/domain';

export interface Labelled {
  kind: string | null;
  top: readonly KindProbability[];
}

/** The view with `closestKind`: for `not_a_vegetable`, the top kind and its probability; else null. */
export function withClosestKind<T extends Labelled>(view: T): T & { closestKind: KindProbability | null } {
  return { ...view, closestKind: closestKind(view.kind, view.top) };
}

const kindProbability: { type: 'object'; required: string[]; properties: Record<string, { type: string; example: unknown }> } = {
  type: 'object',
  required: ['kind', 'confidence'],
  properties: { kind: { type: 'string', example: 'Brinjal' }, confidence: { type: 'number', example: 0.326 } },
};

/** OpenAPI properties of a label (used by api-schemas.ts). */
export const LABEL_SCHEMA_PROPERTIES = {
  kind: {
    type: 'string',
    nullable: true,
    description: 'One of the 15 kinds, or "not_a_vegetable" when the model refuses the photo; null until classified.',
  },
  confidence: {
    type: 'number',
    nullable: true,
    description:
      'Softmax probability of the top kind. For "not_a_vegetable" it is the probability of the closest kind (see closestKind), ' +
      'not a certainty that the photo is not a vegetable.',
  },
  top: { type: 'array', items: kindProbability, description: 'Highest-scoring kinds, best first.' },
  closestKind: {
    ...kindProbability,
    nullable: true,
    description: 'For "not_a_vegetable" only: the kind the model found closest and its probability (the first of top); null otherwise.',
  },
};
