// Shapes of the vegvision HTTP API, generated from its OpenAPI document: libs/http-api/openapi.json
// (the response schemas libs/http-api declares, libs/http-api/src/api-schemas.ts) -> api.generated.ts
// by openapi-typescript (`npm run api:gen`; CI's `npm run api:check` fails when either is stale).
// Nothing here restates a field by hand: a change of the API's contract changes these types.

import type { PaletteName } from '@vegvision/colour/palettes';
import type { components, operations, paths } from './api.generated';

export type { PaletteName };

/** The JSON body of a 2xx answer of `method` on `path`. */
type Answer<P extends keyof paths, M extends 'get' | 'post', S extends number = 200> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

/** Answer of GET /api/catalog/images: one page of the listing. */
export type CatalogPage = Answer<'/api/catalog/images', 'get'>;
/** An image as the API sends it: the catalog's view plus a temporary signed link. */
export type CatalogImage = components['schemas']['Image'];
export type KindScore = CatalogImage['top'][number];
export type PaletteShare = CatalogImage['rgbShares'][number];
export type Facets = Answer<'/api/catalog/facets', 'get'>;
export type ImageDetail = Answer<'/api/images/{id}', 'get'>;
export type Classification = ImageDetail['classifications'][number];
export type Correction = ImageDetail['corrections'][number];
/** Answer of POST /api/images/:id/corrections. */
export type CorrectionRecorded = Answer<'/api/images/{id}/corrections', 'post', 201>;
export type BrowseResponse = Answer<'/api/images', 'get'>;
export type UploadAccepted = Answer<'/api/images', 'post', 202>;
export type ModelsResponse = Answer<'/api/models', 'get'>;
export type ModelInfo = ModelsResponse['models'][number];
/** Query parameters of GET /api/catalog/images. */
export type ListQuery = NonNullable<operations['CatalogController_list']['parameters']['query']>;

/** RFC 9457 problem details as the API sends them (fields optional: an error may come from a proxy, not the API). */
export type Problem = Partial<components['schemas']['Problem']>;

// The live feed's payloads (GET /api/events) are the events' protobuf JSON (proto/), not HTTP DTOs.
/** Payload of an ImageClassified event (protobuf JSON). */
export interface ClassifiedPayload {
  imageId: string;
  modelVersion: string;
  kind: string;
  confidence: number;
  top: KindScore[];
  classifiedAt: string;
}

/** Payload of a ColourDetected event (protobuf JSON). */
export interface ColourPayload {
  imageId: string;
  algorithmVersion: string;
  rgbHex: string;
  rybHex: string;
  rgbShares: PaletteShare[];
  rybShares: PaletteShare[];
  detectedAt: string;
}

export type LiveEvent =
  | { type: 'ImageUploaded'; data: { imageId: string } }
  | { type: 'ImageClassified'; data: ClassifiedPayload }
  | { type: 'ColourDetected'; data: ColourPayload };
