// Typed errors of the bus adapters. Each has a stable `code` callers can switch on.

export abstract class BusError extends Error {
  abstract readonly code: string;
}

/** A call on a bus after close(). */
export class BusClosedError extends BusError {
  readonly code = 'BUS_CLOSED';
  constructor() {
    super('the message bus is closed');
    this.name = 'BusClosedError';
  }
}

/** Bad arguments: an illegal topic name, a message that is not { key: string, value: string }, bad options. */
export class BusInvalidArgumentError extends BusError {
  readonly code = 'BUS_INVALID_ARGUMENT';
  constructor(message: string) {
    super(message);
    this.name = 'BusInvalidArgumentError';
  }
}

/**
 * In-process bus: a message was queued for a consumer group whose last subscriber stopped before
 * the message was handled. The publish rejects, so the publisher's checkpoint does not move past it.
 */
export class BusNoSubscriberError extends BusError {
  readonly code = 'BUS_NO_SUBSCRIBER';
  constructor(
    readonly topic: string,
    readonly group: string,
  ) {
    super(`no subscriber left in group "${group}" for topic "${topic}"; message not handled`);
    this.name = 'BusNoSubscriberError';
  }
}

/**
 * Kafka bus: a topic exists with another partition count than the bus is configured for. The
 * partition count bounds the consumers of a group that get work, and a key's partition depends
 * on it, so the bus refuses to guess.
 */
export class BusTopicMismatchError extends BusError {
  readonly code = 'BUS_TOPIC_MISMATCH';
  constructor(
    readonly topic: string,
    readonly actualPartitions: number,
    readonly configuredPartitions: number,
  ) {
    super(
      `Kafka topic "${topic}" has ${actualPartitions} partition(s) but ${configuredPartitions} are configured ` +
        `(VEGVISION_KAFKA_PARTITIONS): set VEGVISION_KAFKA_PARTITIONS=${actualPartitions} to use the topic as it is, ` +
        `or add partitions to it (kafka-topics.sh --alter --topic ${topic} --partitions ${configuredPartitions}) while nothing is in flight ` +
        '(a key may move to another partition); partitions can never be removed',
    );
    this.name = 'BusTopicMismatchError';
  }
}

/** Kafka bus: subscribe() gave up waiting for the consumer to join its group. */
export class BusGroupJoinTimeoutError extends BusError {
  readonly code = 'BUS_GROUP_JOIN_TIMEOUT';
  constructor(
    readonly group: string,
    readonly timeoutMs: number,
  ) {
    super(`consumer did not join group "${group}" within ${timeoutMs} ms`);
    this.name = 'BusGroupJoinTimeoutError';
  }
}

/**
 * Thrown by a handler for a message that can never succeed (it cannot be parsed, its image is
 * gone or corrupt, it breaks a domain rule). The bus dead-letters it at once instead of
 * retrying it maxAttempts times: retries are for failures that time can cure (a server down).
 */
export class PermanentMessageError extends BusError {
  readonly code = 'BUS_PERMANENT_FAILURE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentMessageError';
  }
}

/** True for a failure no retry can cure: a PermanentMessageError, or any error marked `permanent: true`. */
export function isPermanentFailure(error: unknown): boolean {
  if (error instanceof PermanentMessageError) return true;
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}
