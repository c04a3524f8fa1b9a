// The live feed of an API process without a projector (distributed mode).
import { Inject, Injectable } from '@nestjs/common';
import { decodeEvent } from '@vegvision/contracts';
import type { EventStore, AllSubscription } from '@vegvision/event-store';
import { LiveEvents } from '../live-events';
import type { Logger } from '../logger';
import { EVENT_STORE, LOGGER } from '../tokens';

/**
 * Feeds server-sent events in an API process that has no projector of its own (distributed
 * mode): tails the event store from its head and passes every new event on.
 */
@Injectable()
export class LiveFeedWorker {
  private subscription?: AllSubscription;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly live: LiveEvents,
  ) {}

  async start(): Promise<void> {
    const head = await this.store.headPosition();
    this.subscription = this.store.subscribeToAll(
      {
        from: head < 0 ? 'start' : head,
        onError: (error) => {
          this.log.warn({ err: error }, 'live feed subscription failed; restarting in 1 s');
          setTimeout(() => void this.stop().then(() => this.start()).catch(() => undefined), 1000).unref();
        },
      },
      async (stored) => {
        this.live.emit({ position: stored.position, streamId: stored.streamId, event: decodeEvent(stored) });
      },
    );
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}
