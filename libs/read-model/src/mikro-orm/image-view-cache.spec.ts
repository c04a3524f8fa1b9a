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
});
