import { closestKind, NOT_A_VEGETABLE } from './kinds';

describe('closestKind', () => {
  const top = [
    { kind: 'Brinjal', confidence: 0.326 },
    { kind: 'Potato', confidence: 0.21 },
  ];

  it('names the top kind of a refused photo with its probability', () => {
    expect(closestKind(NOT_A_VEGETABLE, top)).toEqual({ kind: 'Brinjal', confidence: 0.326 });
  });

  it('is null for an accepted kind, an unlabelled image and a refusal without top kinds', () => {
    expect(closestKind('Brinjal', top)).toBeNull();
    expect(closestKind(null, [])).toBeNull();
    expect(closestKind(NOT_A_VEGETABLE, [])).toBeNull();
  });
});
