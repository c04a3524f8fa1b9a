// Shapes of the vegvision HTTP API (see libs/http-api/src/images.controller.ts).

import type { PaletteName } from '@vegvision/colour/palettes';
import type { ClassificationView, CorrectionView, Facets as FacetsView, ImageView, KindScoreView, PaletteShareView } from '@vegvision/read-model/port';

export type { PaletteName };

// The catalog's shapes are the read model's own views (type-only imports: nothing of the
// server's code reaches the bundle).
export type KindScore = KindScoreView;
export type PaletteShare = PaletteShareView;
export type Classification = ClassificationView;
export type Facets = FacetsView;

/** An image as the API sends it: the read model's view plus a temporary signed link. */
export interface CatalogImage extends ImageView {
  /** Temporary signed link to the original. */
  url: string;
  urlExpiresAt: string;
  /** For kind not_a_vegetable: the closest kind and its probability; null otherwise (older servers leave it out). */
  closestKind?: KindScore | null;
}

export type Correction = CorrectionView;

export interface ImageDetail extends CatalogImage {
  classifications: (Classification & { closestKind?: KindScore | null })[];
  /** Every correction by a person, oldest first (older servers leave it out). */
  corrections?: Correction[];
}

/** Answer of POST /api/images/:id/corrections. */
export interface CorrectionRecorded {
  eventId: string;
  imageId: string;
  kind: string;
  note: string;
  correctedBy: string;
  correctedAt: string;
  previousKind: string | null;
}

export interface BrowseResponse {
  count: number;
  requested: number;
  filters: { kind: string | null; palette: PaletteName | null; colour: string | null };
  items: CatalogImage[];
}

/** Answer of GET /api/catalog/images: one page of the listing. */
export interface CatalogPage {
  items: CatalogImage[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
  /** Images matching the filters now. */
  total: number;
  links: { self: string; next: string | null };
}

export interface UploadAccepted {
  imageId: string;
  sha256: string;
  duplicate: boolean;
  contentType: string;
  width: number;
  height: number;
  status: 'processing';
}

export interface ModelInfo {
  version: string;
  createdAt: string;
  /** From the model card; older servers leave it out. */
  architecture?: string | null;
  metrics?: { validationTop1?: number | null };
  sha256: string;
  classes?: string[];
  active?: boolean;
}

export interface ModelsResponse {
  active: string;
  models: ModelInfo[];
}

/** RFC 9457 problem details as the API sends them. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
}

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
