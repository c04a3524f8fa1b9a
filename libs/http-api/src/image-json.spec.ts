// ImageJson keeps an image's JSON by the image object only when the object is frozen (one the
// catalog hands out again for an unchanged row and link), never for an object made for one read.
import { ImageJson } from './image-json';

describe('ImageJson', () => {
  const image = () => ({ imageId: 'a', kind: 'Tomato', top: [{ kind: 'Tomato', confidence: 0.9 }] });

  it('serialises a frozen image once, an unfrozen one afresh each time (same JSON)', () => {
    const json = new ImageJson();
    const kept = Object.freeze(image());
    expect(json.fragment(kept)).toBe(json.fragment(kept));
    const once = image();
    const a = json.fragment(once);
    const b = json.fragment(once);
    expect(a).not.toBe(b);
    expect(a.json).toBe(b.json);
    expect(JSON.parse(a.json)).toEqual({ ...image(), closestKind: null });
    expect(a.json).toBe(json.fragment(kept).json);
  });
});
