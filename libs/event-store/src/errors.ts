// Typed errors of the event store adapters besides the two of the port
// (WrongExpectedRevisionError, EventIdConflictError). Each has a stable `code`.

/** Bad input to an event store call (stream id, event, expected revision, read options). */
export class InvalidEventStoreArgumentError extends Error {
  readonly code = 'EVENT_STORE_INVALID_ARGUMENT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventStoreArgumentError';
  }
}

/** The store was used after close(). */
export class EventStoreClosedError extends Error {
  readonly code = 'EVENT_STORE_CLOSED' as const;
  constructor() {
    super('the event store is closed');
    this.name = 'EventStoreClosedError';
  }
}

/** The file store is held by another live process (or another instance in this process). */
export class EventStoreLockedError extends Error {
  readonly code = 'EVENT_STORE_LOCKED' as const;
  constructor(
    readonly lockPath: string,
    readonly ownerPid: number | undefined,
  ) {
    super(
      `event store is locked by ${ownerPid === undefined ? 'another instance' : `process ${ownerPid}`} (lock file ${lockPath}); ` +
        'only one process may open a file event store; remove the lock file only if that process is gone',
    );
    this.name = 'EventStoreLockedError';
  }
}

/** The stored data is damaged in a way that is not a torn write at the end of the log. */
export class EventStoreCorruptError extends Error {
  readonly code = 'EVENT_STORE_CORRUPT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'EventStoreCorruptError';
  }
}

/** A previous write failed and could not be rolled back: the store refuses further appends. */
export class EventStoreFailedError extends Error {
  readonly code = 'EVENT_STORE_FAILED' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreFailedError';
  }
}

/** A position the JavaScript number of the port cannot represent exactly (beyond 2^53 - 1). */
export class PositionOutOfRangeError extends Error {
  readonly code = 'EVENT_STORE_POSITION_OUT_OF_RANGE' as const;
  constructor(readonly value: bigint | string) {
    super(`position ${value} exceeds Number.MAX_SAFE_INTEGER and cannot be represented by the port`);
    this.name = 'PositionOutOfRangeError';
  }
}

/** Rejection of `caughtUp` when the subscription was stopped before it caught up. */
export class SubscriptionStoppedError extends Error {
  readonly code = 'SUBSCRIPTION_STOPPED' as const;
  constructor() {
    super('the subscription was stopped before it caught up');
    this.name = 'SubscriptionStoppedError';
  }
}
