// MikroORM entity definitions of the read model. EntitySchema with an explicit `type` on every
// property: nothing relies on TypeScript decorator metadata, so this works under SWC, plain tsc
// and plain JavaScript alike. The tables are created by the hand-written migrations in
// ../migrations (the schema generator is never used), so column types here only steer how
// MikroORM converts values.
import { BigIntType, EntitySchema } from '@mikro-orm/core';
import type { KindScoreView, PaletteShareView } from '../read-model.port';

/** One row per image: the current state of the catalog entry. */
export interface ImageRow {
  imageId: string;
  objectKey: string;
  sha256: string;
  contentType: string;
  width: number;
  height: number;
  sizeBytes: number;
  source: 'upload' | 'catalog';
  datasetSplit: string | null;
  groundTruthKind: string | null;
  originalName: string | null;
  uploadedAt: Date;
  uploadCount: number;
  kind: string | null;
  confidence: number | null;
  top: KindScoreView[];
  modelVersion: string | null;
  classifiedAt: Date | null;
  rgbHex: string | null;
  rybHex: string | null;
  rgbShares: PaletteShareView[];
  rybShares: PaletteShareView[];
  colourAlgorithm: string | null;
  colouredAt: Date | null;
  /** Colours of the vegetable's pixels (the newest `subject-*` algorithm); the columns above are the whole photo's. */
  subjectRgbHex: string | null;
  subjectRybHex: string | null;
  subjectRgbShares: PaletteShareView[] | null;
  subjectRybShares: PaletteShareView[] | null;
  subjectColourAlgorithm: string | null;
  subjectColouredAt: Date | null;
  status: 'processing' | 'ready';
  /** Log position of the last event applied to this image (events are ordered per image). */
  lastPosition: number;
  /** The newest model label; `kind` is the label shown (a person's correction over it). */
  modelKind: string | null;
  correctedKind: string | null;
  correctedBy: string | null;
  correctedAt: Date | null;
  correctionNote: string | null;
  /** The newest two model versions that labelled the image name different kinds (kept by the projector). */
  modelsDisagree: boolean;
}

/** One row per LabelCorrected event of an image that exists (the correction history). */
export interface CorrectionRow {
  eventId: string;
  imageId: string;
  kind: string;
  note: string;
  correctedBy: string;
  correctedAt: Date;
  previousKind: string | null;
  position: number;
}

/** A deleted image: its id and the log position of the last event of its deleted life, nothing else. */
export interface DeletedImageRow {
  imageId: string;
  position: number;
}

/** One row per ImageClassified event (the classification history). */
export interface ClassificationRow {
  eventId: string;
  imageId: string;
  modelVersion: string;
  kind: string;
  confidence: number;
  top: KindScoreView[];
  classifiedAt: Date;
  position: number;
}

/**
 * A named checkpoint: a projection's highest applied position, or another component's
 * position in the log (saveCheckpoint). A null position: row created, nothing applied yet.
 */
export interface CheckpointRow {
  name: string;
  position: number | null;
}

export const ImageSchema = new EntitySchema<ImageRow>({
  name: 'ImageRow',
  tableName: 'images',
  properties: {
    imageId: { type: 'string', fieldName: 'image_id', primary: true },
    objectKey: { type: 'string', fieldName: 'object_key' },
    sha256: { type: 'string', fieldName: 'sha256' },
    contentType: { type: 'string', fieldName: 'content_type' },
    width: { type: 'integer', fieldName: 'width' },
    height: { type: 'integer', fieldName: 'height' },
    sizeBytes: { type: new BigIntType('number'), fieldName: 'size_bytes' },
    source: { type: 'string', fieldName: 'source' },
    datasetSplit: { type: 'string', fieldName: 'dataset_split', nullable: true },
    groundTruthKind: { type: 'string', fieldName: 'ground_truth_kind', nullable: true },
    originalName: { type: 'string', fieldName: 'original_name', nullable: true },
    uploadedAt: { type: 'datetime', fieldName: 'uploaded_at' },
    uploadCount: { type: 'integer', fieldName: 'upload_count' },
    kind: { type: 'string', fieldName: 'kind', nullable: true },
    confidence: { type: 'double', fieldName: 'confidence', nullable: true },
    top: { type: 'json', fieldName: 'top' },
    modelVersion: { type: 'string', fieldName: 'model_version', nullable: true },
    classifiedAt: { type: 'datetime', fieldName: 'classified_at', nullable: true },
    rgbHex: { type: 'string', fieldName: 'rgb_hex', nullable: true },
    rybHex: { type: 'string', fieldName: 'ryb_hex', nullable: true },
    rgbShares: { type: 'json', fieldName: 'rgb_shares' },
    rybShares: { type: 'json', fieldName: 'ryb_shares' },
    colourAlgorithm: { type: 'string', fieldName: 'colour_algorithm', nullable: true },
    colouredAt: { type: 'datetime', fieldName: 'coloured_at', nullable: true },
    subjectRgbHex: { type: 'string', fieldName: 'subject_rgb_hex', nullable: true },
    subjectRybHex: { type: 'string', fieldName: 'subject_ryb_hex', nullable: true },
    subjectRgbShares: { type: 'json', fieldName: 'subject_rgb_shares', nullable: true },
    subjectRybShares: { type: 'json', fieldName: 'subject_ryb_shares', nullable: true },
    subjectColourAlgorithm: { type: 'string', fieldName: 'subject_colour_algorithm', nullable: true },
    subjectColouredAt: { type: 'datetime', fieldName: 'subject_coloured_at', nullable: true },
    status: { type: 'string', fieldName: 'status' },
    lastPosition: { type: new BigIntType('number'), fieldName: 'last_position' },
    modelKind: { type: 'string', fieldName: 'model_kind', nullable: true },
    correctedKind: { type: 'string', fieldName: 'corrected_kind', nullable: true },
    correctedBy: { type: 'string', fieldName: 'corrected_by', nullable: true },
    correctedAt: { type: 'datetime', fieldName: 'corrected_at', nullable: true },
    correctionNote: { type: 'string', fieldName: 'correction_note', nullable: true },
    modelsDisagree: { type: 'boolean', fieldName: 'models_disagree' },
  },
});

export const CorrectionSchema = new EntitySchema<CorrectionRow>({
  name: 'CorrectionRow',
  tableName: 'corrections',
  properties: {
    eventId: { type: 'string', fieldName: 'event_id', primary: true },
    imageId: { type: 'string', fieldName: 'image_id' },
    kind: { type: 'string', fieldName: 'kind' },
    note: { type: 'string', fieldName: 'note' },
    correctedBy: { type: 'string', fieldName: 'corrected_by' },
    correctedAt: { type: 'datetime', fieldName: 'corrected_at' },
    previousKind: { type: 'string', fieldName: 'previous_kind', nullable: true },
    position: { type: new BigIntType('number'), fieldName: 'position' },
  },
});

export const DeletedImageSchema = new EntitySchema<DeletedImageRow>({
  name: 'DeletedImageRow',
  tableName: 'deleted_images',
  properties: {
    imageId: { type: 'string', fieldName: 'image_id', primary: true },
    position: { type: new BigIntType('number'), fieldName: 'position' },
  },
});

export const ClassificationSchema = new EntitySchema<ClassificationRow>({
  name: 'ClassificationRow',
  tableName: 'classifications',
  properties: {
    eventId: { type: 'string', fieldName: 'event_id', primary: true },
    imageId: { type: 'string', fieldName: 'image_id' },
    modelVersion: { type: 'string', fieldName: 'model_version' },
    kind: { type: 'string', fieldName: 'kind' },
    confidence: { type: 'double', fieldName: 'confidence' },
    top: { type: 'json', fieldName: 'top' },
    classifiedAt: { type: 'datetime', fieldName: 'classified_at' },
    position: { type: new BigIntType('number'), fieldName: 'position' },
  },
});

export const CheckpointSchema = new EntitySchema<CheckpointRow>({
  name: 'CheckpointRow',
  tableName: 'projection_checkpoints',
  properties: {
    name: { type: 'string', fieldName: 'name', primary: true },
    position: { type: new BigIntType('number'), fieldName: 'position', nullable: true },
  },
});

export const READ_MODEL_ENTITIES = [ImageSchema, ClassificationSchema, CorrectionSchema, DeletedImageSchema, CheckpointSchema];
