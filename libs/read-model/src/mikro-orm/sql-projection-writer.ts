// The projection's writes as plain prepared SQL (no unit of work, no entity hydration): what
// `project` and `projectBatch` of the read model run, on SQLite and PostgreSQL alike.
//
// Exactly-once, as before: each image row keeps the position of the last event applied to it
// (`last_position`), a deleted image its tombstone's position; an event at or below it is
// skipped, as is a classification or correction whose event id is already in the history. The
// projection's checkpoint is the highest position applied. A batch is one transaction: every
// event in it is validated before anything is written, and any failure rolls back all of it.
// Facet counters follow the rows in the same transaction (one upsert per batch).
import type { DomainEvent } from '@vegvision/contracts';
import { colourMeasureOf, modelsDisagree } from '@vegvision/domain';
import { DuplicateSha256Error, UnknownImageError } from '../errors';
import { toChange, type Change } from './event-mapping';
import { FACET_COUNTS_TABLE, facetDelta, facetKeysOf, facetUpsert, type FacetKey } from './facet-counts';
import type { SqlRow, SqlTransaction, SqlTransactionRunner } from './sql-transaction';

/** One event of a batch and its log position. */
export interface PositionedDomainEvent {
  event: DomainEvent;
  position: number;
}

/** The columns of an image row the writes decide on. */
interface ImageState {
  source: 'upload' | 'catalog';
  kind: string | null;
  rgbHex: string | null;
  rybHex: string | null;
  subjectRgbHex: string | null;
  subjectRybHex: string | null;
  modelKind: string | null;
  correctedKind: string | null;
  lastPosition: number;
}

/** Facet keys of the rows a batch changed: before and after, summed over the batch. */
interface FacetChanges {
  before: FacetKey[];
  after: FacetKey[];
}

const STATE_COLUMNS =
  '"source", "kind", "rgb_hex", "ryb_hex", "subject_rgb_hex", "subject_ryb_hex", "model_kind", "corrected_kind", "last_position"';

const IMAGE_COLUMNS = [
  'image_id', 'object_key', 'sha256', 'content_type', 'width', 'height', 'size_bytes', 'source', 'dataset_split',
  'ground_truth_kind', 'original_name', 'uploaded_at', 'upload_count', 'kind', 'confidence', 'top', 'model_version',
  'classified_at', 'rgb_hex', 'ryb_hex', 'rgb_shares', 'ryb_shares', 'colour_algorithm', 'coloured_at', 'subject_rgb_hex',
  'subject_ryb_hex', 'subject_rgb_shares', 'subject_ryb_shares', 'subject_colour_algorithm', 'subject_coloured_at',
  'status', 'last_position', 'model_kind', 'corrected_kind', 'corrected_by', 'corrected_at', 'correction_note', 'models_disagree',
];

function stateOf(row: SqlRow | undefined): ImageState | null {
  if (!row) return null;
  const str = (v: unknown) => (v === null || v === undefined ? null : (v as string));
  return {
    source: row['source'] as ImageState['source'],
    kind: str(row['kind']),
    rgbHex: str(row['rgb_hex']),
    rybHex: str(row['ryb_hex']),
    subjectRgbHex: str(row['subject_rgb_hex']),
    subjectRybHex: str(row['subject_ryb_hex']),
    modelKind: str(row['model_kind']),
    correctedKind: str(row['corrected_kind']),
    lastPosition: Number(row['last_position']),
  };
}

const statusOf = (s: ImageState): 'ready' | 'processing' => (s.modelKind !== null && s.rgbHex !== null ? 'ready' : 'processing');

export class SqlProjectionWriter {
  private readonly sql: ReturnType<typeof statements>;

  constructor(
    private readonly runner: SqlTransactionRunner,
    /** A table's name for SQL (schema-qualified on PostgreSQL). */
    private readonly table: (name: string) => string,
  ) {
    this.sql = statements(table, runner.lockClause);
  }

  /**
   * Applies the events in order, in one transaction; per event whether it was applied (false:
   * already seen). Throws, writing nothing, when any event is invalid or cannot be applied.
   */
  async project(projection: string, events: readonly PositionedDomainEvent[]): Promise<boolean[]> {
    const changes = events.map((e) => toChange(e.event)); // a bad event fails before any write
    return this.runner.transaction(async (tx) => {
      await tx.run(this.sql.createCheckpoint, [projection]);
      const row = await tx.get(this.sql.lockCheckpoint, [projection]);
      const checkpoint = row?.['position'] === null || row?.['position'] === undefined ? null : Number(row['position']);
      let highest = checkpoint;
      const facets: FacetChanges = { before: [], after: [] };
      const applied: boolean[] = [];
      for (let i = 0; i < events.length; i++) {
        const { event, position } = events[i];
        const ok = await this.apply(tx, changes[i], position, event.meta.type, facets);
        applied.push(ok);
        // Events are ordered per image only, so the checkpoint is the highest position applied.
        if (ok && (highest === null || position > highest)) highest = position;
      }
      // The facet counters follow the rows, in the same transaction.
      const delta = facetDelta(facets.before, facets.after);
      if (delta.length) {
        const [sql, params] = facetUpsert(this.table(FACET_COUNTS_TABLE), delta);
        await tx.run(sql, params);
      }
      if (highest !== checkpoint) await tx.run(this.sql.moveCheckpoint, [highest, projection]);
      return applied;
    });
  }

  /** Applies one change; false when the image has already seen this position (or the event). */
  private async apply(tx: SqlTransaction, change: Change, position: number, eventType: string, facets: FacetChanges): Promise<boolean> {
    const { sql, runner } = this;
    const id = change.imageId;
    const image = stateOf(await tx.get(sql.selectImage, [id]));
    if (!image) {
      const tombstone = await tx.get(sql.selectTombstone, [id]);
      if (tombstone) {
        if (position <= Number(tombstone['position'])) return false;
        if (change.type !== 'ImageUploaded') {
          // An event of the deleted life recorded after the deletion (a label computed
          // meanwhile): nothing to show; the tombstone remembers it was seen.
          await tx.run(sql.moveTombstone, [position, id]);
          return true;
        }
        // The same bytes uploaded after the deletion: the image starts anew.
        await tx.run(sql.deleteTombstone, [id]);
      }
    }

    if (change.type === 'ImageUploaded') {
      if (image) {
        if (position <= image.lastPosition) return false;
        // The same image uploaded again: the first upload's descriptive fields stay.
        await tx.run(sql.uploadAgain, [position, id]);
        return true;
      }
      const sameBytes = await tx.get(sql.selectBySha256, [change.sha256]);
      if (sameBytes) throw new DuplicateSha256Error(id, sameBytes['image_id'] as string, change.sha256);
      const json = (v: unknown) => runner.json(v);
      await tx.run(sql.insertImage, [
        id, change.objectKey, change.sha256, change.contentType, change.width, change.height, change.sizeBytes, change.source,
        change.datasetSplit, change.groundTruthKind, change.originalName, runner.time(change.uploadedAt), 1, null, null, json([]), null,
        null, null, null, json([]), json([]), null, null, null,
        null, null, null, null, null,
        'processing', position, null, null, null, null, null, runner.bool(false),
      ]);
      facets.after.push(...facetKeysOf({ source: change.source, kind: null, rgbHex: null, rybHex: null, subjectRgbHex: null, subjectRybHex: null }));
      return true;
    }

    if (!image) throw new UnknownImageError(id, eventType, position);
    if (position <= image.lastPosition) return false;
    const after: ImageState = { ...image, lastPosition: position };

    if (change.type === 'ImageDeleted') {
      await tx.run(sql.deleteClassifications, [id]);
      await tx.run(sql.deleteCorrections, [id]);
      await tx.run(sql.deleteImage, [id]);
      await tx.run(sql.insertTombstone, [id, position]);
      facets.before.push(...facetKeysOf(image));
      return true;
    }

    if (change.type === 'ImageClassified') {
      // The same event at a second log position is applied once only.
      if (await tx.get(sql.selectClassification, [change.eventId])) return false;
      const history = await tx.all(sql.selectHistory, [id]);
      const disagree = modelsDisagree([
        ...history.map((c) => ({ modelVersion: c['model_version'] as string, kind: c['kind'] as string, position: Number(c['position']) })),
        { modelVersion: change.modelVersion, kind: change.kind, position },
      ]);
      await tx.run(sql.insertClassification, [
        change.eventId, id, change.modelVersion, change.kind, change.confidence, runner.json(change.top), runner.time(change.classifiedAt), position,
      ]);
      // Per image, positions only grow: this classification is the newest. A person's label stays shown.
      after.modelKind = change.kind;
      after.kind = image.correctedKind ?? change.kind;
      await tx.run(sql.classify, [
        after.modelKind, after.kind, change.confidence, runner.json(change.top), change.modelVersion, runner.time(change.classifiedAt),
        runner.bool(disagree), position, statusOf(after), id,
      ]);
    } else if (change.type === 'LabelCorrected') {
      if (await tx.get(sql.selectCorrection, [change.eventId])) return false;
      await tx.run(sql.insertCorrection, [
        change.eventId, id, change.kind, change.note, change.correctedBy, runner.time(change.correctedAt), change.previousKind, position,
      ]);
      after.correctedKind = change.kind;
      after.kind = change.kind;
      await tx.run(sql.correct, [change.kind, change.correctedBy, runner.time(change.correctedAt), change.note, change.kind, position, statusOf(after), id]);
    } else if (colourMeasureOf(change.algorithm) === 'subject') {
      after.subjectRgbHex = change.rgbHex;
      after.subjectRybHex = change.rybHex;
      await tx.run(sql.subjectColour, [
        change.rgbHex, change.rybHex, runner.json(change.rgbShares), runner.json(change.rybShares), change.algorithm,
        runner.time(change.detectedAt), position, statusOf(after), id,
      ]);
    } else {
      after.rgbHex = change.rgbHex;
      after.rybHex = change.rybHex;
      await tx.run(sql.photoColour, [
        change.rgbHex, change.rybHex, runner.json(change.rgbShares), runner.json(change.rybShares), change.algorithm,
        runner.time(change.detectedAt), position, statusOf(after), id,
      ]);
    }
    facets.before.push(...facetKeysOf(image));
    facets.after.push(...facetKeysOf(after));
    return true;
  }
}

/** The writer's statements, built once per read model. */
function statements(table: (name: string) => string, lockClause: string) {
  const images = table('images');
  const classifications = table('classifications');
  const corrections = table('corrections');
  const deleted = table('deleted_images');
  const checkpoints = table('projection_checkpoints');
  const set = (columns: string[]) => columns.map((c) => `"${c}" = ?`).join(', ');
  const updateImage = (columns: string[]) => `update ${images} set ${set(columns)} where "image_id" = ?`;
  return {
    createCheckpoint: `insert into ${checkpoints} ("name", "position") values (?, null) on conflict ("name") do nothing`,
    lockCheckpoint: `select "position" from ${checkpoints} where "name" = ?${lockClause}`,
    moveCheckpoint: `update ${checkpoints} set "position" = ? where "name" = ?`,
    selectImage: `select ${STATE_COLUMNS} from ${images} where "image_id" = ?`,
    selectBySha256: `select "image_id" from ${images} where "sha256" = ?`,
    selectTombstone: `select "position" from ${deleted} where "image_id" = ?`,
    moveTombstone: `update ${deleted} set "position" = ? where "image_id" = ?`,
    deleteTombstone: `delete from ${deleted} where "image_id" = ?`,
    insertTombstone: `insert into ${deleted} ("image_id", "position") values (?, ?)`,
    insertImage: `insert into ${images} (${IMAGE_COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${IMAGE_COLUMNS.map(() => '?').join(', ')})`,
    uploadAgain: `update ${images} set "upload_count" = "upload_count" + 1, "last_position" = ? where "image_id" = ?`,
    deleteImage: `delete from ${images} where "image_id" = ?`,
    deleteClassifications: `delete from ${classifications} where "image_id" = ?`,
    deleteCorrections: `delete from ${corrections} where "image_id" = ?`,
    selectClassification: `select 1 as hit from ${classifications} where "event_id" = ?`,
    selectHistory: `select "model_version", "kind", "position" from ${classifications} where "image_id" = ?`,
    insertClassification:
      `insert into ${classifications} ("event_id", "image_id", "model_version", "kind", "confidence", "top", "classified_at", "position") ` +
      'values (?, ?, ?, ?, ?, ?, ?, ?)',
    classify: updateImage(['model_kind', 'kind', 'confidence', 'top', 'model_version', 'classified_at', 'models_disagree', 'last_position', 'status']),
    selectCorrection: `select 1 as hit from ${corrections} where "event_id" = ?`,
    insertCorrection:
      `insert into ${corrections} ("event_id", "image_id", "kind", "note", "corrected_by", "corrected_at", "previous_kind", "position") ` +
      'values (?, ?, ?, ?, ?, ?, ?, ?)',
    correct: updateImage(['corrected_kind', 'corrected_by', 'corrected_at', 'correction_note', 'kind', 'last_position', 'status']),
    subjectColour: updateImage([
      'subject_rgb_hex', 'subject_ryb_hex', 'subject_rgb_shares', 'subject_ryb_shares', 'subject_colour_algorithm', 'subject_coloured_at',
      'last_position', 'status',
    ]),
    photoColour: updateImage(['rgb_hex', 'ryb_hex', 'rgb_shares', 'ryb_shares', 'colour_algorithm', 'coloured_at', 'last_position', 'status']),
  };
}
