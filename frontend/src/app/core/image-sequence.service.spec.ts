import { TestBed } from '@angular/core/testing';
import { ImageSequenceService } from './image-sequence.service';

describe('ImageSequenceService', () => {
  let seq: ImageSequenceService;
  beforeEach(() => {
    seq = TestBed.inject(ImageSequenceService);
  });

  it('gives the previous and next image of the list an image was opened from', () => {
    seq.set('review', ['a', 'b', 'c'], '/review');
    expect(seq.neighbours('a')).toEqual({ origin: 'review', backUrl: '/review', previous: null, next: 'b', position: 1, total: 3 });
    expect(seq.neighbours('b')).toMatchObject({ previous: 'a', next: 'c', position: 2 });
    expect(seq.neighbours('c')).toMatchObject({ previous: 'b', next: null, position: 3 });
  });

  it('knows nothing of an image outside the list, or before any list', () => {
    expect(seq.neighbours('a')).toBeNull();
    seq.set('browse', ['a'], '/browse?kind=Tomato');
    expect(seq.neighbours('z')).toBeNull();
  });

  it('drops a removed image and keeps the others in order', () => {
    seq.set('browse', ['a', 'b', 'c'], '/browse');
    seq.remove('b');
    expect(seq.neighbours('a')).toMatchObject({ next: 'c', total: 2 });
    expect(seq.neighbours('b')).toBeNull();
  });
});
