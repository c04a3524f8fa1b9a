// Importing one file of a labelled catalog folder ([split/]Kind/name.jpg): the kind and the
// split come from its relative path, the event id from its bytes and that path, so importing
// the same file again records nothing. Used by `vegvision import` in-process and by the admin
// catalog-import endpoint (which the CLI uses while a server holds the embedded store).
import { Injectable } from '@nestjs/common';
import { KINDS, importEventId, isKind } from '@vegvision/domain';
import { sha256 as sha256Of } from '@vegvision/imaging';
import { IngestService, type IngestResult } from './ingest.service';

/** File names `vegvision import` picks up in a catalog folder. */
export const CATALOG_IMAGE_EXT = /\.(jpe?g|png|webp)$/i;

export interface CatalogPath {
  /** Normalised relative path, `/`-separated. */
  relativePath: string;
  kind: string;
  split?: string;
  fileName: string;
}

/** A relative path that is not `[split/]Kind/name.(jpg|jpeg|png|webp)`. */
export class InvalidCatalogPathError extends Error {
  readonly code = 'invalid_catalog_path' as const;
  constructor(readonly relativePath: string, reason: string) {
    super(`"${relativePath}" is not a catalog path [split/]Kind/name.jpg: ${reason}`);
    this.name = 'InvalidCatalogPathError';
  }
}

export function parseCatalogPath(relativePath: string): CatalogPath {
  if (relativePath.length === 0 || relativePath.length > 1024) throw new InvalidCatalogPathError(relativePath.slice(0, 100), 'it must have 1 to 1024 characters');
  if (/[\u0000-\u001f\u007f\\]/.test(relativePath)) throw new InvalidCatalogPathError(relativePath, 'control characters and backslashes are not allowed');
  const parts = relativePath.split('/');
  if (parts.length < 2 || parts.length > 3) throw new InvalidCatalogPathError(relativePath, 'it needs 2 or 3 parts separated by "/"');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new InvalidCatalogPathError(relativePath, 'empty, "." and ".." parts are not allowed');
  const fileName = parts[parts.length - 1];
  const kind = parts[parts.length - 2];
  if (!isKind(kind)) throw new InvalidCatalogPathError(relativePath, `"${kind}" is not a kind (${KINDS.join(', ')})`);
  if (!CATALOG_IMAGE_EXT.test(fileName)) throw new InvalidCatalogPathError(relativePath, 'the file name must end in .jpg, .jpeg, .png or .webp');
  return { relativePath, kind, split: parts.length === 3 ? parts[0] : undefined, fileName };
}

@Injectable()
export class CatalogImportService {
  constructor(private readonly ingest: IngestService) {}

  /** Records the file as ImageUploaded (source catalog, its split and ground-truth kind). */
  importFile(bytes: Buffer, relativePath: string): Promise<IngestResult> {
    const path = parseCatalogPath(relativePath);
    return this.ingest.ingest({
      bytes,
      source: 'catalog',
      originalName: path.fileName,
      datasetSplit: path.split,
      groundTruthKind: path.kind,
      eventId: importEventId(sha256Of(bytes), path.relativePath),
    });
  }
}
