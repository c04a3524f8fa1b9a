// A catch-up subscription loop for stores that can read "events after position p" in batches and
// tell when new events may have arrived (file store: in-process signal; PostgreSQL: LISTEN/NOTIFY
// plus a poll interval). Delivers in position order, one event at a time, exactly once.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AllSubscription, StoredEvent } from '../event-store.port';
import { SubscriptionStoppedError } from '../errors';

/** Counts changes; waiters resume when the count moved past what they saw, or on timeout/abort. */
export class ChangeSignal {
  private version = 0;
  private waiters = new Set<() => void>();

  get current(): number {
    return this.version;
  }

  bump(): void {
    this.version++;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  /** Resolves once version > seen, after timeoutMs (when given) or on abort, whichever comes first. */
  wait(seen: number, abort: AbortSignal, timeoutMs?: number): Promise<void> {
    if (this.version > seen || abort.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        this.waiters.delete(done);
        abort.removeEventListener('abort', done);
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.add(done);
      abort.addEventListener('abort', done, { once: true });
      if (timeoutMs !== undefined) timer = setTimeout(done, timeoutMs);
    });
  }
}

export interface CatchUpSource {
  /** Position of the last stored event (-1: none), read when the subscription starts. */
  head(): Promise<number>;
  /** Up to a batch of events with position > after, in position order. */
  fetch(after: number): Promise<StoredEvent[]>;
  /** The change signal live appends bump. */
  signal: ChangeSignal;
  /** Fallback poll interval while idle (undefined: rely on the signal only). */
  pollIntervalMs?: number;
  /** Called when the subscription ends (to release resources). */
  onEnd?: () => void;
}

const insideHandler = new AsyncLocalStorage<object>();

export function startCatchUpSubscription(
  source: CatchUpSource,
  after: number,
  handler: (event: StoredEvent) => Promise<void>,
  onError: ((error: unknown) => void) | undefined,
): AllSubscription {
  const token = {};
  const abort = new AbortController();
  let stopped = false;
  let resolveCaughtUp!: () => void;
  let rejectCaughtUp!: (e: unknown) => void;
  let settled = false;
  const caughtUp = new Promise<void>((res, rej) => {
    resolveCaughtUp = () => {
      settled = true;
      res();
    };
    rejectCaughtUp = (e) => {
      settled = true;
      rej(e);
    };
  });
  caughtUp.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection

  const run = async (): Promise<void> => {
    let checkpoint = after;
    const headAtStart = await source.head();
    if (headAtStart <= checkpoint) resolveCaughtUp();
    while (!stopped) {
      const seen = source.signal.current;
      const batch = await source.fetch(checkpoint);
      if (stopped) break;
      if (batch.length === 0) {
        await source.signal.wait(seen, abort.signal, source.pollIntervalMs);
        continue;
      }
      for (const event of batch) {
        if (stopped) break;
        if (event.position <= checkpoint) continue; // defensive: never deliver twice
        await insideHandler.run(token, () => handler(event));
        checkpoint = event.position;
        if (!settled && checkpoint >= headAtStart) resolveCaughtUp();
      }
    }
  };

  const loop = run().then(
    () => {
      if (!settled) rejectCaughtUp(new SubscriptionStoppedError());
      source.onEnd?.();
    },
    (error: unknown) => {
      stopped = true;
      if (!settled) rejectCaughtUp(error);
      source.onEnd?.();
      if (onError) {
        try {
          onError(error);
        } catch {
          // an onError that throws must not turn into an unhandled rejection
        }
      } else {
        process.emitWarning(`event store subscription ended: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  );

  return {
    caughtUp,
    stop: async () => {
      stopped = true;
      abort.abort();
      // Called from within the handler: the loop waits for that very handler, so do not wait for it.
      if (insideHandler.getStore() === token) return;
      await loop;
    },
  };
}
