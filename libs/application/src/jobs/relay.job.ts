// The relay role: event store → bus, in log order, resuming from its checkpoint.
import { Inject, Injectable } from '@nestjs/common';
import type { VegvisionConfig } from '@vegvision/config';
import { imageIdFromStreamId } from '@vegvision/domain';
import type { EventStore, AllSubscription } from '@vegvision/event-store';
import type { MessageBus } from '@vegvision/bus';
import { toEnvelope } from '../envelope';
import type { Logger } from '../logger';
import { Metrics } from '../metrics';
import { RelayCheckpoint } from '../relay-checkpoint';
import { CONFIG, EVENT_STORE, LOGGER, MESSAGE_BUS } from '../tokens';

/** Publishes every stored event on the bus in log order, resuming from its checkpoint. */
@Injectable()
export class RelayWorker {
  private subscription?: AllSubscription;
  private pendingCheckpoint: number | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private lastFlush = 0;
  private lastPublished = -1;
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly checkpoint: RelayCheckpoint,
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    const from = await this.checkpoint.load();
    // Everything up to the checkpoint was published before (possibly by an earlier process).
    this.lastPublished = Math.max(this.lastPublished, from === 'start' ? -1 : from);
    this.log.info({ from }, 'relay starting');
    this.subscription = this.store.subscribeToAll(
      {
        from,
        onError: (error) => {
          // A subscription ended by stop() (or by the store closing at shutdown) is no failure.
          if (this.stopped) return;
          this.log.error({ err: error }, 'relay subscription failed; restarting in 1 s');
          this.scheduleRestart();
        },
      },
      async (stored) => {
        const imageId = imageIdFromStreamId(stored.streamId) ?? stored.streamId;
        await this.metrics.time('relay', stored.type, () =>
          this.bus.publish(this.config.topic, [{ key: imageId, value: JSON.stringify(toEnvelope(stored)) }]),
        );
        this.pendingCheckpoint = stored.position;
        this.lastPublished = stored.position;
        // Checkpoints are saved at most every 250 ms: after a crash the relay republishes
        // a few events, which every consumer ignores (idempotent).
        if (Date.now() - this.lastFlush > 250) await this.flush();
      },
    );
    void this.subscription.caughtUp.then(() => this.flush()).catch(() => undefined);
  }

  /** Resolves once every event stored so far has been published (and, on the in-process
   * bus, handled by every consumer), including the events those consumers appended. */
  async waitUntilIdle(pollMs = 50): Promise<void> {
    for (;;) {
      const head = await this.store.headPosition();
      if (head < 0 || this.lastPublished >= head) {
        await new Promise((r) => setTimeout(r, pollMs));
        if ((await this.store.headPosition()) === head && (head < 0 || this.lastPublished >= head)) return;
        continue;
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  private scheduleRestart(): void {
    if (this.stopped || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart();
    }, 1000);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    await this.subscription?.stop().catch(() => undefined);
    this.subscription = undefined;
    if (this.stopped) return;
    // While the event store or the read model is still down, start() fails: try again later
    // (giving up here left the relay stopped for good after a database outage).
    await this.start().catch((error) => {
      this.log.error({ err: error }, 'relay restart failed; retrying in 1 s');
      this.scheduleRestart();
    });
  }

  async flush(): Promise<void> {
    // A failed save (database down) is reported to this caller only: chaining on a rejected
    // promise would skip every later flush for good.
    this.flushing = this.flushing.catch(() => undefined).then(async () => {
      const position = this.pendingCheckpoint;
      if (position === null) return;
      this.pendingCheckpoint = null;
      this.lastFlush = Date.now();
      try {
        await this.checkpoint.save(position);
      } catch (error) {
        this.pendingCheckpoint ??= position;
        throw error;
      }
      const head = await this.store.headPosition();
      this.metrics.lag.set({ worker: 'relay' }, Math.max(0, head - position));
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.subscription?.stop();
    this.subscription = undefined;
    await this.flush();
  }
}
