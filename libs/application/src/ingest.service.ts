// Accepting an image (HTTP upload or catalog import): validate the bytes completely, store
// the original under a content-addressed key, then record ImageUploaded. If recording fails,
// an original this call created is removed again, so nothing half-written stays behind.
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { imageIdFromSha256, newId } from '@vegvision/domain';
import { decodeImage, sha256 as sha256Of } from '@vegvision/imaging';
import { originalKey, type ObjectStorage } from '@vegvision/storage';
import type { VegvisionConfig } from '@vegvision/config';
import { UploadImageCommand, type CommandResult } from './image-commands';
import { CONFIG, OBJECT_STORAGE } from './tokens';

export interface IngestRequest {
  bytes: Buffer;
  source: 'upload' | 'catalog';
  originalName?: string;
  datasetSplit?: string;
  groundTruthKind?: string;
  /** Deterministic for imports (re-importing a file records nothing new). */
  eventId?: string;
  correlationId?: string;
}

export interface IngestResult {
  imageId: string;
  sha256: string;
  /** False when this exact upload/import event was already recorded. */
  recorded: boolean;
  /** True when the same bytes were already in the catalog before this call. */
  duplicate: boolean;
  eventId: string | null;
  correlationId: string;
  width: number;
  height: number;
  contentType: string;
}

/** Keeps only a harmless base name: no directories, no control characters, bounded length. */
export function sanitiseFileName(name: string | undefined): string {
  if (!name) return '';
  const base = name.split(/[\\/]/).pop() ?? '';
  return base.replace(/[\u0000-\u001f\u007f]/g, '').replace(/^\.+/, '').slice(0, 200);
}

@Injectable()
export class IngestService {
  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    private readonly commandBus: CommandBus,
  ) {}

  async ingest(req: IngestRequest): Promise<IngestResult> {
    const decoded = await decodeImage(req.bytes, {
      maxBytes: this.config.limits.maxUploadBytes,
      maxPixels: this.config.limits.maxPixels,
    });
    const sha256 = sha256Of(req.bytes);
    const imageId = imageIdFromSha256(sha256);
    const key = originalKey(sha256);
    const correlationId = req.correlationId ?? newId();

    const existed = (await this.storage.head(key)) !== null;
    if (!existed) await this.storage.put(key, req.bytes, { contentType: decoded.contentType });
    let result: CommandResult;
    try {
      result = await this.commandBus.execute(
        new UploadImageCommand(
          imageId,
          {
            sha256,
            objectKey: key,
            contentType: decoded.contentType,
            width: decoded.width,
            height: decoded.height,
            sizeBytes: req.bytes.length,
            source: req.source,
            datasetSplit: req.datasetSplit,
            groundTruthKind: req.groundTruthKind,
            originalName: sanitiseFileName(req.originalName),
            eventId: req.eventId,
          },
          { correlationId },
        ),
      );
    } catch (error) {
      if (!existed) await this.storage.delete(key).catch(() => undefined);
      throw error;
    }
    return {
      imageId,
      sha256,
      recorded: result.events.length > 0,
      duplicate: existed,
      eventId: result.events[0]?.meta.eventId ?? null,
      correlationId,
      width: decoded.width,
      height: decoded.height,
      contentType: decoded.contentType,
    };
  }
}
