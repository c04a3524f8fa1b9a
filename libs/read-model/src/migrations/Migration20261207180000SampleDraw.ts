import { Migration } from '@mikro-orm/migrations';
import { dialectOf } from './dialect';

/**
 * The random sample in O(sample) (see ../mikro-orm/sample-draw.ts): it seeks random points in
 * the image id order of each browse filter, so every filter column is indexed with the image id
 * (PostgreSQL has had these since Migration20261207000000ReadPath; now SQLite too). The single
 * column indexes they replace are dropped on both engines: the composite serves every lookup
 * they served, so the projector keeps as many indexes as before. No new column: nothing for the
 * projection to write.
 */
const COLUMNS = ['kind', 'rgb_hex', 'ryb_hex', 'subject_rgb_hex', 'subject_ryb_hex'];

export class Migration20261207180000SampleDraw extends Migration {
  override up(): void {
    const d = dialectOf(this.driver, this.config);
    const images = d.table('images');
    for (const column of COLUMNS) {
      if (d.name === 'sqlite') this.addSql(`create index ${d.index(`images_${column}_image_id_index`)} on ${images} ("${column}", "image_id")`);
      this.addSql(`drop index if exists ${index(d, `images_${column}_index`)}`);
    }
  }

  override down(): void {
    const d = dialectOf(this.driver, this.config);
    const images = d.table('images');
    for (const column of COLUMNS) {
      this.addSql(`create index ${d.index(`images_${column}_index`)} on ${images} ("${column}")`);
      if (d.name === 'sqlite') this.addSql(`drop index if exists ${index(d, `images_${column}_image_id_index`)}`);
    }
  }
}

/** An index name in `drop index` (schema-qualified on PostgreSQL). */
function index(d: ReturnType<typeof dialectOf>, name: string): string {
  return d.name === 'postgres' ? d.table(name) : d.index(name);
}
