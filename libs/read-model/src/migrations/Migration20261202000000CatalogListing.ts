import { Migration } from '@mikro-orm/migrations';
import { dialectOf } from './dialect';

/**
 * Catalog listing: one index per sort of `list` (sort key, then image id, the keyset's
 * tie-break; confidence sorts put unclassified images last, hence the coalesced keys), and
 * `models_disagree`, kept by the projector: the newest two model versions that labelled the
 * image name different kinds (the review queue's third reason). Existing rows are backfilled
 * from the classification history.
 */
export class Migration20261202000000CatalogListing extends Migration {
  override up(): void {
    const d = dialectOf(this.driver, this.config);
    const images = d.table('images');
    const classifications = d.table('classifications');
    this.addSql(`alter table ${images} add column "models_disagree" ${d.types.bool} not null default ${d.truth.false}`);
    // Per image: the newest label of each model version, the two newest of those, different kinds.
    this.addSql(`update ${images} set "models_disagree" = (
      select case when count(*) = 2 and count(distinct newest."kind") = 2 then ${d.truth.true} else ${d.truth.false} end
      from (
        select c."kind" from ${classifications} c
        where c."image_id" = ${images}."image_id"
          and c."position" = (
            select max(c2."position") from ${classifications} c2
            where c2."image_id" = c."image_id" and c2."model_version" = c."model_version"
          )
        order by c."position" desc
        limit 2
      ) newest
    )`);
    this.addSql(`create index ${d.index('images_uploaded_at_image_id_index')} on ${images} ("uploaded_at", "image_id")`);
    this.addSql(`create index ${d.index('images_confidence_asc_index')} on ${images} ((coalesce("confidence", 2)), "image_id")`);
    this.addSql(`create index ${d.index('images_confidence_desc_index')} on ${images} ((coalesce("confidence", -1)), "image_id")`);
    this.addSql(`create index ${d.index('images_source_index')} on ${images} ("source")`);
  }

  override down(): void {
    const d = dialectOf(this.driver, this.config);
    const index = (name: string) => (d.name === 'postgres' ? d.table(name) : d.index(name));
    for (const name of ['images_uploaded_at_image_id_index', 'images_confidence_asc_index', 'images_confidence_desc_index', 'images_source_index']) {
      this.addSql(`drop index if exists ${index(name)}`);
    }
    this.addSql(`alter table ${d.table('images')} drop column "models_disagree"`);
  }
}
