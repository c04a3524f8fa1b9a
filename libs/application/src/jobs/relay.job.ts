// The relay role: event store → bus, in log order, resuming from its checkpoint.
import { Inject, Injectable } from '@nestjs/common';
import type { VegvisionConfig } from '@vegvision/config';
import { imageIdFromStreamId } from '@vegvision/domain';
import type { EventStore, AllSubscription } from '@vegvision/event-store';
import type { MessageBus } from '@vegvision/bus';
import { toEnvelope } from '../envelope';
import type { Logger } from '../logger';
import { DurabilityBarrier } from '../durability-barrier';
import { Metrics } from '../metrics';
import { RelayCheckpoint } from '../relay-checkpoint';
import { CONFIG, EVENT_STORE, LOGGER, MESSAGE_BUS } from '../tokens';

/**
 * Publishes in flight at most, on the in-process bus. Its publish() resolves only once every
 * consumer group handled the message, so one at a time made the whole embedded pipeline serial
 * (and the projector never had two events to put in one transaction); it enqueues synchronously
 * in call order, so several in flight keep the order per key. On Kafka one at a time, as before.
 */
export const RELAY_IN_PROCESS_WINDOW = 8;

/** A publish in flight, in log order. */
interface InFlightPublish {
  position: number;
  done: boolean;
  settled: Promise<void>;
}

/**
 * Publishes every stored event on the bus in log order, resuming from its checkpoint. The
 * checkpoint (and `waitUntilIdle`) only ever pass an event once it and every event before it
 * were published: with several publishes in flight, a failed one stops the relay's subscription,
 * which restarts from the checkpoint (consumers skip what they already handled).
 */
@Injectable()
export class RelayWorker {
  private subscription?: AllSubscription;
  private pendingCheckpoint: number | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private lastFlush = 0;
  private lastPublished = -1;
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;
  private inFlight: InFlightPublish[] = [];
  /** Why the current subscription's publishing failed (the next event ends the subscription). */
  private publishFailure: { error: unknown } | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly checkpoint: RelayCheckpoint,
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly barrier: DurabilityBarrier,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    // Publishes of an earlier subscription no longer move the checkpoint (see publishFrom).
    this.inFlight = [];
    this.publishFailure = null;
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
        if (this.publishFailure) throw this.publishFailure.error;
        const imageId = imageIdFromStreamId(stored.streamId) ?? stored.streamId;
        const publishing = this.metrics.time('relay', stored.type, () =>
          this.bus.publish(this.config.topic, [{ key: imageId, value: JSON.stringify(toEnvelope(stored)) }]),
        );
        await this.track(stored.position, publishing);
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

  /**
   * Tracks a publish; returns once fewer than the window's publishes are in flight (at once on
   * Kafka: there the window is one, so the publish itself is awaited, and its failure thrown).
   */
  private async track(position: number, publishing: Promise<void>): Promise<void> {
    const window = this.config.bus.kind === 'kafka' ? 1 : RELAY_IN_PROCESS_WINDOW;
    if (window === 1) {
      await publishing;
      this.published(position);
      return;
    }
    const list = this.inFlight;
    const entry: InFlightPublish = { position, done: false, settled: Promise.resolve() };
    entry.settled = publishing.then(
      () => {
        if (this.inFlight !== list) return; // an earlier subscription's
        entry.done = true;
        // The checkpoint moves over the publishes done, up to the first still in flight.
        while (list.length > 0 && list[0].done) this.published(list.shift()!.position);
      },
      (error: unknown) => {
        if (this.inFlight !== list || this.publishFailure || this.stopped) return;
        this.publishFailure = { error };
        this.log.error({ err: error, position }, 'relay publish failed; restarting from the checkpoint in 1 s');
        this.scheduleRestart();
      },
    );
    list.push(entry);
    // The oldest in flight holds the checkpoint back: wait for it (the window counts from it).
    while (list.length >= window && !this.publishFailure && this.inFlight === list) await list[0].settled;
    if (this.publishFailure) throw this.publishFailure.error;
  }

  private published(position: number): void {
    this.pendingCheckpoint = position;
    this.lastPublished = position;
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
        // What the consumers applied up to `position` is durable before the checkpoint passes it.
        await this.barrier.sync();
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
    // The publishes still in flight finish (or fail) before the last checkpoint is saved.
    await Promise.all(this.inFlight.map((e) => e.settled));
    await this.flush();
  }
}
