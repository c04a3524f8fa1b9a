// Base of the bus consumers (classifier, colour, projector): parse, time, classify failures.
import { PermanentMessageError, type BusSubscription, type MessageBus } from '@vegvision/bus';
import type { VegvisionConfig } from '@vegvision/config';
import { parseEnvelope, type PositionedEvent } from '../envelope';
import type { Logger } from '../logger';
import { Metrics } from '../metrics';
import { CONSUMER_MAX_ATTEMPTS, permanentFailure } from './failure-policy';

/** The bus message as an event; a message that is not one can never be handled. */
function parseMessage(value: string): PositionedEvent {
  try {
    return parseEnvelope(value);
  } catch (error) {
    throw new PermanentMessageError(`not a vegvision event envelope: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Base of the bus consumers. */
export abstract class Consumer {
  private subscription?: BusSubscription;
  private unwatchLag?: () => void;
  abstract readonly group: string;

  constructor(
    protected readonly bus: MessageBus,
    protected readonly config: VegvisionConfig,
    protected readonly log: Logger,
    protected readonly metrics: Metrics,
  ) {}

  protected abstract handle(e: PositionedEvent): Promise<void>;

  /** A labelling role found the image deleted before it could record anything: the end of the work, not a failure. */
  protected deletedMeanwhile(imageId: string): void {
    this.log.info({ group: this.group, imageId }, 'image deleted before it was labelled: nothing recorded');
  }

  async start(): Promise<void> {
    // The consumer group is named after the topic too: Kafka groups are cluster-wide, and
    // kafkajs' assigner hands a group's partitions of every member's topics to any member, so
    // two deployments (or test runs) with different topics must never share a group.
    const group = `${this.config.topic}.${this.group}`;
    // Distributed only: the in-process bus has no outage to ride out (the bus default applies).
    const maxAttempts = this.config.bus.kind === 'kafka' ? CONSUMER_MAX_ATTEMPTS : undefined;
    this.subscription = await this.bus.subscribe({ topic: this.config.topic, group, maxAttempts }, async (msg) => {
      let positioned: PositionedEvent | undefined;
      try {
        const p = (positioned = parseMessage(msg.value));
        await this.metrics.time(this.group, p.event.meta.type, () => this.handle(p));
      } catch (caught) {
        const error = permanentFailure(caught);
        const permanent = error instanceof PermanentMessageError;
        this.log[permanent ? 'error' : 'warn'](
          { err: caught, group: this.group, eventId: positioned?.event.meta.eventId, key: msg.key, attempt: msg.attempt, permanent },
          permanent ? 'event handling failed for good: sent to the dead-letter topic' : 'event handling failed',
        );
        if (permanent) this.metrics.deadLettered.inc({ worker: this.group });
        throw error;
      }
    });
    const lag = this.bus.lag?.bind(this.bus);
    if (lag) this.unwatchLag = this.metrics.watchGroupLag(group, () => lag(group, this.config.topic));
  }

  async stop(): Promise<void> {
    this.unwatchLag?.();
    this.unwatchLag = undefined;
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}
