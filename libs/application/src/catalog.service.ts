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

@Injectable()
export class CatalogService {
  constructor(
    @Inject(READ_MODEL) private readonly readModel: ReadModel,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(CONFIG) private readonly config: VegvisionConfig,
  ) {}

  async withLink(view: ImageView): Promise<ImageWithLink> {
    const ttl = this.config.limits.linkTtlSeconds;
    const url = await this.storage.presignGet(view.objectKey, { expiresInSeconds: ttl });
    return { ...view, url, urlExpiresAt: new Date(Date.now() + ttl * 1000).toISOString() };
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
