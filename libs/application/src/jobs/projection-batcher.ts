// Group commit for the projector: events handed in while the read model is busy with a
// transaction queue up and go into the next one together (ReadModel.projectBatch), so a backlog
// costs one transaction (one commit, one checkpoint update) per batch instead of per event.
// Nothing waits for a timer: a batch is whatever queued up before the writer got to it (after one
// turn of the event loop, so that the handlers the bus runs side by side can join), at most
// `maxBatch` events.
//
// Each caller's promise settles only once its event's batch committed (a bus message is done
// only then). A batch that fails is projected again one event at a time, so one bad event fails
// its own message only (retried or dead-lettered by the bus as before) and the others commit.
// Ordering per image is the bus's: a partition hands over its next message only after this one
// settled, so a batch never holds two events of one image out of order.
import type { DomainEvent } from '@vegvision/contracts';
import type { ReadModel } from '@vegvision/read-model';

interface Pending {
  event: DomainEvent;
  position: number;
  resolve(applied: boolean): void;
  reject(error: unknown): void;
}

/** Default largest batch. */
export const DEFAULT_PROJECTION_BATCH = 64;

export class ProjectionBatcher {
  private readonly queue: Pending[] = [];
  private draining = false;

  constructor(
    private readonly readModel: ReadModel,
    private readonly projection: string,
    private readonly maxBatch = DEFAULT_PROJECTION_BATCH,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be an integer >= 1, got ${String(maxBatch)}`);
  }

  /** Projects the event with the next batch; resolves with whether it was applied, once that batch committed. */
  project(event: DomainEvent, position: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ event, position, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        await this.flush(this.queue.splice(0, this.maxBatch));
        // Let the handlers woken by this batch's commit hand in their next events.
        if (this.queue.length === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.draining = false;
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    if (batch.length > 1) {
      let applied: boolean[] | undefined;
      try {
        applied = await this.readModel.projectBatch(
          this.projection,
          batch.map(({ event, position }) => ({ event, position })),
        );
      } catch {
        // One of them (or the database) failed: one by one, each event settles on its own.
      }
      if (applied) {
        batch.forEach((p, i) => p.resolve(applied[i]));
        return;
      }
    }
    for (const p of batch) {
      try {
        p.resolve(await this.readModel.project(this.projection, p.event, p.position));
      } catch (error) {
        p.reject(error);
      }
    }
  }
}
