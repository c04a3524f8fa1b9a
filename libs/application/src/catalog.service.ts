// Read side: catalog queries with temporary links to the originals.
import { Inject, Injectable } from '@nestjs/common';
import type { VegvisionConfig } from '@vegvision/config';
import type { CatalogFilters, ImageView, ListQuery, ReadModel, SampleQuery } from '@vegvision/read-model';
import type { ObjectStorage } from '@vegvision/storage';
import { CONFIG, OBJECT_STORAGE, READ_MODEL } from './tokens';

export interface ImageWithLink extends ImageView {
  /** Temporary signed link to the original. */
  url: string;
  urlExpiresAt: string;
}

/** Most signed links CatalogService keeps. */
const LINK_CACHE_SIZE = 20_000;

@Injectable()
export class CatalogService {
  constructor(
    @Inject(READ_MODEL) private readonly readModel: ReadModel,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(CONFIG) private readonly config: VegvisionConfig,
  ) {}

  /**
   * Signed links by object key, reused while they have at least the TTL less a fifth of it (at
   * most a minute) to live: signing (an HMAC here, a SigV4 presign on S3) was a cost of every
   * image of every read. Oldest first, at most LINK_CACHE_SIZE.
   */
  private readonly links = new Map<string, { url: string; expiresAtMs: number; expiresAt: string }>();

  /**
   * The view with its link, by view object: a read model that hands out the same (frozen) view
   * object for an unchanged row gets the same (frozen) object back while the link is the same,
   * so what callers derive from it (the API's serialised JSON) can be kept by identity too. A
   * view that is not frozen gets a fresh, unfrozen object, kept nowhere.
   */
  private readonly withLinks = new WeakMap<ImageView, ImageWithLink>();

  async withLink(view: ImageView): Promise<ImageWithLink> {
    const ttlMs = this.config.limits.linkTtlSeconds * 1000;
    const now = Date.now();
    let link = this.links.get(view.objectKey);
    if (!link || link.expiresAtMs - now < ttlMs - Math.min(60_000, ttlMs / 5)) {
      const url = await this.storage.presignGet(view.objectKey, { expiresInSeconds: this.config.limits.linkTtlSeconds });
      link = { url, expiresAtMs: now + ttlMs, expiresAt: new Date(now + ttlMs).toISOString() };
      this.links.delete(view.objectKey);
      this.links.set(view.objectKey, link);
      if (this.links.size > LINK_CACHE_SIZE) this.links.delete(this.links.keys().next().value as string);
    }
    // Kept by identity only for a view the read model keeps (frozen, see ImageView).
    if (!Object.isFrozen(view)) return { ...view, url: link.url, urlExpiresAt: link.expiresAt };
    const known = this.withLinks.get(view);
    if (known && known.url === link.url && known.urlExpiresAt === link.expiresAt) return known;
    const linked: ImageWithLink = Object.freeze({ ...view, url: link.url, urlExpiresAt: link.expiresAt });
    this.withLinks.set(view, linked);
    return linked;
  }

  async image(imageId: string): Promise<ImageWithLink | null> {
    const view = await this.readModel.getImage(imageId);
    return view ? this.withLink(view) : null;
  }

  async sample(query: SampleQuery): Promise<ImageWithLink[]> {
    const rows = await this.readModel.sample(query);
    return Promise.all(rows.map((r) => this.withLink(r)));
  }

  /** One page of the catalog, each image with its temporary link. */
  async list(query: ListQuery): Promise<{ items: ImageWithLink[]; nextCursor: string | null; total: number }> {
    const page = await this.readModel.list(query);
    return { ...page, items: await Promise.all(page.items.map((r) => this.withLink(r))) };
  }

  facets(filters?: CatalogFilters) {
    return this.readModel.facets(filters);
  }

  classifications(imageId: string) {
    return this.readModel.classifications(imageId);
  }

  corrections(imageId: string) {
    return this.readModel.corrections(imageId);
  }
}
