// OpenAPI schemas of the API's parameters and JSON answers (OpenAPI 3.0: `nullable`).
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PALETTES } from '@vegvision/colour';
import { COLOUR_MEASURES, KINDS, MAX_CORRECTION_NOTE_LENGTH, NOT_A_VEGETABLE } from '@vegvision/domain';
import { ACCEPTED_IMAGE_TYPES } from '@vegvision/imaging';
import { CORRELATION_ID_MAX_LENGTH, CORRELATION_ID_PATTERN } from './correlation-id';
import { LABEL_SCHEMA_PROPERTIES } from './label-view';

export const LABELS: string[] = [...KINDS, NOT_A_VEGETABLE];
export const PALETTE_NAMES = Object.keys(PALETTES);
export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
/** A colour of either palette, `#RRGGBB` or `RRGGBB`, any letter case. */
export const COLOUR_PATTERN = '^#?[0-9A-Fa-f]{6}$';
/** A correction note: any text but C0/C1 control characters (tab and line breaks allowed). */
export const NOTE_PATTERN = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$';
/** Model versions: folder names of the models directory. */
export const MODEL_VERSION_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
export const MODEL_VERSION_MAX_LENGTH = 100;

export const CORRELATION_ID_SCHEMA: SchemaObject = { type: 'string', pattern: CORRELATION_ID_PATTERN, maxLength: CORRELATION_ID_MAX_LENGTH };

const str: SchemaObject = { type: 'string' };
const nstr: SchemaObject = { type: 'string', nullable: true };
const int: SchemaObject = { type: 'integer' };
const num: SchemaObject = { type: 'number' };
const share: SchemaObject = { type: 'object', required: ['hex', 'share'], properties: { hex: str, share: num } };

function correctionItemSchema(): SchemaObject {
  return {
    type: 'object',
    required: ['eventId', 'imageId', 'kind', 'note', 'correctedBy', 'correctedAt', 'previousKind', 'position'],
    properties: { eventId: { type: 'string', format: 'uuid' }, imageId: str, kind: str, note: str, correctedBy: str, correctedAt: str, previousKind: nstr, position: int },
  };
}

/** Body of POST /api/images/:id/corrections. */
export const CORRECTION_REQUEST_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: LABELS },
    note: { type: 'string', maxLength: MAX_CORRECTION_NOTE_LENGTH, pattern: NOTE_PATTERN },
  },
};

/** Answer of POST /api/images/:id/corrections. */
export const CORRECTION_RECORDED_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['eventId', 'imageId', 'kind', 'note', 'correctedBy', 'correctedAt', 'previousKind', 'links'],
  properties: {
    eventId: { type: 'string', format: 'uuid' },
    imageId: { type: 'string', format: 'uuid' },
    kind: { type: 'string', enum: LABELS },
    note: str,
    correctedBy: str,
    correctedAt: str,
    previousKind: nstr,
    links: { type: 'object', required: ['image'], properties: { image: str } },
  },
};

const IMAGE_PROPERTIES: Record<string, SchemaObject> = {
  imageId: { type: 'string', format: 'uuid' },
  objectKey: str,
  sha256: str,
  contentType: str,
  width: int,
  height: int,
  sizeBytes: int,
  source: { type: 'string', enum: ['upload', 'catalog'] },
  datasetSplit: nstr,
  groundTruthKind: nstr,
  originalName: nstr,
  uploadedAt: str,
  uploadCount: int,
  ...LABEL_SCHEMA_PROPERTIES,
  labelSource: {
    type: 'string',
    nullable: true,
    enum: ['model', 'person', null],
    description: '"person" when `kind` is a correction by a person (shown over every model label, relabels included), "model" otherwise.',
  },
  modelKind: { type: 'string', nullable: true, description: 'The newest model label, whatever a person said.' },
  correction: {
    type: 'object',
    nullable: true,
    description: 'The newest correction by a person, null when none.',
    required: ['kind', 'by', 'at', 'note'],
    properties: { kind: str, by: str, at: str, note: str },
  },
  modelVersion: nstr,
  classifiedAt: nstr,
  rgbHex: nstr,
  rybHex: nstr,
  rgbShares: { type: 'array', items: share },
  rybShares: { type: 'array', items: share },
  colourAlgorithm: nstr,
  colouredAt: nstr,
  subjectColours: {
    type: 'object',
    nullable: true,
    description:
      "Dominant colours of the vegetable's pixels only (a `subject-*` colour algorithm); `rgbHex`/`rybHex` above are the whole photo's. Null until recorded.",
    required: ['rgbHex', 'rybHex', 'rgbShares', 'rybShares', 'algorithm', 'colouredAt'],
    properties: { rgbHex: str, rybHex: str, rgbShares: { type: 'array', items: share }, rybShares: { type: 'array', items: share }, algorithm: str, colouredAt: str },
  },
  status: { type: 'string', enum: ['processing', 'ready'] },
  url: { type: 'string', description: 'Temporary link to the original' },
  urlExpiresAt: str,
};

/** An image as every endpoint sends it: each field always present (null where the view says so); `closestKind` where the endpoint adds it. */
export const IMAGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: Object.keys(IMAGE_PROPERTIES).filter((k) => k !== 'closestKind'),
  properties: IMAGE_PROPERTIES,
};

/** The named schemas of the document (components.schemas): each written once, referenced where used. */
const IMAGE_REF: SchemaObject = { $ref: '#/components/schemas/Image' } as SchemaObject;

/** GET /api/images/:id: the image with its whole labelling history. */
export const IMAGE_DETAIL_SCHEMA: SchemaObject = {
  allOf: [
    IMAGE_REF,
    {
      type: 'object',
      required: ['classifications', 'corrections'],
      properties: {
        corrections: {
          type: 'array',
          description: 'Every correction of the image by a person, oldest first.',
          items: correctionItemSchema(),
        },
        classifications: {
          type: 'array',
          description: "Every model's label of the image, oldest first.",
          items: {
            type: 'object',
            required: ['eventId', 'imageId', 'modelVersion', 'kind', 'confidence', 'top', 'classifiedAt', 'position'],
            properties: {
              eventId: str,
              imageId: str,
              modelVersion: str,
              ...LABEL_SCHEMA_PROPERTIES,
              // A classification always names a label and its confidence (the image's kind is null only before any).
              kind: { ...LABEL_SCHEMA_PROPERTIES.kind, nullable: false },
              confidence: { ...LABEL_SCHEMA_PROPERTIES.confidence, nullable: false },
              classifiedAt: str,
              position: int,
            },
          },
        },
      },
    },
  ],
};

export const UPLOAD_ACCEPTED_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['imageId', 'sha256', 'duplicate', 'correlationId', 'contentType', 'width', 'height', 'status', 'links'],
  properties: {
    imageId: { type: 'string', format: 'uuid' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    duplicate: { type: 'boolean' },
    correlationId: CORRELATION_ID_SCHEMA,
    contentType: { type: 'string', enum: [...ACCEPTED_IMAGE_TYPES] },
    width: int,
    height: int,
    status: { type: 'string', enum: ['processing'] },
    links: { type: 'object', required: ['self', 'events'], properties: { self: str, events: str } },
  },
};

export const BROWSE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['count', 'requested', 'filters', 'items'],
  properties: {
    count: { type: 'integer', minimum: 0, maximum: 9 },
    requested: { type: 'integer', minimum: 1, maximum: 9 },
    filters: {
      type: 'object',
      required: ['kind', 'palette', 'colour', 'measure'],
      properties: {
        kind: { type: 'string', nullable: true, enum: [...LABELS, null] },
        palette: { type: 'string', nullable: true, enum: [...PALETTE_NAMES, null] },
        colour: nstr,
        measure: { type: 'string', enum: [...COLOUR_MEASURES] },
      },
    },
    items: { type: 'array', maxItems: 9, items: IMAGE_REF },
  },
};

/** Answer of GET /api/catalog/images: one page of the listing. */
export const CATALOG_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['items', 'nextCursor', 'total', 'links'],
  properties: {
    items: { type: 'array', maxItems: 100, items: IMAGE_REF },
    nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for the next page (same sort and filters); null on the last page.' },
    total: { type: 'integer', minimum: 0, description: 'Images matching the filters now.' },
    links: {
      type: 'object',
      required: ['self', 'next'],
      properties: { self: str, next: { type: 'string', nullable: true, description: 'The next page, null on the last.' } },
    },
  },
};

const counts: SchemaObject = { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } };
export const FACETS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['total', 'kinds', 'colours', 'subjectColours'],
  properties: {
    total: { type: 'integer', minimum: 0 },
    kinds: counts,
    colours: { type: 'object', additionalProperties: counts, description: 'Whole-photo colour counts per palette.' },
    subjectColours: { type: 'object', additionalProperties: counts, description: "Subject colour counts (the vegetable's pixels) per palette." },
  },
};

export const KINDS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['kinds', 'notAVegetable'],
  properties: { kinds: { type: 'array', items: { type: 'string', enum: [...KINDS] } }, notAVegetable: { type: 'string', enum: [NOT_A_VEGETABLE] } },
};

export const PALETTES_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['palettes'],
  properties: {
    palettes: {
      type: 'array',
      items: { type: 'object', required: ['name', 'colours'], properties: { name: { type: 'string', enum: PALETTE_NAMES }, colours: { type: 'array', items: { type: 'string', pattern: '^#[0-9A-F]{6}$' } } } },
    },
  },
};

export const MODELS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['active', 'models'],
  properties: {
    active: str,
    models: {
      type: 'array',
      items: {
        type: 'object',
        required: ['version', 'createdAt', 'architecture', 'sha256', 'classes', 'metrics', 'active'],
        properties: {
          version: str,
          createdAt: str,
          architecture: str,
          sha256: str,
          classes: { type: 'array', items: str },
          metrics: { type: 'object', additionalProperties: true, description: "The model card's figures (model-card.json `metrics`), as the card has them." },
          active: { type: 'boolean' },
        },
      },
    },
  },
};

export const RELABEL_PROGRESS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'model', 'state', 'total', 'done', 'relabelled', 'skipped', 'failed', 'recoloured', 'startedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    model: str,
    state: { type: 'string', enum: ['running', 'done', 'failed', 'cancelled'] },
    total: int,
    done: int,
    relabelled: int,
    skipped: int,
    failed: int,
    recoloured: int,
    startedAt: str,
    finishedAt: str,
    error: str,
  },
};

export const RELABEL_REQUEST_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['model'],
  additionalProperties: false,
  properties: {
    model: { type: 'string', pattern: MODEL_VERSION_PATTERN, maxLength: MODEL_VERSION_MAX_LENGTH, description: 'A model version of GET /api/models' },
    throttleMs: { type: 'integer', minimum: 0, maximum: 10_000, description: 'Pause between images, ms (default 0)' },
  },
};

export const RELABEL_REPORT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['model', 'compared', 'changed', 'confusion'],
  properties: { model: str, compared: int, changed: int, confusion: { type: 'object', properties: { labels: { type: 'array', items: str }, matrix: { type: 'array', items: { type: 'array', items: int } } } } },
};

export const HEALTH_SCHEMA: SchemaObject = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } };

export const READY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    checks: { type: 'object', additionalProperties: { type: 'string', description: '"ok" or what failed' } },
  },
};

/** components.schemas of the OpenAPI document besides Problem. */
export const COMPONENT_SCHEMAS: Record<string, SchemaObject> = { Image: IMAGE_SCHEMA };
