import { Migration } from '@mikro-orm/migrations';
import { dialectOf } from './dialect';

/** Creates the catalog tables: images, classifications (history) and projection_checkpoints. */
export class Migration20250601000000Initial extends Migration {
  override up(): void {
    const d = dialectOf(this.driver, this.config);
    const t = d.types;
    const images = d.table('images');
    const classifications = d.table('classifications');

    this.addSql(`create table ${images} (
      "image_id" ${t.text} not null primary key,
      "object_key" ${t.text} not null,
      "sha256" ${t.text} not null,
      "content_type" ${t.text} not null,
      "width" ${t.int} not null,
      "height" ${t.int} not null,
      "size_bytes" ${t.bigint} not null,
      "source" ${t.text} not null check ("source" in ('upload', 'catalog')),
      "dataset_split" ${t.text} null,
      "ground_truth_kind" ${t.text} null,
      "original_name" ${t.text} null,
      "uploaded_at" ${t.timestamp} not null,
      "upload_count" ${t.int} not null,
      "kind" ${t.text} null,
      "confidence" ${t.double} null,
      "top" ${t.json} not null,
      "model_version" ${t.text} null,
      "classified_at" ${t.timestamp} null,
      "rgb_hex" ${t.text} null,
      "ryb_hex" ${t.text} null,
      "rgb_shares" ${t.json} not null,
      "ryb_shares" ${t.json} not null,
      "colour_algorithm" ${t.text} null,
      "coloured_at" ${t.timestamp} null,
      "status" ${t.text} not null check ("status" in ('processing', 'ready')),
      "last_position" ${t.bigint} not null
    )`);
    this.addSql(`create unique index ${d.index('images_sha256_unique')} on ${images} ("sha256")`);
    this.addSql(`create index ${d.index('images_kind_index')} on ${images} ("kind")`);
    this.addSql(`create index ${d.index('images_rgb_hex_index')} on ${images} ("rgb_hex")`);
    this.addSql(`create index ${d.index('images_ryb_hex_index')} on ${images} ("ryb_hex")`);

    this.addSql(`create table ${classifications} (
      "event_id" ${t.text} not null primary key,
      "image_id" ${t.text} not null references ${images} ("image_id") on delete cascade,
      "model_version" ${t.text} not null,
      "kind" ${t.text} not null,
      "confidence" ${t.double} not null,
      "top" ${t.json} not null,
      "classified_at" ${t.timestamp} not null,
      "position" ${t.bigint} not null
    )`);
    this.addSql(
      `create index ${d.index('classifications_image_id_position_index')} on ${classifications} ("image_id", "position")`,
    );

    this.addSql(`create table ${d.table('projection_checkpoints')} (
      "name" ${t.text} not null primary key,
      "position" ${t.bigint} null
    )`);
  }

  override down(): void {
    const d = dialectOf(this.driver, this.config);
    this.addSql(`drop table if exists ${d.table('projection_checkpoints')}`);
    this.addSql(`drop table if exists ${d.table('classifications')}`);
    this.addSql(`drop table if exists ${d.table('images')}`);
  }
}
