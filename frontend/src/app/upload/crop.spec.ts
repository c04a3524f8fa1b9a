import { rectFromPoints, toPixels } from './crop';

describe('crop geometry', () => {
  it('spans two points in any drag direction and clamps to the photo', () => {
    expect(rectFromPoints(0.8, 0.9, 0.2, 0.1)).toEqual({ x: 0.2, y: 0.1, width: expect.closeTo(0.6), height: expect.closeTo(0.8) });
    expect(rectFromPoints(-0.5, -1, 1.5, 0.5)).toEqual({ x: 0, y: 0, width: 1, height: 0.5 });
  });

  it('maps the selection to whole pixels inside the photo, never empty', () => {
    expect(toPixels({ x: 0.25, y: 0.5, width: 0.5, height: 0.25 }, 400, 200)).toEqual({ sx: 100, sy: 100, sw: 200, sh: 50 });
    expect(toPixels({ x: 1, y: 1, width: 0, height: 0 }, 300, 200)).toEqual({ sx: 299, sy: 199, sw: 1, sh: 1 });
    expect(toPixels({ x: 0.9, y: 0, width: 0.5, height: 1 }, 100, 100)).toEqual({ sx: 90, sy: 0, sw: 10, sh: 100 });
  });
});
