// Validation and normalisation of event payloads into row values, done before any database
// work so that a bad event fails with InvalidEventError and writes nothing.
import {
  ImageSource,
  type ColourDetected,
  type DomainEvent,
  type ImageClassified,
  type ImageDeleted,
  type ImageUploaded,
  type LabelCorrected,
} from '@vegvision/contracts';
import { InvalidEventError } from '../errors';
import type { KindScoreView, PaletteShareView } from '../read-model.port';

export interface UploadedChange {
  type: 'ImageUploaded';
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
}

export interface ClassifiedChange {
  type: 'ImageClassified';
  eventId: string;
  imageId: string;
  modelVersion: string;
  kind: string;
  confidence: number;
  top: KindScoreView[];
  classifiedAt: Date;
}

export interface ColourChange {
  type: 'ColourDetected';
  imageId: string;
  algorithm: string;
  rgbHex: string;
  rybHex: string;
  rgbShares: PaletteShareView[];
  rybShares: PaletteShareView[];
  detectedAt: Date;
}

export interface CorrectedChange {
  type: 'LabelCorrected';
  eventId: string;
  imageId: string;
  kind: string;
  note: string;
  correctedBy: string;
  correctedAt: Date;
  previousKind: string | null;
}

export interface DeletedChange {
  type: 'ImageDeleted';
  imageId: string;
}

export type Change = UploadedChange | ClassifiedChange | ColourChange | CorrectedChange | DeletedChange;

const HEX = /^#[0-9A-Fa-f]{6}$/;
const SHA256 = /^[0-9a-fA-F]{64}$/;

/** Turns a domain event into the validated change it makes to the read model. */
export function toChange(event: DomainEvent): Change {
  const meta = event?.meta;
  const eventId = typeof meta?.eventId === 'string' ? meta.eventId : '';
  const fail = (reason: string): never => {
    throw new InvalidEventError(eventId || '(no id)', reason);
  };
  if (!eventId) fail('meta.eventId is empty');
  if (!event.data) fail('the event has no payload');

  const text = (value: unknown, field: string): string => {
    if (typeof value !== 'string' || value.trim() === '') fail(`${field} is empty`);
    return value as string;
  };
  const optional = (value: unknown): string | null =>
    typeof value === 'string' && value.trim() !== '' ? value : null;
  const time = (value: unknown, field: string): Date => {
    const raw = text(value, field);
    const date = new Date(raw);
    if (Number.isNaN(date.getTime())) fail(`${field} is not a timestamp: "${raw}"`);
    return date;
  };
  const finite = (value: unknown, field: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${field} is not a finite number`);
    return value as number;
  };
  const hex = (value: unknown, field: string): string => {
    const raw = text(value, field);
    if (!HEX.test(raw)) fail(`${field} is not a "#RRGGBB" colour: "${raw}"`);
    return raw.toUpperCase();
  };
  const shares = (value: unknown, field: string): PaletteShareView[] => {
    if (!Array.isArray(value)) fail(`${field} is not a list`);
    return (value as { hex: unknown; share: unknown }[]).map((s, i) => ({
      hex: hex(s?.hex, `${field}[${i}].hex`),
      share: finite(s?.share, `${field}[${i}].share`),
    }));
  };

  switch (meta.type) {
    case 'ImageUploaded': {
      // (TypeScript does not narrow `data` by the nested `meta.type`.)
      const d = event.data as ImageUploaded;
      const sha256 = text(d.sha256, 'sha256');
      if (!SHA256.test(sha256)) fail(`sha256 is not 64 hex digits: "${sha256}"`);
      let source: 'upload' | 'catalog';
      if (d.source === ImageSource.UPLOAD) source = 'upload';
      else if (d.source === ImageSource.CATALOG) source = 'catalog';
      else return fail(`source ${String(d.source)} is neither UPLOAD nor CATALOG`);
      const size = d.sizeBytes;
      const sizeBytes = typeof size === 'bigint' ? Number(size) : Number.NaN;
      if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) fail(`sizeBytes is not a safe integer: ${String(size)}`);
      return {
        type: 'ImageUploaded',
        imageId: text(d.imageId, 'imageId'),
        objectKey: text(d.objectKey, 'objectKey'),
        sha256: sha256.toLowerCase(),
        contentType: text(d.contentType, 'contentType'),
        width: finite(d.width, 'width'),
        height: finite(d.height, 'height'),
        sizeBytes,
        source,
        datasetSplit: optional(d.datasetSplit),
        groundTruthKind: optional(d.groundTruthKind),
        originalName: optional(d.originalName),
        uploadedAt: time(d.uploadedAt, 'uploadedAt'),
      };
    }
    case 'ImageClassified': {
      const d = event.data as ImageClassified;
      if (!Array.isArray(d.top)) fail('top is not a list');
      return {
        type: 'ImageClassified',
        eventId,
        imageId: text(d.imageId, 'imageId'),
        modelVersion: text(d.modelVersion, 'modelVersion'),
        kind: text(d.kind, 'kind'),
        confidence: finite(d.confidence, 'confidence'),
        top: d.top.map((k, i) => ({
          kind: text(k?.kind, `top[${i}].kind`),
          confidence: finite(k?.confidence, `top[${i}].confidence`),
        })),
        classifiedAt: time(d.classifiedAt, 'classifiedAt'),
      };
    }
    case 'ColourDetected': {
      const d = event.data as ColourDetected;
      return {
        type: 'ColourDetected',
        imageId: text(d.imageId, 'imageId'),
        algorithm: text(d.algorithmVersion, 'algorithmVersion'),
        rgbHex: hex(d.rgbHex, 'rgbHex'),
        rybHex: hex(d.rybHex, 'rybHex'),
        rgbShares: shares(d.rgbShares, 'rgbShares'),
        rybShares: shares(d.rybShares, 'rybShares'),
        detectedAt: time(d.detectedAt, 'detectedAt'),
      };
    }
    case 'LabelCorrected': {
      const d = event.data as LabelCorrected;
      return {
        type: 'LabelCorrected',
        eventId,
        imageId: text(d.imageId, 'imageId'),
        kind: text(d.kind, 'kind'),
        note: typeof d.note === 'string' ? d.note : '',
        correctedBy: text(d.correctedBy, 'correctedBy'),
        correctedAt: time(d.correctedAt, 'correctedAt'),
        previousKind: optional(d.previousKind),
      };
    }
    case 'ImageDeleted': {
      const d = event.data as ImageDeleted;
      return { type: 'ImageDeleted', imageId: text(d.imageId, 'imageId') };
    }
    default:
      return fail(`unknown event type "${String((meta as { type?: unknown })?.type)}"`);
  }
}
