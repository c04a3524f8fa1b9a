// The message bus port. Adapters: in-process (embedded mode) and Kafka (distributed mode);
// both pass the contract suite in ./testing/bus.contract.ts.

export interface OutgoingMessage {
  /** Partitioning key: messages with the same key are delivered in publish order. */
  key: string;
  /** UTF-8 JSON text. */
  value: string;
  headers?: Record<string, string>;
}

export interface IncomingMessage extends OutgoingMessage {
  topic: string;
  /** 1-based delivery attempt for this consumer group. */
  attempt: number;
}

export interface SubscribeOptions {
  topic: string;
  /** Consumer group: every group receives every message; within a group each message is handled once. */
  group: string;
  /** Attempts before a message goes to the dead-letter topic `${topic}.dlq` (default 5). */
  maxAttempts?: number;
  /** Delay before a retry, ms (default 200, doubling, capped at 5 s). */
  retryBackoffMs?: number;
}

export interface BusSubscription {
  /** Stops consuming; resolves when the handler in flight has finished. */
  stop(): Promise<void>;
}

export interface MessageBus {
  /**
   * Publishes messages; resolves when the bus has durably accepted them (Kafka: acks from the
   * broker; in-process: once every subscribed group has handled them or dead-lettered them).
   */
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;

  /**
   * Subscribes a handler for a consumer group. A message counts as done only when the handler
   * resolves (offsets are committed after the work is durable); a rejecting handler is retried
   * up to maxAttempts (a permanent failure, see isPermanentFailure, on the first attempt already),
   * then the message is published to `${topic}.dlq` with headers
   * `x-error`, `x-original-topic`, `x-group`, and consumption goes on.
   */
  subscribe(options: SubscribeOptions, handler: (message: IncomingMessage) => Promise<void>): Promise<BusSubscription>;

  /** Readiness: resolves when the bus can accept messages. */
  ping(): Promise<void>;

  /**
   * Messages of `topic` that consumer group `group` has not committed yet, where the bus can
   * measure it (Kafka: end offsets minus committed offsets, summed over partitions). Absent on
   * buses without a durable log (in-process).
   */
  lag?(group: string, topic: string): Promise<number>;

  close(): Promise<void>;
}

export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;
