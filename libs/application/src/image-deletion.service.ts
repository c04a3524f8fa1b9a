// Deleting an image: record ImageDeleted (the projector then removes the image from the read
// model), then remove its original from object storage. The event comes first: once it is
// recorded no event refers to the original any more (see the aggregate's lives), so if this
// process dies before the removal, the orphan sweeper removes the original after its grace
// period. The removal runs under the key's OriginalLocks lock and leaves the object alone when
// an upload of the same bytes was recorded meanwhile (a new life of the image refers to it);
// against an upload in another process, IngestService re-puts an original it finds missing
// after recording its upload, so the last word on a referenced original is a put.
// Right after ImageDeleted is recorded the image's data key is destroyed (FileNameVault.shred):
// the file names its ImageUploaded events carry sealed can never be read again (crypto-shredding;
// the log itself is append-only). A DELETE retried after a failure there (the image answers 404
// by then) destroys it still. An upload of the same bytes racing the deletion may be sealed under
// the key being destroyed: its name then reads as null, never the other way round.
// A deletion reads as done: the call returns once the catalog read model no longer holds the
// image (a GET right after the DELETE answers 404), or after CATALOG_CATCH_UP_MS when the
// projector lags behind (the deletion is recorded either way; the row leaves when it catches up).
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ImageNotFoundError, newId } from '@vegvision/domain';
import type { ReadModel } from '@vegvision/read-model';
import { originalKey, type ObjectStorage } from '@vegvision/storage';
import { FileNameVault } from './file-name-vault';
import { DeleteImageCommand, ImageCommands, type CommandResult } from './image-commands';
import type { Logger } from './logger';
import { OriginalLocks } from './original-locks';
import { OrphanSweeper } from './orphan-sweeper';
import { LOGGER, OBJECT_STORAGE, READ_MODEL } from './tokens';

/** How long a deletion waits for the catalog read model to drop the image. */
export const CATALOG_CATCH_UP_MS = 5000;

export interface DeletionResult {
  imageId: string;
  /** False when a concurrent deletion of the same life recorded it first. */
  recorded: boolean;
  /** Object keys removed from storage. */
  removedObjects: string[];
  /** False when the catalog read model still held the image after CATALOG_CATCH_UP_MS. */
  leftCatalog: boolean;
}

@Injectable()
export class ImageDeletionService {
  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(READ_MODEL) private readonly readModel: ReadModel,
    private readonly commandBus: CommandBus,
    private readonly commands: ImageCommands,
    private readonly locks: OriginalLocks,
    private readonly sweeper: OrphanSweeper,
    private readonly vault: FileNameVault,
  ) {}

  /** @throws ImageNotFoundError when the image does not exist (or is deleted already). */
  async delete(imageId: string, by: string, correlationId: string = newId()): Promise<DeletionResult> {
    const before = await this.commands.load(imageId);
    let result: CommandResult;
    try {
      result = await this.commandBus.execute(new DeleteImageCommand(imageId, { by }, { correlationId }));
    } catch (error) {
      // Deleted already: a retry of a deletion whose key destruction failed finishes it.
      if (error instanceof ImageNotFoundError && !before.exists && before.incarnation > 0) await this.vault.shred(imageId);
      throw error;
    }
    await this.vault.shred(imageId);
    const keys = new Set(before.objectKeys);
    if (before.sha256) keys.add(originalKey(before.sha256));
    const removedObjects: string[] = [];
    for (const key of keys) {
      const removed = await this.locks.run(key, async () => {
        if (await this.sweeper.isReferenced(key)) return false;
        await this.storage.delete(key);
        return true;
      });
      if (removed) removedObjects.push(key);
    }
    const leftCatalog = await this.untilCatalogDrops(imageId);
    this.log.info({ imageId, by, removedObjects, recorded: result.events.length > 0, leftCatalog }, 'image deleted');
    return { imageId, recorded: result.events.length > 0, removedObjects, leftCatalog };
  }

  private async untilCatalogDrops(imageId: string): Promise<boolean> {
    const deadline = Date.now() + CATALOG_CATCH_UP_MS;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      if (!(await this.readModel.getImage(imageId))) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
