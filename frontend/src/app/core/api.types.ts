// Shapes of the vegvision HTTP API (see libs/http-api/src/images.controller.ts).

export type PaletteName = 'RGB' | 'RYB';

export interface KindScore {
  kind: string;
  confidence: number;
}

export interface PaletteShare {
  hex: string;
  share: number;
}

export interface CatalogImage {
  imageId: string;
  sha256: string;
  contentType: string;
  width: number;
  height: number;
  sizeBytes: number;
  source: 'upload' | 'catalog';
  datasetSplit: string | null;
  groundTruthKind: string | null;
  originalName: string | null;
  uploadedAt: string;
  uploadCount: number;
  kind: string | null;
  confidence: number | null;
  top: KindScore[];
  modelVersion: string | null;
  classifiedAt: string | null;
  rgbHex: string | null;
  rybHex: string | null;
  rgbShares: PaletteShare[];
  rybShares: PaletteShare[];
  colourAlgorithm: string | null;
  colouredAt: string | null;
  status: 'processing' | 'ready';
  /** Temporary signed link to the original. */
  url: string;
  urlExpiresAt: string;
}

export interface Classification {
  eventId: string;
  imageId: string;
  modelVersion: string;
  kind: string;
  confidence: number;
  top: KindScore[];
  classifiedAt: string;
  position: number;
}

export interface ImageDetail extends CatalogImage {
  classifications: Classification[];
}

export interface BrowseResponse {
  count: number;
  requested: number;
  filters: { kind: string | null; palette: PaletteName | null; colour: string | null };
  items: CatalogImage[];
}

export interface Facets {
  total: number;
  kinds: Record<string, number>;
  colours: Record<PaletteName, Record<string, number>>;
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
