// Typed errors of the checkpoint store; each has a stable `code`.

/** A bad checkpoint name or position. */
export class InvalidCheckpointArgumentError extends Error {
  readonly code = 'CHECKPOINT_INVALID_ARGUMENT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCheckpointArgumentError';
  }
}

/** The store was used after close(). */
export class CheckpointStoreClosedError extends Error {
  readonly code = 'CHECKPOINT_STORE_CLOSED' as const;
  constructor() {
    super('the checkpoint store is closed');
    this.name = 'CheckpointStoreClosedError';
  }
}

/** What the store holds cannot be read back (a damaged file). */
export class CheckpointStoreCorruptError extends Error {
  readonly code = 'CHECKPOINT_STORE_CORRUPT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointStoreCorruptError';
  }
}
