// Accepting an image (HTTP upload or catalog import): validate the bytes completely, store
// the original under a content-addressed key, then record ImageUploaded. If recording fails,
// an original this call created is removed again unless an event refers to it (another upload
// of the same bytes recorded meanwhile), so nothing half-written stays behind. Whether the
// upload is a duplicate is what the event log says (the revision the upload was recorded at),
// never whether the object store already held the bytes. What a crash between the two steps
// leaves behind is the orphan sweeper's (OrphanSweeper).
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { imageIdFromSha256, isFirstUpload, newId } from '@vegvision/domain';
import { decodeImage, sha256 as sha256Of } from '@vegvision/imaging';
import { originalKey, type ObjectStorage } from '@vegvision/storage';
import type { VegvisionConfig } from '@vegvision/config';
import { sanitiseFileName } from './file-name';
import { FileNameVault } from './file-name-vault';
import { ImageCommands, UploadImageCommand, type CommandResult } from './image-commands';
import { OriginalLocks } from './original-locks';
import { OrphanSweeper } from './orphan-sweeper';
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
  /** False only for the call that recorded the image's first upload (the event log decides). */
  duplicate: boolean;
  eventId: string | null;
  correlationId: string;
  width: number;
  height: number;
  contentType: string;
}

@Injectable()
export class IngestService {
  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    private readonly commandBus: CommandBus,
    private readonly locks: OriginalLocks,
    private readonly sweeper: OrphanSweeper,
    private readonly commands: ImageCommands,
    private readonly vault: FileNameVault,
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
    const original = { body: req.bytes, contentType: decoded.contentType };
    // The name is recorded sealed with the image's data key only (crypto-shredding, FileNameVault).
    const sealedOriginalName = await this.vault.seal(imageId, sanitiseFileName(req.originalName));

    // One ingest of these bytes at a time in this process (see OriginalLocks): concurrent
    // identical uploads queue here, each recording its own ImageUploaded.
    const result = await this.locks.run(key, async () => {
      const wrote = (await this.storage.head(key)) === null;
      if (wrote) await this.storage.put(key, original.body, { contentType: original.contentType });
      let recorded: CommandResult;
      try {
        recorded = await this.commandBus.execute(
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
              sealedOriginalName,
              eventId: req.eventId,
            },
            { correlationId },
          ),
        );
      } catch (error) {
        // Only what this call stored, and only while no recorded event refers to it.
        if (wrote) await this.sweeper.removeIfUnreferenced(key, original).catch(() => undefined);
        throw error;
      }
      // The original was there before this call but may have been an orphan that the sweeper of
      // another process removed since: now that an event refers to it, make sure it is stored.
      if (!wrote && (await this.storage.head(key)) === null) {
        await this.storage.put(key, original.body, { contentType: original.contentType });
      }
      return recorded;
    });
    // Revision 0 is always a first upload; a later one is when it started a life after a deletion.
    const first =
      result.firstRevision !== null &&
      (result.firstRevision === 0 || isFirstUpload(await this.commands.load(imageId), result.firstRevision));
    return {
      imageId,
      sha256,
      recorded: result.events.length > 0,
      duplicate: !first,
      eventId: result.events[0]?.meta.eventId ?? null,
      correlationId,
      width: decoded.width,
      height: decoded.height,
      contentType: decoded.contentType,
    };
  }
}
