import type { ImageView } from '../read-model.port';
import { ImageViewCache } from './image-view-cache';

describe('ImageViewCache', () => {
  let mapped = 0;
  const map = (row: Record<string, unknown>) => {
    mapped += 1;
    return { imageId: row['image_id'], kind: row['kind'], top: [{ kind: row['kind'], confidence: 0.9 }] } as unknown as ImageView;
  };
  const row = (id: string, position: number, kind = 'Tomato') => ({ image_id: id, last_position: position, kind });
  beforeEach(() => (mapped = 0));

  it('maps a row once per (image id, last position) and hands out the same (frozen) view', () => {
    const cache = new ImageViewCache(10, 60_000);
    const first = cache.view(row('a', 3), map, 0);
    expect(cache.view(row('a', 3, 'ignored: same position'), map, 1)).toBe(first);
    expect(cache.kept('a', 3, 2)).toBe(first);
    expect(mapped).toBe(1);
    expect(Object.isFrozen(first)).toBe(true);
    // A new position is a changed row: mapped again.
    const second = cache.view(row('a', 4, 'Carrot'), map, 3);
    expect(second).toMatchObject({ kind: 'Carrot' });
    expect(cache.kept('a', 3, 4)).toBeUndefined();
    expect(mapped).toBe(2);
  });

  it('forgets views after the TTL, beyond its size (oldest first) and on clear()', () => {
    const cache = new ImageViewCache(2, 1000);
    cache.view(row('a', 1), map, 0);
    expect(cache.kept('a', 1, 999)).toBeDefined();
    expect(cache.kept('a', 1, 1000)).toBeUndefined();
    cache.view(row('b', 1), map, 0);
    cache.view(row('c', 1), map, 0);
    cache.view(row('d', 1), map, 0);
    expect(cache.kept('b', 1, 1)).toBeUndefined();
    expect(cache.kept('d', 1, 1)).toBeDefined();
    cache.clear();
    expect(cache.kept('d', 1, 1)).toBeUndefined();
  });

  it('keeps few of the views it maps while its hit rate is low, and all of them again once it recovers', () => {
    const cache = new ImageViewCache(100_000, 60_000);
    // Every row new (a sample over a catalog much larger than the cache): after one window of
    // lookups, misses are kept one time in 16 only.
    for (let i = 0; i < 2048; i++) cache.view(row(`new-${i}`, 1), map, 0);
    expect(cache.admittingFew).toBe(true);
    let kept = 0;
    for (let i = 0; i < 1600; i++) {
      const view = cache.view(row(`cold-${i}`, 1), map, 0);
      const isKept = cache.kept(`cold-${i}`, 1, 0) !== undefined;
      if (isKept) kept++;
      // Frozen exactly when kept: the port's sign that callers may keep things by it.
      expect(Object.isFrozen(view)).toBe(isKept);
    }
    expect(kept).toBe(100);
    // The same rows read over and over (the working set fits): the hit rate recovers.
    for (let round = 0; round < 30; round++) for (let i = 0; i < 100; i++) cache.view(row(`cold-${i * 16}`, 1), map, 0);
    expect(cache.admittingFew).toBe(false);
    cache.view(row('warm', 1), map, 0);
    expect(cache.kept('warm', 1, 0)).toBeDefined();
  });
});
