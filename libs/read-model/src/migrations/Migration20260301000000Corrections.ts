import { Migration } from '@mikro-orm/migrations';
import { dialectOf } from './dialect';

/**
 * Corrections and deletions: the model's own label next to the label shown (`kind`, a person's
 * correction over the model's), the correction history, and one tombstone per deleted image
 * (its id and the log position of the deletion, nothing else) so that events of a deleted
 * life arriving late are recognised and skipped.
 */
export class Migration20260301000000Corrections extends Migration {
  override up(): void {
    const d = dialectOf(this.driver, this.config);
    const t = d.types;
    const images = d.table('images');
    for (const column of [
      `"model_kind" ${t.text} null`,
      `"corrected_kind" ${t.text} null`,
      `"corrected_by" ${t.text} null`,
      `"corrected_at" ${t.timestamp} null`,
      `"correction_note" ${t.text} null`,
    ]) {
      this.addSql(`alter table ${images} add column ${column}`);
    }
    // Before this migration every label shown was the model's.
    this.addSql(`update ${images} set "model_kind" = "kind"`);

    const corrections = d.table('corrections');
    this.addSql(`create table ${corrections} (
      "event_id" ${t.text} not null primary key,
      "image_id" ${t.text} not null references ${images} ("image_id") on delete cascade,
      "kind" ${t.text} not null,
      "note" ${t.text} not null,
      "corrected_by" ${t.text} not null,
      "corrected_at" ${t.timestamp} not null,
      "previous_kind" ${t.text} null,
      "position" ${t.bigint} not null
    )`);
    this.addSql(`create index ${d.index('corrections_image_id_position_index')} on ${corrections} ("image_id", "position")`);

    this.addSql(`create table ${d.table('deleted_images')} (
      "image_id" ${t.text} not null primary key,
      "position" ${t.bigint} not null
    )`);
  }

  override down(): void {
    const d = dialectOf(this.driver, this.config);
    this.addSql(`drop table if exists ${d.table('deleted_images')}`);
    this.addSql(`drop table if exists ${d.table('corrections')}`);
    for (const column of ['model_kind', 'corrected_kind', 'corrected_by', 'corrected_at', 'correction_note']) {
      this.addSql(`alter table ${d.table('images')} drop column "${column}"`);
    }
  }
}
