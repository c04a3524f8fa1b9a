// Distributed-mode bus on Apache Kafka (kafkajs).
//
// - Producer: idempotent, acks=all, kafkajs' default (Java-compatible murmur2) partitioner, so
//   one key always lands on one partition and keeps its order.
// - Topics (and their `.dlq`) are created through the admin client before the first publish or
//   subscribe on them (`partitions` each, default 12; replication from the broker default). A
//   topic that exists already is checked: another partition count is a BusTopicMismatchError.
//   The partition count bounds the consumers of one group that get work (one partition is
//   consumed by one group member at a time); keys keep their order because one key always maps
//   to one partition.
// - One kafkajs consumer per subscribe(), in the given consumer group, autoCommit off. Each
//   message runs the handler with bounded retries + backoff; its offset is committed only after
//   the handler succeeded or the message was dead-lettered. Delivery is at-least-once: a crash or
//   rebalance between handler and commit redelivers, so handlers must be idempotent (by key/id).
// - A new group starts from the beginning of the topic.
// - Broker connection loss is retried generously (producer sends retry; consumers restart and
//   rejoin, and are rebuilt if kafkajs gives up on them).
import {
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachMessagePayload,
  type IHeaders,
  type LogEntry,
  type Producer,
  type RetryOptions,
} from 'kafkajs';
import {
  deadLetterTopic,
  type BusSubscription,
  type IncomingMessage,
  type MessageBus,
  type OutgoingMessage,
  type SubscribeOptions,
} from './bus.port';
import { BusClosedError, BusGroupJoinTimeoutError, BusInvalidArgumentError, BusTopicMismatchError, isPermanentFailure } from './errors';
import {
  assertValidMessages,
  assertValidTopic,
  backoffDelay,
  consoleLogger,
  deadLetterHeaders,
  errorText,
  resolveSubscribeOptions,
  Sleeper,
  type BusLogger,
  type ResolvedSubscribeOptions,
} from './shared';

export interface KafkaBusOptions {
  brokers: string[];
  /** Default 'vegvision'. */
  clientId?: string;
  /** Partitions of topics this bus creates, and expects of topics that exist (default 12). */
  partitions?: number;
  /** Replication factor of topics this bus creates (default: the broker's default). */
  replicationFactor?: number;
  /** Where kafkajs and the bus log (default: console, warnings and errors only). */
  logger?: BusLogger;
  /** kafkajs log level (default WARN). */
  logLevel?: KafkaLogLevel;
  /** Retry policy for broker requests (default: 300 ms doubling up to 5 s, 40 retries ≈ 3 min). */
  retry?: RetryOptions;
  /** Consumer group timing (ms). Defaults: session 15000, rebalance 30000, heartbeat 1000, maxWait 1000. */
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  heartbeatInterval?: number;
  maxWaitTimeInMs?: number;
  /** Partitions one subscription handles concurrently (each partition stays serial); default 3. */
  partitionsConsumedConcurrently?: number;
  /** How long subscribe() waits for the consumer to join its group (default 60 s). */
  groupJoinTimeoutMs?: number;
}

type Handler = (message: IncomingMessage) => Promise<void>;

/** Room for 12 consumers per group (the most that get work) on a fresh install. */
export const DEFAULT_KAFKA_PARTITIONS = 12;

const DEFAULT_RETRY: RetryOptions = { initialRetryTime: 300, maxRetryTime: 5000, retries: 40, multiplier: 2, factor: 0.2 };

// kafkajs warns about bounded retries on an idempotent producer; the bound is deliberate (a
// publish must fail eventually so its caller can retry instead of hanging forever).
const SUPPRESSED_LOGS = ['Limiting retries for the idempotent producer'];

function kafkaLogCreator(logger: BusLogger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...extra } = log;
      if (SUPPRESSED_LOGS.some((s) => message.startsWith(s))) return;
      const meta = { namespace, ...extra };
      const text = `kafkajs: ${message}`;
      if (level === KafkaLogLevel.ERROR) logger.error(text, meta);
      else if (level === KafkaLogLevel.WARN) logger.warn(text, meta);
      else if (level === KafkaLogLevel.INFO) logger.info(text, meta);
      else logger.debug?.(text, meta);
    };
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (v === undefined) continue;
    out[name] = typeof v === 'string' ? v : v.toString('utf8');
  }
  return out;
}

export class KafkaBus implements MessageBus {
  readonly kafka: Kafka;
  readonly logger: BusLogger;
  private readonly options: KafkaBusOptions;
  private readonly partitions: number;
  private readonly retry: RetryOptions;
  private producer: Producer | null = null;
  private producerReady: Promise<Producer> | null = null;
  private adminReady: Promise<Admin> | null = null;
  private admin: Admin | null = null;
  private readonly topicsReady = new Map<string, Promise<void>>();
  private readonly subscriptions = new Set<KafkaSubscription>();
  private closed = false;

  constructor(options: KafkaBusOptions) {
    if (!Array.isArray(options?.brokers) || options.brokers.length === 0 || options.brokers.some((b) => typeof b !== 'string' || !b)) {
      throw new BusInvalidArgumentError('brokers must be a non-empty array of "host:port" strings');
    }
    this.options = options;
    this.partitions = options.partitions ?? DEFAULT_KAFKA_PARTITIONS;
    if (!Number.isInteger(this.partitions) || this.partitions < 1) {
      throw new BusInvalidArgumentError(`partitions must be an integer >= 1, got ${options.partitions}`);
    }
    this.logger = options.logger ?? consoleLogger;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'vegvision',
      brokers: options.brokers,
      logLevel: options.logLevel ?? KafkaLogLevel.WARN,
      logCreator: kafkaLogCreator(this.logger),
      retry: this.retry,
      connectionTimeout: 5000,
      requestTimeout: 30000,
    });
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    assertValidTopic(topic);
    assertValidMessages(messages);
    if (messages.length === 0) return;
    await this.ensureTopic(topic);
    const producer = await this.getProducer();
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...(m.headers ?? {}) } })),
    });
  }

  async subscribe(options: SubscribeOptions, handler: Handler): Promise<BusSubscription> {
    this.assertOpen();
    const resolved = resolveSubscribeOptions(options);
    if (typeof handler !== 'function') throw new BusInvalidArgumentError('handler must be a function');
    await this.ensureTopic(resolved.topic);
    await this.ensureTopic(deadLetterTopic(resolved.topic));
    const subscription = new KafkaSubscription(this, resolved, handler, {
      sessionTimeout: this.options.sessionTimeout ?? 15000,
      rebalanceTimeout: this.options.rebalanceTimeout ?? 30000,
      heartbeatInterval: this.options.heartbeatInterval ?? 1000,
      maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 1000,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      groupJoinTimeoutMs: this.options.groupJoinTimeoutMs ?? 60000,
      retry: this.retry,
    });
    this.subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (error) {
      this.subscriptions.delete(subscription);
      await subscription.stop().catch(() => undefined);
      throw error;
    }
    return {
      stop: async () => {
        await subscription.stop();
        this.subscriptions.delete(subscription);
      },
    };
  }

  async ping(): Promise<void> {
    this.assertOpen();
    const admin = await this.getAdmin();
    await admin.describeCluster();
  }

  /** Messages of `topic` not yet committed by `group`: sum over partitions of end offset − committed offset. */
  async lag(group: string, topic: string): Promise<number> {
    this.assertOpen();
    assertValidTopic(topic);
    const admin = await this.getAdmin();
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId: group, topics: [topic] }),
    ]);
    const committedBy = new Map<number, bigint>();
    for (const p of committed.find((c) => c.topic === topic)?.partitions ?? []) {
      committedBy.set(p.partition, BigInt(p.offset));
    }
    let lag = 0n;
    for (const p of ends) {
      const end = BigInt(p.high);
      const c = committedBy.get(p.partition) ?? -1n;
      const from = c >= 0n ? c : BigInt(p.low);
      if (end > from) lag += end - from;
    }
    return Number(lag);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
    const disconnects: Promise<void>[] = [];
    if (this.producerReady) disconnects.push(this.producerReady.then((p) => p.disconnect()));
    if (this.adminReady) disconnects.push(this.adminReady.then((a) => a.disconnect()));
    const results = await Promise.allSettled(disconnects);
    for (const r of results) {
      if (r.status === 'rejected') this.logger.warn('disconnect failed', { error: errorText(r.reason) });
    }
  }

  /** Publishes a dead letter for a subscription (called before the original's offset is committed). */
  async deadLetter(topic: string, group: string, message: OutgoingMessage, error: unknown, attempts: number): Promise<void> {
    const dlq = deadLetterTopic(topic);
    this.logger.warn('message dead-lettered', { topic, group, key: message.key, attempts, error: errorText(error) });
    await this.ensureTopic(dlq);
    const producer = await this.getProducer();
    await producer.send({
      topic: dlq,
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers: deadLetterHeaders(message.headers, topic, group, error, attempts) }],
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new BusClosedError();
  }

  private getProducer(): Promise<Producer> {
    if (!this.producerReady) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: this.retry,
      });
      this.producer = producer;
      this.producerReady = producer.connect().then(
        () => producer,
        (error) => {
          this.producerReady = null;
          throw error;
        },
      );
    }
    return this.producerReady;
  }

  private getAdmin(): Promise<Admin> {
    if (!this.adminReady) {
      const admin = this.kafka.admin({ retry: this.retry });
      this.admin = admin;
      this.adminReady = admin.connect().then(
        () => admin,
        (error) => {
          this.adminReady = null;
          throw error;
        },
      );
    }
    return this.adminReady;
  }

  /** Waits until every partition of `topic` has a leader (30 s at most); its partition count. */
  private async waitForTopic(admin: Admin, topic: string): Promise<number> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
        const partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
        if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return partitions.length;
      } catch (error) {
        const type = (error as { type?: unknown }).type;
        if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw error;
      }
      if (Date.now() > deadline) throw new Error(`Kafka topic "${topic}" has no leader for every partition after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private ensureTopic(topic: string): Promise<void> {
    let ready = this.topicsReady.get(topic);
    if (!ready) {
      ready = (async () => {
        const admin = await this.getAdmin();
        // Listing first keeps kafkajs from logging every start's TOPIC_ALREADY_EXISTS as an error.
        if (!(await admin.listTopics()).includes(topic)) {
          await admin.createTopics({
            // kafkajs' own wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a just-created topic
            // with many partitions answers for a moment: waitForTopic below waits through it.
            waitForLeaders: false,
            topics: [
              {
                topic,
                numPartitions: this.partitions,
                ...(this.options.replicationFactor ? { replicationFactor: this.options.replicationFactor } : {}),
              },
            ],
          });
        }
        // Created now or long ago (another process, an earlier deployment): check what it is.
        const actual = await this.waitForTopic(admin, topic);
        if (actual !== this.partitions) throw new BusTopicMismatchError(topic, actual, this.partitions);
      })();
      this.topicsReady.set(topic, ready);
      ready.catch(() => this.topicsReady.delete(topic));
    }
    return ready;
  }
}

interface ConsumerSettings {
  sessionTimeout: number;
  rebalanceTimeout: number;
  heartbeatInterval: number;
  maxWaitTimeInMs: number;
  partitionsConsumedConcurrently: number;
  groupJoinTimeoutMs: number;
  retry: RetryOptions;
}

class KafkaSubscription {
  private consumer: Consumer | null = null;
  private stopped = false;
  private stopping: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sleeper = new Sleeper();
  private rebuildTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bus: KafkaBus,
    private readonly options: ResolvedSubscribeOptions,
    private readonly handler: Handler,
    private readonly settings: ConsumerSettings,
  ) {}

  /** Creates the consumer and resolves once it has joined its group. */
  async start(): Promise<void> {
    const { topic, group } = this.options;
    const s = this.settings;
    const consumer = this.bus.kafka.consumer({
      groupId: group,
      sessionTimeout: s.sessionTimeout,
      rebalanceTimeout: s.rebalanceTimeout,
      heartbeatInterval: s.heartbeatInterval,
      maxWaitTimeInMs: s.maxWaitTimeInMs,
      allowAutoTopicCreation: false,
      retry: { ...s.retry, restartOnFailure: async () => !this.stopped },
    });
    this.consumer = consumer;

    let joined = false;
    let removeJoin = () => undefined as unknown;
    let removeEarlyCrash = () => undefined as unknown;
    const joinedPromise = new Promise<void>((resolve, reject) => {
      removeJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
        resolve();
      });
      removeEarlyCrash = consumer.on(consumer.events.CRASH, (event) => {
        if (!joined && !event.payload.restart) reject(event.payload.error);
      });
    });
    joinedPromise.catch(() => undefined);
    consumer.on(consumer.events.CRASH, (event) => {
      if (joined && !event.payload.restart && !this.stopped) this.scheduleRebuild(consumer, event.payload.error);
    });

    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: s.partitionsConsumedConcurrently,
        eachMessage: (payload) => this.onMessage(consumer, payload),
      });
      await Promise.race([
        joinedPromise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new BusGroupJoinTimeoutError(group, s.groupJoinTimeoutMs)), s.groupJoinTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      removeJoin();
      removeEarlyCrash();
    }
  }

  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopped = true;
      this.sleeper.wakeAll();
      if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
      this.stopping = (async () => {
        // Let the handlers in flight finish (and commit), then leave the group.
        await Promise.allSettled([...this.inFlight]);
        await this.consumer?.disconnect().catch((error) =>
          this.bus.logger.warn('consumer disconnect failed', { group: this.options.group, error: errorText(error) }),
        );
      })();
    }
    return this.stopping;
  }

  /** kafkajs gave up restarting this consumer: build a fresh one after a pause. */
  private scheduleRebuild(crashed: Consumer, error: Error): void {
    if (this.rebuildTimer || this.consumer !== crashed) return;
    this.bus.logger.error('consumer crashed without restart; rebuilding', { group: this.options.group, error: errorText(error) });
    this.rebuildTimer = setTimeout(async () => {
      this.rebuildTimer = null;
      if (this.stopped) return;
      await crashed.disconnect().catch(() => undefined);
      try {
        await this.start();
      } catch (e) {
        this.bus.logger.error('consumer rebuild failed; retrying', { group: this.options.group, error: errorText(e) });
        if (!this.stopped && this.consumer) this.scheduleRebuild(this.consumer, e as Error);
      }
    }, 5000);
  }

  private onMessage(consumer: Consumer, payload: EachMessagePayload): Promise<void> {
    if (this.stopped) return Promise.resolve(); // not committed: the group gets it again later
    const p = this.handle(consumer, payload);
    this.inFlight.add(p);
    return p.finally(() => this.inFlight.delete(p));
  }

  private async handle(consumer: Consumer, { topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const { group, maxAttempts, retryBackoffMs } = this.options;
    const outgoing: OutgoingMessage = {
      key: message.key?.toString('utf8') ?? '',
      value: message.value?.toString('utf8') ?? '',
      headers: headerText(message.headers),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handler({ topic, key: outgoing.key, value: outgoing.value, headers: { ...outgoing.headers }, attempt });
        break;
      } catch (error) {
        if (attempt >= maxAttempts || isPermanentFailure(error)) {
          // If this throws the offset is not committed and the message comes again.
          await this.bus.deadLetter(topic, group, outgoing, error, attempt);
          break;
        }
        this.bus.logger.debug?.('handler failed, retrying', { topic, group, partition, attempt, error: errorText(error) });
        await this.sleeper.sleep(backoffDelay(attempt, retryBackoffMs));
        if (this.stopped) return; // not committed: redelivered to the group later
        await heartbeat();
      }
    }
    await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  }
}
