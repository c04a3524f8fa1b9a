// Removes what an interrupted ingest leaves in object storage: originals that no recorded event
// refers to (the process died between storing the bytes and recording ImageUploaded) and the
// temporary files of writes killed midway. Runs at start-up and then every
// config.orphans.sweepIntervalMs, wherever the api role runs (embedded and the api service),
// and only touches what is older than config.orphans.graceMs.
//
// An original is never removed while an event refers to it. In this process OriginalLocks
// keeps an ingest of the same bytes out while it checks and deletes. Against another process
// (a second api replica, a distributed import) removeIfUnreferenced checks the event log again
// after deleting and puts the bytes back if an upload was recorded meanwhile, and IngestService
// re-puts an original it found missing after recording its upload: whichever order the steps
// of the two processes take, the last word on a referenced original is a put.
import { Inject, Injectable } from '@nestjs/common';
import type { VegvisionConfig } from '@vegvision/config';
import { imageIdFromSha256 } from '@vegvision/domain';
import { ORIGINALS_PREFIX, ObjectNotFoundError, sha256OfOriginalKey, type ObjectStorage } from '@vegvision/storage';
import { ImageCommands } from './image-commands';
import type { Logger } from './logger';
import { Metrics } from './metrics';
import { OriginalLocks } from './original-locks';
import { CONFIG, LOGGER, OBJECT_STORAGE } from './tokens';

export interface SweepReport {
  /** Originals older than the grace period that were looked at. */
  checked: number;
  originalsRemoved: number;
  temporariesRemoved: number;
}

@Injectable()
export class OrphanSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<SweepReport | undefined>;
  private stopped = true;
  private aborted = false;

  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly commands: ImageCommands,
    private readonly locks: OriginalLocks,
    private readonly metrics: Metrics,
  ) {}

  /** Whether a recorded event refers to the object under `key`. */
  async isReferenced(key: string): Promise<boolean> {
    const sha256 = sha256OfOriginalKey(key);
    if (sha256 === null) return false;
    return (await this.commands.load(imageIdFromSha256(sha256))).objectKeys.has(key);
  }

  /**
   * Deletes `key` unless a recorded event refers to it; `original` (its bytes and content type)
   * is put back when an upload is recorded while it is being deleted. Callers hold the key's
   * OriginalLocks lock. Returns whether the object is gone.
   */
  async removeIfUnreferenced(key: string, original: { body: Buffer; contentType: string }): Promise<boolean> {
    if (await this.isReferenced(key)) return false;
    await this.storage.delete(key);
    if (!(await this.isReferenced(key))) return true;
    await this.storage.put(key, original.body, { contentType: original.contentType });
    return false;
  }

  /** One pass over the storage; resolves with what it removed. */
  async sweep(): Promise<SweepReport> {
    const cutoff = new Date(Date.now() - this.config.orphans.graceMs);
    const report: SweepReport = { checked: 0, originalsRemoved: 0, temporariesRemoved: 0 };
    report.temporariesRemoved = await this.storage.removeIncompleteWrites(cutoff);
    this.metrics.orphansRemoved.inc({ kind: 'temporary' }, report.temporariesRemoved);
    for await (const object of this.storage.listObjects(ORIGINALS_PREFIX)) {
      if (this.aborted) break;
      if (object.lastModified >= cutoff || sha256OfOriginalKey(object.key) === null) continue;
      report.checked++;
      const removed = await this.locks.run(object.key, () => this.removeOrphan(object.key, cutoff));
      if (removed) {
        report.originalsRemoved++;
        this.metrics.orphansRemoved.inc({ kind: 'original' });
      }
    }
    return report;
  }

  private async removeOrphan(key: string, cutoff: Date): Promise<boolean> {
    if (await this.isReferenced(key)) return false; // the usual case: one stream read
    const info = await this.storage.head(key);
    if (info === null) return false;
    let body: Buffer;
    try {
      body = await this.storage.get(key);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return false;
      throw error;
    }
    this.log.warn({ key, sizeBytes: info.size, olderThan: cutoff.toISOString() }, 'removing an original no event refers to');
    return this.removeIfUnreferenced(key, { body, contentType: info.contentType });
  }

  /** Sweeps now (in the background) and then every sweepIntervalMs until stop(). */
  start(): void {
    this.stopped = false;
    this.aborted = false;
    this.runOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.aborted = true; // a sweep in progress ends after the object at hand
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private runOnce(): void {
    this.running = this.sweep().then(
      (report) => {
        this.metrics.orphanSweeps.inc({ outcome: 'completed' });
        this.log.info(report, 'orphan sweep done');
        return report;
      },
      (error: unknown) => {
        this.metrics.orphanSweeps.inc({ outcome: 'failed' });
        this.log.error({ err: error }, 'orphan sweep failed');
        return undefined;
      },
    );
    void this.running.then(() => {
      this.running = undefined;
      const every = this.config.orphans.sweepIntervalMs;
      if (!this.stopped && every > 0) {
        this.timer = setTimeout(() => this.runOnce(), every);
        this.timer.unref();
      }
    });
  }
}
