import { Migration } from '@mikro-orm/migrations';
import { recountStatements } from '../mikro-orm/facet-counts';
import { dialectOf } from './dialect';

/**
 * The read path: facet counters (see ../mikro-orm/facet-counts.ts), images per (source, shown
 * kind, facet, value) kept by the projector, so facets are read, not counted per request
 * (backfilled from the image rows); and on PostgreSQL the browse filters' indexes with the
 * image id, so a random sample draws its ids from the index (SQLite's indexes hold the rowid).
 */
const SAMPLE_COLUMNS = ['kind', 'rgb_hex', 'ryb_hex', 'subject_rgb_hex', 'subject_ryb_hex'];

export class Migration20261207000000ReadPath extends Migration {
  override up(): void {
    const d = dialectOf(this.driver, this.config);
    const counts = d.table('facet_counts');
    this.addSql(`create table ${counts} (
      "source" ${d.types.text} not null,
      "kind" ${d.types.text} not null,
      "facet" ${d.types.text} not null,
      "value" ${d.types.text} not null,
      "n" ${d.types.bigint} not null,
      primary key ("source", "kind", "facet", "value")
    )`);
    for (const sql of recountStatements(counts, d.table('images'))) this.addSql(sql);
    if (d.name === 'postgres') {
      for (const column of SAMPLE_COLUMNS) {
        this.addSql(`create index ${d.index(`images_${column}_image_id_index`)} on ${d.table('images')} ("${column}", "image_id")`);
      }
    }
  }

  override down(): void {
    const d = dialectOf(this.driver, this.config);
    if (d.name === 'postgres') {
      for (const column of SAMPLE_COLUMNS) this.addSql(`drop index if exists ${d.table(`images_${column}_image_id_index`)}`);
    }
    this.addSql(`drop table if exists ${d.table('facet_counts')}`);
  }
}
