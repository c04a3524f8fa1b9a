import { Migration } from '@mikro-orm/migrations';
import { dialectOf } from './dialect';

/**
 * Subject colour: the dominant colours of the vegetable's pixels (a `subject-*` colour
 * algorithm) next to the whole photo's, so browse can filter by either measure.
 */
export class Migration20260303000000SubjectColour extends Migration {
  override up(): void {
    const d = dialectOf(this.driver, this.config);
    const t = d.types;
    const images = d.table('images');
    for (const column of [
      `"subject_rgb_hex" ${t.text} null`,
      `"subject_ryb_hex" ${t.text} null`,
      `"subject_rgb_shares" ${t.json} null`,
      `"subject_ryb_shares" ${t.json} null`,
      `"subject_colour_algorithm" ${t.text} null`,
      `"subject_coloured_at" ${t.timestamp} null`,
    ]) {
      this.addSql(`alter table ${images} add column ${column}`);
    }
    this.addSql(`create index ${d.index('images_subject_rgb_hex_index')} on ${images} ("subject_rgb_hex")`);
    this.addSql(`create index ${d.index('images_subject_ryb_hex_index')} on ${images} ("subject_ryb_hex")`);
  }

  override down(): void {
    const d = dialectOf(this.driver, this.config);
    this.addSql(`drop index if exists ${d.name === 'postgres' ? `${d.table('images_subject_rgb_hex_index')}` : d.index('images_subject_rgb_hex_index')}`);
    this.addSql(`drop index if exists ${d.name === 'postgres' ? `${d.table('images_subject_ryb_hex_index')}` : d.index('images_subject_ryb_hex_index')}`);
    for (const column of ['subject_rgb_hex', 'subject_ryb_hex', 'subject_rgb_shares', 'subject_ryb_shares', 'subject_colour_algorithm', 'subject_coloured_at']) {
      this.addSql(`alter table ${d.table('images')} drop column "${column}"`);
    }
  }
}
