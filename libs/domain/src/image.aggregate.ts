// The image aggregate: one event stream per image (`image-<imageId>`). Commands are decided
// against the state folded from the stream. Every decision only depends on facts that never
// become false again (the image exists, an event id or a model/algorithm version is recorded),
// and every fact recorded at most once has a deterministic event id, so the store's event-id
// idempotency enforces it: the events can be appended whatever happened on the stream since it
// was read (no expected revision, see ImageCommands in libs/application).
//
// Deletion is the one fact that ends others: ImageDeleted closes the image's current life
// (incarnation). Whatever lands on the stream after it and before the next upload (a label
// computed while the deletion was recorded) belongs to no life and is ignored, here and in the
// read model. An upload of the same bytes after a deletion starts the next life on the same
// stream; what is recorded once per image is recorded once per life (the ids of ./ids.ts name
// the incarnation), so a re-uploaded image is classified and coloured anew.
import {
  ImageSource,
  SCHEMA_VERSIONS,
  isEvent,
  makeEventData,
  type DomainEvent,
  type EventMeta,
  type EventType,
} from '@vegvision/contracts';
import { DomainError, ImageNotFoundError } from './errors';
import { classificationEventId, coloursEventId, deletionEventId, imageIdFromSha256, newId } from './ids';
import { isKind, isLabel } from './kinds';

export const ACCEPTED_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/heic', 'image/heif'] as const;
const HEX_RE = /^#[0-9A-F]{6}$/;
const SHA_RE = /^[0-9a-f]{64}$/;

/** Longest note a correction may carry, in characters. */
export const MAX_CORRECTION_NOTE_LENGTH = 1000;
/** Longest name of the person (editor credential) behind a correction or deletion. */
export const MAX_ACTOR_LENGTH = 100;

/** The correction the catalog shows: the newest LabelCorrected of the image's current life. */
export interface CorrectionState {
  eventId: string;
  kind: string;
  by: string;
  at: string;
}

export interface ImageState {
  imageId: string;
  /** Uploaded and not deleted since. */
  exists: boolean;
  /** Lives the image has had before the current one (number of ImageDeleted applied). */
  incarnation: number;
  /** Stream revisions of the first upload of each life, oldest first. */
  lifeStarts: number[];
  sha256: string | null;
  /** Revision of the stream's last event, -1 when the stream is empty. */
  revision: number;
  uploadEventIds: Set<string>;
  /** Object keys of the originals the stream's ImageUploaded events refer to. */
  objectKeys: Set<string>;
  classifiedBy: Map<string, string>;
  colouredBy: Map<string, { rgbHex: string; rybHex: string }>;
  /** Newest model label of the current life (log order), null before the first. */
  modelKind: string | null;
  correction: CorrectionState | null;
  /** Object key and content type of the current life's first upload (its original), null before one. */
  originalKey: string | null;
  contentType: string | null;
  /** The ground-truth folder kind of the current life's first upload that named one (`vegvision import`). */
  groundTruthKind: string | null;
  /** The dataset split of that upload (or of the first upload naming one), null when none did. */
  datasetSplit: string | null;
}

export function emptyState(imageId: string): ImageState {
  return {
    imageId,
    exists: false,
    incarnation: 0,
    lifeStarts: [],
    sha256: null,
    revision: -1,
    uploadEventIds: new Set(),
    objectKeys: new Set(),
    classifiedBy: new Map(),
    colouredBy: new Map(),
    modelKind: null,
    correction: null,
    originalKey: null,
    contentType: null,
    groundTruthKind: null,
    datasetSplit: null,
  };
}

export function evolve(state: ImageState, event: DomainEvent): ImageState {
  const next: ImageState = { ...state, revision: state.revision + 1 };
  if (isEvent(event, 'ImageUploaded')) {
    if (!state.exists) next.lifeStarts = [...state.lifeStarts, next.revision];
    next.exists = true;
    next.sha256 = event.data.sha256;
    // Upload event ids stay across lives: a re-run import (deterministic ids) never brings a deleted image back.
    next.uploadEventIds = new Set(state.uploadEventIds).add(event.meta.eventId);
    next.objectKeys = state.objectKeys.has(event.data.objectKey) ? state.objectKeys : new Set(state.objectKeys).add(event.data.objectKey);
    if (!state.exists) {
      next.originalKey = event.data.objectKey;
      next.contentType = event.data.contentType;
    }
    // A later upload of the same bytes (another folder, say) never overrides the first truth of the life.
    if (!next.groundTruthKind && event.data.groundTruthKind) next.groundTruthKind = event.data.groundTruthKind;
    if (!next.datasetSplit && event.data.datasetSplit) next.datasetSplit = event.data.datasetSplit;
    return next;
  }
  // Anything else between a deletion and the next upload belongs to no life.
  if (!state.exists) return next;
  if (isEvent(event, 'ImageClassified')) {
    next.classifiedBy = new Map(state.classifiedBy).set(event.data.modelVersion, event.data.kind);
    next.modelKind = event.data.kind;
  } else if (isEvent(event, 'ColourDetected')) {
    next.colouredBy = new Map(state.colouredBy).set(event.data.algorithmVersion, {
      rgbHex: event.data.rgbHex,
      rybHex: event.data.rybHex,
    });
  } else if (isEvent(event, 'LabelCorrected')) {
    next.correction = { eventId: event.meta.eventId, kind: event.data.kind, by: event.data.correctedBy, at: event.data.correctedAt };
  } else if (isEvent(event, 'ImageDeleted')) {
    next.exists = false;
    next.incarnation = state.incarnation + 1;
    next.objectKeys = new Set();
    next.classifiedBy = new Map();
    next.colouredBy = new Map();
    next.modelKind = null;
    next.correction = null;
    next.originalKey = null;
    next.contentType = null;
    next.groundTruthKind = null;
    next.datasetSplit = null;
  }
  return next;
}

/** Where the kind a person gave an image comes from: a correction, else the folder it was imported from. */
export type PersonLabelSource = 'correction' | 'ground_truth';

/**
 * The kind a person gave the image's current life: its newest correction wins over the ground-truth
 * folder it was imported from; null when no person named one (a plain upload only the model labelled)
 * or the image does not exist.
 */
export function personLabel(state: ImageState): { kind: string; source: PersonLabelSource } | null {
  if (!state.exists) return null;
  if (state.correction) return { kind: state.correction.kind, source: 'correction' };
  if (state.groundTruthKind) return { kind: state.groundTruthKind, source: 'ground_truth' };
  return null;
}

export function fold(imageId: string, events: Iterable<DomainEvent>): ImageState {
  let state = emptyState(imageId);
  for (const e of events) state = evolve(state, e);
  return state;
}

export interface CommandContext {
  correlationId: string;
  causationId?: string;
  /** Clock, injectable for tests. */
  now?: () => Date;
}

function meta<T extends EventType>(type: T, eventId: string, ctx: CommandContext): EventMeta & { type: T } {
  return {
    eventId,
    type,
    schemaVersion: SCHEMA_VERSIONS[type],
    correlationId: ctx.correlationId,
    causationId: ctx.causationId ?? '',
    occurredAt: (ctx.now?.() ?? new Date()).toISOString(),
  };
}

export interface UploadImage {
  sha256: string;
  objectKey: string;
  contentType: string;
  width: number;
  height: number;
  sizeBytes: number;
  source: 'upload' | 'catalog';
  datasetSplit?: string;
  groundTruthKind?: string;
  /** The client's file name in plain text: only for events recorded before crypto-shredding (tests, tools). */
  originalName?: string;
  /** The client's file name sealed with the image's data key (the application's FileNameVault). */
  sealedOriginalName?: string;
  /** Defaults to a new UUID; imports pass a deterministic id so re-imports add nothing. */
  eventId?: string;
}

/**
 * Records an upload. The same bytes always map to the same image: a second upload of an
 * existing image is recorded as another ImageUploaded on its stream (both uploads kept).
 * An upload whose event id is already recorded decides nothing (idempotent). A stream's first
 * event is always an ImageUploaded (nothing else is decided before the image exists), so the
 * upload recorded at revision 0 is the image's first; every later one is a duplicate, until a
 * deletion: the next upload recorded after an ImageDeleted starts the image's next life.
 */
export function decideUpload(state: ImageState, cmd: UploadImage, ctx: CommandContext): DomainEvent[] {
  const sha256 = cmd.sha256.toLowerCase();
  if (!SHA_RE.test(sha256)) throw new DomainError('invalid_sha256', 'sha256 must be 64 hex digits');
  if (imageIdFromSha256(sha256) !== state.imageId) {
    throw new DomainError('image_id_mismatch', `image ${state.imageId} is not the image of sha256 ${sha256}`);
  }
  if (!(ACCEPTED_CONTENT_TYPES as readonly string[]).includes(cmd.contentType)) {
    throw new DomainError('unsupported_media_type', `content type ${cmd.contentType} is not accepted`);
  }
  if (!Number.isInteger(cmd.width) || !Number.isInteger(cmd.height) || cmd.width < 1 || cmd.height < 1) {
    throw new DomainError('invalid_dimensions', 'width and height must be positive integers');
  }
  if (!Number.isSafeInteger(cmd.sizeBytes) || cmd.sizeBytes < 1) {
    throw new DomainError('invalid_size', 'sizeBytes must be a positive integer');
  }
  if (cmd.groundTruthKind && !isKind(cmd.groundTruthKind)) {
    throw new DomainError('unknown_kind', `unknown ground-truth kind "${cmd.groundTruthKind}"`);
  }
  const eventId = cmd.eventId ?? newId();
  if (state.uploadEventIds.has(eventId)) return [];
  const at = (ctx.now?.() ?? new Date()).toISOString();
  return [
    {
      meta: meta('ImageUploaded', eventId, ctx),
      data: makeEventData('ImageUploaded', {
        imageId: state.imageId,
        objectKey: cmd.objectKey,
        sha256,
        contentType: cmd.contentType,
        width: cmd.width,
        height: cmd.height,
        sizeBytes: BigInt(cmd.sizeBytes),
        source: cmd.source === 'catalog' ? ImageSource.CATALOG : ImageSource.UPLOAD,
        datasetSplit: cmd.datasetSplit ?? '',
        groundTruthKind: cmd.groundTruthKind ?? '',
        originalName: cmd.originalName ?? '',
        sealedOriginalName: cmd.sealedOriginalName ?? '',
        uploadedAt: at,
      }),
    },
  ];
}

/**
 * Whether the ImageUploaded recorded at this stream revision is the first upload of a life of
 * the image (see decideUpload); `state` is folded from a read made after it was recorded.
 */
export const isFirstUpload = (state: ImageState, revision: number): boolean => state.lifeStarts.includes(revision);

export interface RecordClassification {
  modelVersion: string;
  kind: string;
  confidence: number;
  top: { kind: string; confidence: number }[];
}

/** One classification per (image, model version): recording it again decides nothing. */
export function decideClassification(
  state: ImageState,
  cmd: RecordClassification,
  ctx: CommandContext,
): DomainEvent[] {
  if (!state.exists) throw new ImageNotFoundError(state.imageId);
  if (!cmd.modelVersion) throw new DomainError('invalid_model_version', 'model version is required');
  if (!isLabel(cmd.kind)) throw new DomainError('unknown_kind', `unknown label "${cmd.kind}"`);
  const probs = [cmd.confidence, ...cmd.top.map((t) => t.confidence)];
  if (probs.some((p) => !(p >= 0 && p <= 1))) {
    throw new DomainError('invalid_confidence', 'confidences must lie in [0, 1]');
  }
  if (cmd.top.some((t) => !isKind(t.kind))) throw new DomainError('unknown_kind', 'top-k holds an unknown kind');
  if (state.classifiedBy.has(cmd.modelVersion)) return [];
  return [
    {
      meta: meta('ImageClassified', classificationEventId(state.imageId, cmd.modelVersion, state.incarnation), ctx),
      data: makeEventData('ImageClassified', {
        imageId: state.imageId,
        modelVersion: cmd.modelVersion,
        kind: cmd.kind,
        confidence: cmd.confidence,
        top: cmd.top.map((t) => ({ kind: t.kind, confidence: t.confidence })),
        classifiedAt: (ctx.now?.() ?? new Date()).toISOString(),
      }),
    },
  ];
}

export interface RecordColours {
  algorithmVersion: string;
  rgbHex: string;
  rybHex: string;
  rgbShares: { hex: string; share: number }[];
  rybShares: { hex: string; share: number }[];
}

/** One colour result per (image, algorithm version): recording it again decides nothing. */
export function decideColours(state: ImageState, cmd: RecordColours, ctx: CommandContext): DomainEvent[] {
  if (!state.exists) throw new ImageNotFoundError(state.imageId);
  if (!cmd.algorithmVersion) throw new DomainError('invalid_algorithm_version', 'algorithm version is required');
  for (const hex of [cmd.rgbHex, cmd.rybHex, ...cmd.rgbShares.map((s) => s.hex), ...cmd.rybShares.map((s) => s.hex)]) {
    if (!HEX_RE.test(hex)) throw new DomainError('invalid_colour', `"${hex}" is not an upper-case #RRGGBB colour`);
  }
  if ([...cmd.rgbShares, ...cmd.rybShares].some((s) => !(s.share >= 0 && s.share <= 1))) {
    throw new DomainError('invalid_share', 'shares must lie in [0, 1]');
  }
  if (state.colouredBy.has(cmd.algorithmVersion)) return [];
  return [
    {
      meta: meta('ColourDetected', coloursEventId(state.imageId, cmd.algorithmVersion, state.incarnation), ctx),
      data: makeEventData('ColourDetected', {
        imageId: state.imageId,
        algorithmVersion: cmd.algorithmVersion,
        rgbHex: cmd.rgbHex,
        rybHex: cmd.rybHex,
        rgbShares: cmd.rgbShares,
        rybShares: cmd.rybShares,
        detectedAt: (ctx.now?.() ?? new Date()).toISOString(),
      }),
    },
  ];
}

function assertActor(by: string): void {
  if (typeof by !== 'string' || by.trim() === '' || by.length > MAX_ACTOR_LENGTH) {
    throw new DomainError('invalid_actor', `who acted must be a name of 1..${MAX_ACTOR_LENGTH} characters`);
  }
}

export interface CorrectLabel {
  kind: string;
  note?: string;
  /** Who corrects it (the editor credential's name). */
  by: string;
  /** Defaults to a new UUID: every correction is its own fact, the newest one counts. */
  eventId?: string;
}

/** A person's label of an existing image. */
export function decideCorrection(state: ImageState, cmd: CorrectLabel, ctx: CommandContext): DomainEvent[] {
  if (!state.exists) throw new ImageNotFoundError(state.imageId);
  if (typeof cmd.kind !== 'string' || !isLabel(cmd.kind)) throw new DomainError('unknown_kind', `unknown kind "${String(cmd.kind).slice(0, 60)}"`);
  const note = cmd.note ?? '';
  if (typeof note !== 'string' || note.length > MAX_CORRECTION_NOTE_LENGTH) {
    throw new DomainError('note_too_long', `a note has at most ${MAX_CORRECTION_NOTE_LENGTH} characters`);
  }
  assertActor(cmd.by);
  const at = (ctx.now?.() ?? new Date()).toISOString();
  return [
    {
      meta: meta('LabelCorrected', cmd.eventId ?? newId(), ctx),
      data: makeEventData('LabelCorrected', {
        imageId: state.imageId,
        kind: cmd.kind,
        note,
        correctedBy: cmd.by,
        correctedAt: at,
        previousKind: state.correction?.kind ?? state.modelKind ?? '',
      }),
    },
  ];
}

export interface DeleteImage {
  /** Who deletes it (the editor credential's name). */
  by: string;
}

/**
 * Ends the image's current life. One deletion per life (deterministic id): concurrent
 * deletions record it once; deleting an image that does not exist (any more) is refused.
 */
export function decideDeletion(state: ImageState, cmd: DeleteImage, ctx: CommandContext): DomainEvent[] {
  if (!state.exists) throw new ImageNotFoundError(state.imageId);
  assertActor(cmd.by);
  return [
    {
      meta: meta('ImageDeleted', deletionEventId(state.imageId, state.incarnation), ctx),
      data: makeEventData('ImageDeleted', {
        imageId: state.imageId,
        deletedBy: cmd.by,
        deletedAt: (ctx.now?.() ?? new Date()).toISOString(),
      }),
    },
  ];
}
