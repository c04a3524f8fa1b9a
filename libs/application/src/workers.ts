// The long-running roles: relay (event store → bus), classifier and colour detector
// (ImageUploaded → labels recorded as new events) and projector (events → read model).
// Every role is idempotent, so at-least-once delivery never duplicates anything.
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { decodeEvent, isEvent, type DomainEvent } from '@vegvision/contracts';
import type { VegvisionConfig, Role } from '@vegvision/config';
import { ALGORITHM_VERSIONS, InvalidPixelsError } from '@vegvision/colour';
import { ClassifierInputError } from '@vegvision/classifier';
import { DomainError, ImageNotFoundError, imageIdFromStreamId } from '@vegvision/domain';
import { ImageError, decodeImage } from '@vegvision/imaging';
import type { EventStore, AllSubscription } from '@vegvision/event-store';
import { PermanentMessageError, type BusSubscription, type MessageBus } from '@vegvision/bus';
import { ObjectNotFoundError, type ObjectStorage } from '@vegvision/storage';
import { CATALOG_PROJECTION, InvalidEventError, type ReadModel } from '@vegvision/read-model';
import { Subject } from 'rxjs';
import { ClassifierProvider } from './classifier.provider';
import { LIVE_COLOUR_VARIANTS, RecordClassificationCommand, RecordColoursCommand, ImageCommands } from './image-commands';
import { parseEnvelope, toEnvelope, type PositionedEvent } from './envelope';
import type { Logger } from './logger';
import { Metrics } from './metrics';
import { OrphanSweeper } from './orphan-sweeper';
import { RelayCheckpoint } from './relay-checkpoint';
import { CONFIG, EVENT_STORE, LOGGER, MESSAGE_BUS, OBJECT_STORAGE, READ_MODEL } from './tokens';

export { RELAY_CHECKPOINT } from './relay-checkpoint';

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

/**
 * Delivery attempts of a consumer on Kafka before the bus dead-letters a message. Transient
 * failures (PostgreSQL restarting, S3 unreachable) are retried: the bus backs off up to 5 s
 * between attempts, so 120 attempts ride out about 10 minutes of outage instead of
 * dead-lettering every message in flight after a few seconds. Permanent failures
 * (see permanentFailure) skip the retries and go to the dead-letter topic at once.
 */
export const CONSUMER_MAX_ATTEMPTS = 120;

/**
 * The failures of a consumer that no retry can cure, wrapped so the bus dead-letters them on the
 * first attempt: a stored original that is gone or does not decode, pixels or a label the
 * domain or the read model refuses. Anything else (a server down, a timeout, a conflict) is
 * returned unchanged and retried. Once its cause is mended, `vegvision relabel --model <active
 * version>` gives a dead-lettered upload what it lacks: that model's label, the current colours.
 */
export function permanentFailure(error: unknown): unknown {
  const permanent =
    error instanceof ImageError ||
    error instanceof ObjectNotFoundError ||
    error instanceof DomainError ||
    error instanceof InvalidEventError ||
    error instanceof ClassifierInputError ||
    error instanceof InvalidPixelsError;
  if (!permanent) return error;
  const e = error as Error;
  return new PermanentMessageError(`${e.name}: ${e.message}`, { cause: error });
}

/** The bus message as an event; a message that is not one can never be handled. */
function parseMessage(value: string): PositionedEvent {
  try {
    return parseEnvelope(value);
  } catch (error) {
    throw new PermanentMessageError(`not a vegvision event envelope: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Reads and decodes a stored original (the bytes were validated when they were accepted). */
@Injectable()
export class Originals {
  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    private readonly commands: ImageCommands,
  ) {}

  async decode(objectKey: string) {
    return decodeImage(await this.storage.get(objectKey), {
      maxBytes: Number.MAX_SAFE_INTEGER,
      maxPixels: this.config.limits.maxPixels,
    });
  }

  /**
   * Like decode, but null when the original is gone because the image was deleted meanwhile
   * (a gone original of an image that exists is still an ObjectNotFoundError).
   */
  async decodeUnlessDeleted(imageId: string, objectKey: string) {
    try {
      return await this.decode(objectKey);
    } catch (error) {
      if (error instanceof ObjectNotFoundError && !(await this.commands.load(imageId)).exists) return null;
      throw error;
    }
  }
}

/**
 * Records a label of an image the worker found alive when it started on it. A deletion recorded
 * meanwhile (ImageNotFoundError, since the image existed when loaded) ends the work; it is not a
 * failure: false, nothing recorded, nothing dead-lettered.
 */
async function recordUnlessDeleted(
  commandBus: CommandBus,
  log: Logger,
  group: string,
  command: RecordClassificationCommand | RecordColoursCommand,
): Promise<boolean> {
  try {
    await commandBus.execute(command);
    return true;
  } catch (error) {
    if (!(error instanceof ImageNotFoundError)) throw error;
    log.info({ group, imageId: command.imageId }, 'image deleted while it was being labelled: nothing recorded');
    return false;
  }
}

/** Base of the bus consumers. */
abstract class Consumer {
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

@Injectable()
export class ClassifierWorker extends Consumer {
  readonly group = 'classifier';
  constructor(
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(CONFIG) config: VegvisionConfig,
    @Inject(LOGGER) log: Logger,
    metrics: Metrics,
    private readonly originals: Originals,
    private readonly classifier: ClassifierProvider,
    private readonly commands: ImageCommands,
    private readonly commandBus: CommandBus,
  ) {
    super(bus, config, log, metrics);
  }

  protected async handle({ event }: PositionedEvent): Promise<void> {
    if (!isEvent(event, 'ImageUploaded')) return;
    const model = await this.classifier.get();
    const state = await this.commands.load(event.data.imageId);
    // Deleted since it was uploaded: nothing to label.
    if (!state.exists || state.classifiedBy.has(model.version)) return;
    const pixels = await this.originals.decodeUnlessDeleted(event.data.imageId, event.data.objectKey);
    if (!pixels) return;
    const result = await model.classify(pixels);
    await recordUnlessDeleted(this.commandBus, this.log, this.group,
      new RecordClassificationCommand(
        event.data.imageId,
        { modelVersion: result.modelVersion, kind: result.kind, confidence: result.confidence, top: result.top },
        { correlationId: event.meta.correlationId, causationId: event.meta.eventId },
      ),
    );
  }
}

@Injectable()
export class ColourWorker extends Consumer {
  readonly group = 'colour';
  constructor(
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(CONFIG) config: VegvisionConfig,
    @Inject(LOGGER) log: Logger,
    metrics: Metrics,
    private readonly originals: Originals,
    private readonly commands: ImageCommands,
    private readonly commandBus: CommandBus,
  ) {
    super(bus, config, log, metrics);
  }

  protected async handle({ event }: PositionedEvent): Promise<void> {
    if (!isEvent(event, 'ImageUploaded')) return;
    const state = await this.commands.load(event.data.imageId);
    const missing = LIVE_COLOUR_VARIANTS.filter((v) => !state.colouredBy.has(ALGORITHM_VERSIONS[v]));
    if (!state.exists || missing.length === 0) return;
    const pixels = await this.originals.decodeUnlessDeleted(event.data.imageId, event.data.objectKey);
    if (!pixels) return;
    for (const variant of missing) {
      const recorded = await recordUnlessDeleted(this.commandBus, this.log, this.group,
        RecordColoursCommand.detect(
          event.data.imageId,
          pixels,
          { correlationId: event.meta.correlationId, causationId: event.meta.eventId },
          variant,
        ),
      );
      if (!recorded) return;
    }
  }
}

/** Events that have reached the read model, for server-sent events. */
@Injectable()
export class LiveEvents {
  readonly events$ = new Subject<PositionedEvent>();
  emit(e: PositionedEvent): void {
    this.events$.next(e);
  }
}

/** Projects every event into the catalog read model, exactly once per event. */
@Injectable()
export class ProjectorWorker extends Consumer {
  readonly group = 'projector';
  constructor(
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(CONFIG) config: VegvisionConfig,
    @Inject(LOGGER) log: Logger,
    metrics: Metrics,
    @Inject(READ_MODEL) private readonly readModel: ReadModel,
    private readonly live: LiveEvents,
  ) {
    super(bus, config, log, metrics);
  }

  protected async handle(e: PositionedEvent): Promise<void> {
    const applied = await this.readModel.project(CATALOG_PROJECTION, e.event, e.position);
    if (applied) this.live.emit(e);
  }
}

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

/** Starts the roles this process is configured for, and stops them in reverse order. */
@Injectable()
export class WorkerSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private started: { stop(): Promise<void> }[] = [];

  constructor(
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly relay: RelayWorker,
    private readonly classifier: ClassifierWorker,
    private readonly colour: ColourWorker,
    private readonly projector: ProjectorWorker,
    private readonly liveFeed: LiveFeedWorker,
    private readonly sweeper: OrphanSweeper,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const roles = new Set<Role>(this.config.roles);
    if (roles.has('api')) {
      // Where uploads are accepted, what interrupted ones left behind is removed (in the background).
      this.sweeper.start();
      this.started.push(this.sweeper);
    }
    if (roles.has('api') && !roles.has('projector')) {
      await this.liveFeed.start();
      this.started.push(this.liveFeed);
    }
    // Consumers subscribe before the relay starts publishing (the in-process bus keeps
    // nothing for groups that are not subscribed yet).
    const order: [Role, { start(): Promise<void>; stop(): Promise<void> }][] = [
      ['projector', this.projector],
      ['classifier', this.classifier],
      ['colour', this.colour],
      ['relay', this.relay],
    ];
    for (const [role, worker] of order) {
      if (!roles.has(role)) continue;
      await worker.start();
      this.started.push(worker);
      this.log.info({ role }, 'role started');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const worker of this.started.reverse()) await worker.stop().catch(() => undefined);
    this.started = [];
  }
}

export type { DomainEvent };
