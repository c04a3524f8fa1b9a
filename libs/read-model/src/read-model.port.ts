// The read model port: the queryable catalog projected from the event log.
// Adapters: MikroORM on SQLite/libSQL (embedded) and on PostgreSQL (distributed); both pass
// the contract suite in ./testing/read-model.contract.ts.
import type { DomainEvent } from '@vegvision/contracts';
import type { ColourMeasure } from '@vegvision/domain/colour-measure';

export type Palette = 'RGB' | 'RYB';

export interface KindScoreView {
  kind: string;
  confidence: number;
}

export interface PaletteShareView {
  hex: string;
  share: number;
}

/**
 * An image as the catalog shows it. A view the read model keeps is frozen and handed out again,
 * the same object, while its row is unchanged: callers may keep what they derive from a frozen
 * view by its identity. A view that is not frozen was made for this one read: keeping anything
 * by it would only hold garbage (a long-lived map entry keeps a short-lived object alive into
 * V8's old generation).
 */
export interface ImageView {
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
  /** First upload time. */
  uploadedAt: string;
  /** How many ImageUploaded events the image's stream holds (same bytes uploaded again). */
  uploadCount: number;
  /**
   * The label shown: the newest correction by a person if there is one (labelSource 'person'),
   * else the newest classification by position (labelSource 'model'); null until either.
   * Browse filters and facets count this label.
   */
  kind: string | null;
  labelSource: 'model' | 'person' | null;
  /** The newest model label, whatever a person said. */
  modelKind: string | null;
  /** The newest correction, null when no person corrected the image. */
  correction: CorrectionSummary | null;
  confidence: number | null;
  top: KindScoreView[];
  modelVersion: string | null;
  classifiedAt: string | null;
  rgbHex: string | null;
  rybHex: string | null;
  rgbShares: PaletteShareView[];
  rybShares: PaletteShareView[];
  colourAlgorithm: string | null;
  colouredAt: string | null;
  /** The colours of the vegetable's pixels only (a `subject-*` colour algorithm); null until recorded. */
  subjectColours: SubjectColoursView | null;
  /** 'processing' until both a classification and colours are projected, then 'ready'. */
  status: 'processing' | 'ready';
}

export interface SubjectColoursView {
  rgbHex: string;
  rybHex: string;
  rgbShares: PaletteShareView[];
  rybShares: PaletteShareView[];
  algorithm: string;
  colouredAt: string;
}

export interface CorrectionSummary {
  kind: string;
  by: string;
  at: string;
  note: string;
}

/** One LabelCorrected event of an image (the history keeps every correction). */
export interface CorrectionView {
  eventId: string;
  imageId: string;
  kind: string;
  note: string;
  correctedBy: string;
  correctedAt: string;
  /** The label shown when the correction was made. */
  previousKind: string | null;
  position: number;
}

/** One ImageClassified event of an image (the history keeps every model's label). */
export interface ClassificationView {
  eventId: string;
  imageId: string;
  modelVersion: string;
  kind: string;
  confidence: number;
  top: KindScoreView[];
  classifiedAt: string;
  position: number;
}

export interface SampleQuery {
  /** 1..9 */
  count: number;
  kind?: string;
  /** Required when colour is given. */
  palette?: Palette;
  /** "#RRGGBB", upper-case, one of the palette's colours. */
  colour?: string;
  /** Which colour the palette and colour filter: 'photo' (whole photo, the default) or 'subject' (the vegetable's pixels). */
  measure?: ColourMeasure;
}

/** Orders of `list`: upload time, or the shown label's confidence (unclassified images last either way). */
export const LIST_SORTS = ['newest', 'oldest', 'confidence_asc', 'confidence_desc'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

export const DEFAULT_LIST_LIMIT = 24;
export const MAX_LIST_LIMIT = 100;

/**
 * Below this model confidence a label is doubtful and `review` lists it. The classifier's
 * confidence is calibrated (see README, The classifier), so below 0.6 the label is wrong about
 * two times in five or more: worth a person's look.
 */
export const REVIEW_CONFIDENCE_THRESHOLD = 0.6;

/** Filters of `list` and `facets`; every given one must hold. */
export interface CatalogFilters {
  kind?: string;
  /** Required when colour is given; alone it keeps images that have that measure's colours. */
  palette?: Palette;
  /** "#RRGGBB" of the palette. */
  colour?: string;
  /** Which colour palette/colour filter: 'photo' (default) or 'subject'. */
  measure?: ColourMeasure;
  source?: 'upload' | 'catalog';
  /** The model version of the newest model label. */
  modelVersion?: string;
  /** Inclusive bounds, 0..1, on the newest model label's confidence (images without one never match). */
  minConfidence?: number;
  maxConfidence?: number;
  /**
   * true: only doubtful labels, for a review queue: no person corrected the image, and the model
   * label is below REVIEW_CONFIDENCE_THRESHOLD, or is not_a_vegetable, or the newest two model
   * versions that labelled the image disagree on the kind.
   */
  review?: boolean;
}

export interface ListQuery extends CatalogFilters {
  /** 1..MAX_LIST_LIMIT, default DEFAULT_LIST_LIMIT. */
  limit?: number;
  /** `nextCursor` of the previous page, with the same sort and filters; absent for the first page. */
  cursor?: string;
  /** Default 'newest'. */
  sort?: ListSort;
}

export interface ListPage {
  items: ImageView[];
  /** Opaque; null on the last page. Pages follow (sort key, image id), so inserts meanwhile cause no duplicates or gaps. */
  nextCursor: string | null;
  /** Images matching the filters now. */
  total: number;
}

export interface Facets {
  total: number;
  /** Count of images per newest kind (including "not_a_vegetable"). */
  kinds: Record<string, number>;
  /** Count of images per dominant colour hex (whole photo), per palette. */
  colours: Record<Palette, Record<string, number>>;
  /** Count of images per subject colour hex (the vegetable's pixels), per palette. */
  subjectColours: Record<Palette, Record<string, number>>;
}

/** An event of the log and its position, as `projectBatch` takes them. */
export interface ProjectedEvent {
  event: DomainEvent;
  position: number;
}

export interface ReadModel {
  /** Creates or upgrades the schema (migrations). Idempotent. */
  migrate(): Promise<void>;

  /**
   * Applies one event of the log to the projection `projection`, exactly once. ImageDeleted
   * removes the image's rows (image, classifications, corrections) and leaves a tombstone (the
   * id and position only): events of the deleted life that arrive later are skipped, and an
   * ImageUploaded after the deletion creates the image anew. Events may
   * arrive from a partitioned bus: they are ordered per image, not globally. So an event is
   * skipped (returns false) when its image's row has already applied an event at this or a
   * later position (per-image `last_position`), and for safety also when its event id is
   * already in the classification history. Rows, the image's last position and the
   * projection checkpoint (max position applied) are written in one transaction.
   */
  project(projection: string, event: DomainEvent, position: number): Promise<boolean>;

  /**
   * `project` of several events, in order, in one transaction: per event whether it was applied
   * (false: skipped, as `project` skips). All or nothing: when any event is invalid or cannot be
   * applied it throws that event's error and writes nothing, so a caller can project the events
   * one by one to tell the bad one from the rest.
   */
  projectBatch(projection: string, events: readonly ProjectedEvent[]): Promise<boolean[]>;

  /** The projection's checkpoint (highest position applied), or 'start'. */
  checkpoint(projection: string): Promise<number | 'start'>;

  /**
   * Stores a named checkpoint that is not a projection (e.g. the relay's position in the
   * event log), in the same checkpoint table. `checkpoint(name)` reads it back.
   * @deprecated The relay keeps its checkpoint on the checkpoint store port
   * (@vegvision/checkpoint-store); the relay only reads its old row here once, after the upgrade.
   */
  saveCheckpoint(name: string, position: number): Promise<void>;

  getImage(imageId: string): Promise<ImageView | null>;
  findBySha256(sha256: string): Promise<ImageView | null>;
  /** Every classification of an image, oldest first. */
  classifications(imageId: string): Promise<ClassificationView[]>;
  /** Every correction of an image, oldest first. */
  corrections(imageId: string): Promise<CorrectionView[]>;

  /**
   * A random sample of at most `count` distinct images that match every given filter (only
   * images with the filtered labels projected), in random order. Fewer matches return all of
   * them; none return an empty array. Uniform for small match sets; for large ones adapters
   * may draw approximately uniformly (each match's chance near 1/matches), see the adapter.
   */
  sample(query: SampleQuery): Promise<ImageView[]>;

  /**
   * One page of the images matching the filters, in `sort` order (ties by image id). A cursor
   * that is not one of this read model's, or was made for another sort or other filters, is
   * InvalidCursorError; other malformed queries are InvalidListQueryError.
   */
  list(query: ListQuery): Promise<ListPage>;

  /**
   * Counts of the images matching `filters` (all of them without), each facet counted under the
   * OTHER filters: kind counts ignore the kind filter, colour counts (both measures) ignore the
   * palette/colour/measure filter, so each facet shows what choosing another value would give.
   * `total` respects every filter.
   */
  facets(filters?: CatalogFilters): Promise<Facets>;

  /** Deletes every row written by the projection and its checkpoint (before a rebuild). */
  reset(projection: string): Promise<void>;

  /** All rows of the projection in a stable order, for comparing a rebuild with the live model. */
  dump(projection: string): Promise<unknown[]>;

  /**
   * Makes every projection committed so far durable (it survives a power loss, not only a crash
   * of the process). Where each commit is durable by itself it does nothing. A caller that passes
   * an event's position on as handled (the relay's checkpoint) calls it first.
   */
  sync(): Promise<void>;

  /** Readiness probe: resolves when the database answers. */
  ping(): Promise<void>;

  close(): Promise<void>;
}

/** Name of the catalog projection (images + classification history). */
export const CATALOG_PROJECTION = 'catalog';
