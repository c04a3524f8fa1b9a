// CatalogService reuses a signed link while it has most of its TTL left, and reports the
// link's own expiry.
import type { VegvisionConfig } from '@vegvision/config';
import type { ImageView, ReadModel } from '@vegvision/read-model';
import type { ObjectStorage } from '@vegvision/storage';
import { CatalogService } from './catalog.service';

describe('CatalogService links', () => {
  afterEach(() => jest.useRealTimers());

  it('signs a key once per window, re-signs when a fifth of the TTL (at most a minute) has passed', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-07T12:00:00Z') });
    let signed = 0;
    const storage = {
      presignGet: async (key: string, o: { expiresInSeconds: number }) => `https://x/${key}?n=${++signed}&ttl=${o.expiresInSeconds}`,
    } as unknown as ObjectStorage;
    const config = { limits: { linkTtlSeconds: 300 } } as unknown as VegvisionConfig;
    const catalog = new CatalogService({} as ReadModel, storage, config);
    const view = (objectKey: string) => ({ objectKey }) as ImageView;

    const first = await catalog.withLink(view('a'));
    expect(first).toMatchObject({ url: 'https://x/a?n=1&ttl=300', urlExpiresAt: '2026-12-07T12:05:00.000Z' });
    jest.setSystemTime(new Date('2026-12-07T12:00:59Z'));
    expect(await catalog.withLink(view('a'))).toMatchObject({ url: first.url, urlExpiresAt: first.urlExpiresAt });
    expect((await catalog.withLink(view('b'))).url).toBe('https://x/b?n=2&ttl=300');
    jest.setSystemTime(new Date('2026-12-07T12:01:00.001Z'));
    expect(await catalog.withLink(view('a'))).toMatchObject({ url: 'https://x/a?n=3&ttl=300', urlExpiresAt: '2026-12-07T12:06:00.001Z' });
  });

  it('hands out the same linked object for a frozen (kept) view, a fresh one for a view made for one read', async () => {
    const storage = { presignGet: async (key: string) => `https://x/${key}` } as unknown as ObjectStorage;
    const config = { limits: { linkTtlSeconds: 300 } } as unknown as VegvisionConfig;
    const catalog = new CatalogService({} as ReadModel, storage, config);
    const kept = Object.freeze({ objectKey: 'k' }) as ImageView;
    const first = await catalog.withLink(kept);
    expect(await catalog.withLink(kept)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const once = { objectKey: 'k' } as ImageView;
    const a = await catalog.withLink(once);
    const b = await catalog.withLink(once);
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
    expect(Object.isFrozen(a)).toBe(false);
  });
});
