// Embedded-mode bus: everything in this process, nothing persisted.
//
// - Each (topic, group) has N "partitions" (default 8), each a serial queue; a message goes to
//   partition hash(key) % N, so messages with one key are handled in publish order while
//   different keys run concurrently.
// - A group with several subscribers assigns partitions round-robin over them (partition p goes
//   to subscriber p % n at delivery time), so each message is handled once per group.
// - publish() resolves once every group subscribed at publish time has handled (or dead-lettered)
//   every message; it rejects if a group lost its last subscriber before handling a message, or
//   the bus closed. A publisher may therefore move its checkpoint as soon as publish resolves.
// - Groups that have no subscriber when a message is published never see it (nothing is kept).
// - A failing handler is retried with backoff up to maxAttempts (a permanent failure, see
//   isPermanentFailure, is not retried), then the message is published
//   to `${topic}.dlq` on this same bus and kept in an in-memory ring (deadLetters()).
//
// Re-entrancy: a handler may publish to the topic it consumes; when the message lands on the
// very partition queue the handler runs on, that delivery is not awaited (it would deadlock) —
// it runs after the handler. Cycles across topics (A's handler awaits B's, whose handler
// publishes back onto A's busy partition) still deadlock: avoid them.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  deadLetterTopic,
  type BusSubscription,
  type IncomingMessage,
  type MessageBus,
  type OutgoingMessage,
  type SubscribeOptions,
} from './bus.port';
import { BusClosedError, BusInvalidArgumentError, BusNoSubscriberError, isPermanentFailure } from './errors';
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

export interface InProcessBusOptions {
  /** Serial queues per (topic, group); default 8. */
  partitions?: number;
  /** How many dead letters deadLetters() keeps (oldest dropped first); default 1000. */
  deadLetterCapacity?: number;
  logger?: BusLogger;
}

export interface DeadLetter {
  /** The dead-letter topic (`${originalTopic}.dlq`). */
  topic: string;
  originalTopic: string;
  group: string;
  key: string;
  value: string;
  /** Original headers plus x-error, x-original-topic, x-group, x-attempts. */
  headers: Record<string, string>;
  error: string;
  attempts: number;
  at: Date;
}

type Handler = (message: IncomingMessage) => Promise<void>;

interface QueueItem {
  message: OutgoingMessage;
  resolve(): void;
  reject(error: unknown): void;
}

class Subscriber {
  stopped = false;
  readonly inFlight = new Set<Promise<unknown>>();
  readonly sleeper = new Sleeper();
  stopping: Promise<void> | null = null;

  constructor(
    readonly options: ResolvedSubscribeOptions,
    readonly handler: Handler,
  ) {}

  /** Runs the handler, tracked so stop() can wait for it. */
  async run(message: IncomingMessage): Promise<void> {
    const p = (async () => this.handler(message))();
    this.inFlight.add(p);
    try {
      await p;
    } finally {
      this.inFlight.delete(p);
    }
  }
}

class PartitionQueue {
  private readonly items: QueueItem[] = [];
  private running = false;

  constructor(
    readonly index: number,
    private readonly deliver: (queue: PartitionQueue, message: OutgoingMessage) => Promise<void>,
  ) {}

  enqueue(message: OutgoingMessage): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.items.push({ message, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let item = this.items.shift(); item; item = this.items.shift()) {
        try {
          await this.deliver(this, item.message);
          item.resolve();
        } catch (error) {
          item.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

class GroupState {
  readonly subscribers: Subscriber[] = [];
  readonly partitions: PartitionQueue[];

  constructor(
    readonly topic: string,
    readonly name: string,
    partitionCount: number,
    deliver: (group: GroupState, queue: PartitionQueue, message: OutgoingMessage) => Promise<void>,
  ) {
    this.partitions = Array.from(
      { length: partitionCount },
      (_, i) => new PartitionQueue(i, (queue, message) => deliver(this, queue, message)),
    );
  }

  subscriberFor(partition: number): Subscriber | undefined {
    const live = this.subscribers;
    return live.length === 0 ? undefined : live[partition % live.length];
  }
}

/** FNV-1a over the UTF-16 code units of the key. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const copyMessage = (m: OutgoingMessage): OutgoingMessage => ({
  key: m.key,
  value: m.value,
  headers: m.headers ? { ...m.headers } : {},
});

export class InProcessBus implements MessageBus {
  private readonly partitionCount: number;
  private readonly deadLetterCapacity: number;
  private readonly logger: BusLogger;
  /** topic → group → state */
  private readonly topics = new Map<string, Map<string, GroupState>>();
  private readonly subscribers = new Set<Subscriber>();
  private readonly dlq: DeadLetter[] = [];
  /** The partition queue whose handler is running in the current async context. */
  private readonly currentQueue = new AsyncLocalStorage<PartitionQueue>();
  private closed = false;

  constructor(options: InProcessBusOptions = {}) {
    this.partitionCount = options.partitions ?? 8;
    this.deadLetterCapacity = options.deadLetterCapacity ?? 1000;
    if (!Number.isInteger(this.partitionCount) || this.partitionCount < 1) {
      throw new BusInvalidArgumentError(`partitions must be an integer >= 1, got ${options.partitions}`);
    }
    if (!Number.isInteger(this.deadLetterCapacity) || this.deadLetterCapacity < 0) {
      throw new BusInvalidArgumentError(`deadLetterCapacity must be an integer >= 0, got ${options.deadLetterCapacity}`);
    }
    this.logger = options.logger ?? consoleLogger;
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    assertValidTopic(topic);
    assertValidMessages(messages);
    const groups = this.topics.get(topic);
    if (!groups || messages.length === 0) return;
    const current = this.currentQueue.getStore();
    const awaited: Promise<void>[] = [];
    // Enqueue everything synchronously, in order, before awaiting anything: this is what keeps
    // per-key order across concurrent publish() calls.
    for (const message of messages) {
      const partition = hashKey(message.key) % this.partitionCount;
      for (const group of groups.values()) {
        const queue = group.partitions[partition];
        const delivery = queue.enqueue(copyMessage(message));
        if (queue === current) {
          delivery.catch((error) =>
            this.logger.error('re-entrant delivery failed', { topic, group: group.name, error: errorText(error) }),
          );
        } else {
          awaited.push(delivery);
        }
      }
    }
    const results = await Promise.allSettled(awaited);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async subscribe(options: SubscribeOptions, handler: Handler): Promise<BusSubscription> {
    this.assertOpen();
    const resolved = resolveSubscribeOptions(options);
    if (typeof handler !== 'function') throw new BusInvalidArgumentError('handler must be a function');
    const subscriber = new Subscriber(resolved, handler);
    let groups = this.topics.get(resolved.topic);
    if (!groups) {
      groups = new Map();
      this.topics.set(resolved.topic, groups);
    }
    let group = groups.get(resolved.group);
    if (!group) {
      group = new GroupState(resolved.topic, resolved.group, this.partitionCount, (g, q, m) => this.deliver(g, q, m));
      groups.set(resolved.group, group);
    }
    group.subscribers.push(subscriber);
    this.subscribers.add(subscriber);
    const state = group;
    return { stop: () => this.stopSubscriber(state, subscriber) };
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.subscribers];
    await Promise.all(all.map((s) => this.stopSubscriber(this.topics.get(s.options.topic)?.get(s.options.group), s)));
  }

  /** The most recent dead letters, oldest first (a copy). */
  deadLetters(): DeadLetter[] {
    return this.dlq.map((d) => ({ ...d, headers: { ...d.headers } }));
  }

  private assertOpen(): void {
    if (this.closed) throw new BusClosedError();
  }

  private stopSubscriber(group: GroupState | undefined, subscriber: Subscriber): Promise<void> {
    if (subscriber.stopping) return subscriber.stopping;
    subscriber.stopped = true;
    this.subscribers.delete(subscriber);
    if (group) {
      const i = group.subscribers.indexOf(subscriber);
      if (i >= 0) group.subscribers.splice(i, 1);
      if (group.subscribers.length === 0) {
        // Forget the group: later publishes skip it; messages already queued for it fail with
        // BusNoSubscriberError, so their publishers do not treat them as done.
        const groups = this.topics.get(group.topic);
        if (groups?.get(group.name) === group) groups.delete(group.name);
        if (groups && groups.size === 0) this.topics.delete(group.topic);
      }
    }
    subscriber.sleeper.wakeAll();
    subscriber.stopping = Promise.allSettled([...subscriber.inFlight]).then(() => undefined);
    return subscriber.stopping;
  }

  private async deliver(group: GroupState, queue: PartitionQueue, message: OutgoingMessage): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new BusClosedError();
      const subscriber = group.subscriberFor(queue.index);
      if (!subscriber) throw new BusNoSubscriberError(group.topic, group.name);
      const incoming: IncomingMessage = {
        topic: group.topic,
        key: message.key,
        value: message.value,
        headers: { ...message.headers },
        attempt,
      };
      try {
        await this.currentQueue.run(queue, () => subscriber.run(incoming));
        return;
      } catch (error) {
        const { maxAttempts, retryBackoffMs } = subscriber.options;
        if (attempt >= maxAttempts || isPermanentFailure(error)) {
          await this.deadLetter(group, message, error, attempt);
          return;
        }
        this.logger.debug?.('handler failed, retrying', {
          topic: group.topic,
          group: group.name,
          key: message.key,
          attempt,
          error: errorText(error),
        });
        await subscriber.sleeper.sleep(backoffDelay(attempt, retryBackoffMs));
      }
    }
  }

  private async deadLetter(group: GroupState, message: OutgoingMessage, error: unknown, attempts: number): Promise<void> {
    const topic = deadLetterTopic(group.topic);
    const headers = deadLetterHeaders(message.headers, group.topic, group.name, error, attempts);
    this.logger.warn('message dead-lettered', { topic: group.topic, group: group.name, key: message.key, attempts });
    if (this.deadLetterCapacity > 0) {
      this.dlq.push({
        topic,
        originalTopic: group.topic,
        group: group.name,
        key: message.key,
        value: message.value,
        headers: { ...headers },
        error: headers['x-error'],
        attempts,
        at: new Date(),
      });
      if (this.dlq.length > this.deadLetterCapacity) this.dlq.splice(0, this.dlq.length - this.deadLetterCapacity);
    }
    try {
      await this.publish(topic, [{ key: message.key, value: message.value, headers }]);
    } catch (e) {
      // The dead letter is in the ring; a failing DLQ consumer must not block this partition.
      this.logger.error('dead-letter delivery failed', { topic, error: errorText(e) });
    }
  }
}
