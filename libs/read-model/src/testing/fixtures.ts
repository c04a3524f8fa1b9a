// Builders of domain events for tests of the read model and of everything that projects into
// it (the application layer reuses these). Every builder fills sensible, valid defaults and
// takes overrides for any payload field.
import { createHash, randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import {
  ImageSource,
  KindScoreSchema,
  PaletteShareSchema,
  type KindScore,
  type PaletteShare,
  SCHEMA_VERSIONS,
  makeEventData,
  type ColourDetected,
  type DomainEvent,
  type EventMeta,
  type EventType,
  type ImageClassified,
  type ImageUploaded,
  type LabelCorrected,
} from '@vegvision/contracts';
import { CATALOG_PROJECTION, type ReadModel } from '../read-model.port';

/** A few colours of each palette, enough to exercise the colour filters. */
export const FIXTURE_RGB = ['#FF0000', '#00FF00', '#0000FF', '#FFFF00'] as const;
export const FIXTURE_RYB = ['#FE2712', '#66B032', '#0247FE', '#FEFE33'] as const;

/** A timestamp `seconds` after a fixed base, RFC 3339 UTC with milliseconds. */
export function fixtureTime(seconds = 0): string {
  return new Date(Date.UTC(2025, 0, 15, 12, 0, 0) + seconds * 1000).toISOString();
}

/** Lower-case hex SHA-256 of a string (fixtures derive an image's sha256 from its id). */
export function sha256Of(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export interface MetaOverrides {
  eventId?: string;
  correlationId?: string;
  causationId?: string;
  occurredAt?: string;
}

export function makeMeta<T extends EventType>(type: T, overrides: MetaOverrides = {}): EventMeta & { type: T } {
  return {
    eventId: overrides.eventId ?? randomUUID(),
    type,
    schemaVersion: SCHEMA_VERSIONS[type],
    correlationId: overrides.correlationId ?? randomUUID(),
    causationId: overrides.causationId ?? '',
    occurredAt: overrides.occurredAt ?? fixtureTime(),
  };
}

type Payload<T> = Omit<Partial<T>, '$typeName'>;

export type UploadedOverrides = Payload<ImageUploaded> & { meta?: MetaOverrides };
export type ClassifiedOverrides = Omit<Payload<ImageClassified>, 'imageId' | 'top'> & {
  top?: { kind: string; confidence: number }[];
  meta?: MetaOverrides;
};
export type ColourOverrides = Omit<Payload<ColourDetected>, 'imageId' | 'rgbShares' | 'rybShares'> & {
  rgbShares?: { hex: string; share: number }[];
  rybShares?: { hex: string; share: number }[];
  meta?: MetaOverrides;
};

/** ImageUploaded of a new image (random id, sha256 derived from the id) unless overridden. */
export function makeUploaded(overrides: UploadedOverrides = {}): DomainEvent<'ImageUploaded'> {
  const { meta, ...init } = overrides;
  const imageId = init.imageId ?? randomUUID();
  const data = makeEventData('ImageUploaded', {
    imageId,
    objectKey: `originals/${imageId}.jpg`,
    sha256: sha256Of(imageId),
    contentType: 'image/jpeg',
    width: 640,
    height: 480,
    sizeBytes: 123_456n,
    source: ImageSource.UPLOAD,
    datasetSplit: '',
    groundTruthKind: '',
    originalName: 'photo.jpg',
    uploadedAt: fixtureTime(),
    ...init,
  });
  return { meta: makeMeta('ImageUploaded', { occurredAt: data.uploadedAt, ...meta }), data };
}

/** ImageClassified of `imageId` (default: Tomato at 0.9 by "model-v1"). */
export function makeClassified(imageId: string, overrides: ClassifiedOverrides = {}): DomainEvent<'ImageClassified'> {
  const { meta, top, ...init } = overrides;
  const kind = init.kind ?? 'Tomato';
  const confidence = init.confidence ?? 0.9;
  const data = makeEventData('ImageClassified', {
    imageId,
    modelVersion: 'model-v1',
    kind,
    confidence,
    classifiedAt: fixtureTime(10),
    ...init,
    top: (
      top ?? [
        { kind, confidence },
        { kind: kind === 'Potato' ? 'Carrot' : 'Potato', confidence: Math.max(0, (1 - confidence) / 2) },
      ]
    ).map((k) => makeKindScore(k.kind, k.confidence)),
  });
  return { meta: makeMeta('ImageClassified', { occurredAt: data.classifiedAt, ...meta }), data };
}

/** LabelCorrected of `imageId` (default: a person named "ana" says Capsicum). */
export function makeCorrected(
  imageId: string,
  overrides: Omit<Payload<LabelCorrected>, 'imageId'> & { meta?: MetaOverrides } = {},
): DomainEvent<'LabelCorrected'> {
  const { meta, ...init } = overrides;
  const data = makeEventData('LabelCorrected', {
    imageId,
    kind: 'Capsicum',
    note: '',
    correctedBy: 'ana',
    correctedAt: fixtureTime(30),
    previousKind: '',
    ...init,
  });
  return { meta: makeMeta('LabelCorrected', { occurredAt: data.correctedAt, ...meta }), data };
}

/** ImageDeleted of `imageId`. */
export function makeDeleted(imageId: string, overrides: { deletedBy?: string; deletedAt?: string; meta?: MetaOverrides } = {}): DomainEvent<'ImageDeleted'> {
  const { meta, ...init } = overrides;
  const data = makeEventData('ImageDeleted', { imageId, deletedBy: 'ana', deletedAt: fixtureTime(40), ...init });
  return { meta: makeMeta('ImageDeleted', { occurredAt: data.deletedAt, ...meta }), data };
}

/** ColourDetected of `imageId` (default: first fixture colour of each palette). */
export function makeColourDetected(imageId: string, overrides: ColourOverrides = {}): DomainEvent<'ColourDetected'> {
  const { meta, rgbShares, rybShares, ...init } = overrides;
  const rgbHex = init.rgbHex ?? FIXTURE_RGB[0];
  const rybHex = init.rybHex ?? FIXTURE_RYB[0];
  const data = makeEventData('ColourDetected', {
    imageId,
    algorithmVersion: 'mean-euclidean-v1',
    rgbHex,
    rybHex,
    detectedAt: fixtureTime(20),
    ...init,
    rgbShares: (rgbShares ?? defaultShares(rgbHex, FIXTURE_RGB)).map((s) => makeShare(s.hex, s.share)),
    rybShares: (rybShares ?? defaultShares(rybHex, FIXTURE_RYB)).map((s) => makeShare(s.hex, s.share)),
  });
  return { meta: makeMeta('ColourDetected', { occurredAt: data.detectedAt, ...meta }), data };
}

function makeKindScore(kind: string, confidence: number): KindScore {
  return create(KindScoreSchema, { kind, confidence });
}

function makeShare(hex: string, share: number): PaletteShare {
  return create(PaletteShareSchema, { hex, share });
}

function defaultShares(dominant: string, palette: readonly string[]): { hex: string; share: number }[] {
  const other = palette.find((hex) => hex !== dominant) ?? palette[0];
  return [
    { hex: dominant, share: 0.75 },
    { hex: other, share: 0.25 },
  ];
}

/** What `fixtureEvents` should produce for one image. */
export interface FixtureImageSpec {
  /** Classification label; omit (or null) to leave the image unclassified. */
  kind?: string | null;
  /** RGB dominant colour; omit (or null) to leave the image without colours. */
  rgbHex?: string | null;
  /** RYB dominant colour (default: the RYB colour at the RGB colour's index). */
  rybHex?: string;
  /** Extra upload payload fields. */
  upload?: UploadedOverrides;
}

export interface FixtureImage {
  imageId: string;
  sha256: string;
  events: DomainEvent[];
}

export interface FixtureEvents {
  /** Every event, in log order (per image: upload, classification, colours). */
  events: DomainEvent[];
  images: FixtureImage[];
}

/**
 * Events for a set of images, each uploaded and then (as the spec says) classified and
 * coloured. `fixtureEvents(3)` gives three ready Tomato/#FF0000 images.
 */
export function fixtureEvents(specs: number | FixtureImageSpec[]): FixtureEvents {
  const list: FixtureImageSpec[] =
    typeof specs === 'number' ? Array.from({ length: specs }, () => ({ kind: 'Tomato', rgbHex: FIXTURE_RGB[0] })) : specs;
  const images = list.map((spec, index): FixtureImage => {
    const uploaded = makeUploaded({ uploadedAt: fixtureTime(index), ...spec.upload });
    const imageId = uploaded.data.imageId;
    const events: DomainEvent[] = [uploaded];
    if (spec.kind) events.push(makeClassified(imageId, { kind: spec.kind, classifiedAt: fixtureTime(index + 100) }));
    if (spec.rgbHex) {
      const rgbIndex = (FIXTURE_RGB as readonly string[]).indexOf(spec.rgbHex);
      const rybHex = spec.rybHex ?? FIXTURE_RYB[rgbIndex >= 0 ? rgbIndex : 0];
      events.push(makeColourDetected(imageId, { rgbHex: spec.rgbHex, rybHex, detectedAt: fixtureTime(index + 200) }));
    }
    return { imageId, sha256: uploaded.data.sha256, events };
  });
  return { images, events: images.flatMap((image) => image.events) };
}

/**
 * Projects `events` in order at positions `firstPosition`, `firstPosition + step`, ...
 * Returns the position of the last event (or `firstPosition - step` when there are none).
 */
export async function projectAll(
  readModel: ReadModel,
  events: readonly DomainEvent[],
  options: { projection?: string; firstPosition?: number; step?: number } = {},
): Promise<number> {
  const step = options.step ?? 1;
  let position = (options.firstPosition ?? 1) - step;
  for (const event of events) {
    position += step;
    await readModel.project(options.projection ?? CATALOG_PROJECTION, event, position);
  }
  return position;
}
