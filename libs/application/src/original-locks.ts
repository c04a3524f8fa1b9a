// Serialises, within this process, everything that writes or removes one original: an
// ingest (store the original, record its upload, clean up on failure) and the orphan sweeper's
// check-then-delete never interleave on the same key. Other processes are covered by the
// re-checks in IngestService and OrphanSweeper.
import { Injectable } from '@nestjs/common';

@Injectable()
export class OriginalLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs fn once every earlier call for the same key has settled. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn); // tails never reject
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
