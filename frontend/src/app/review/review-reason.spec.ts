import { reviewReason } from './review.component';

describe('reviewReason', () => {
  it('says why the queue holds an image, in the order the server checks', () => {
    expect(reviewReason({ kind: 'not_a_vegetable', confidence: 0.95 })).toBe('refused');
    expect(reviewReason({ kind: 'Tomato', confidence: 0.41 })).toBe('lowConfidence');
    // Confident, and still in the queue: the newest two model versions disagree.
    expect(reviewReason({ kind: 'Tomato', confidence: 0.97 })).toBe('disagree');
  });
});
