/** Base class of every error thrown by @vegvision/read-model; `code` is stable, `message` is for humans. */
export class ReadModelError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReadModelError';
  }
}

/** The configuration given to `createReadModel` is unusable. */
export class ReadModelConfigError extends ReadModelError {
  constructor(message: string) {
    super('read_model_config_invalid', message);
    this.name = 'ReadModelConfigError';
  }
}

/** A projection name other than the ones this read model maintains. */
export class UnknownProjectionError extends ReadModelError {
  constructor(readonly projection: string) {
    super('read_model_unknown_projection', `unknown projection "${projection}" (this read model maintains "catalog")`);
    this.name = 'UnknownProjectionError';
  }
}

/**
 * An ImageClassified or ColourDetected event names an image whose ImageUploaded event was
 * never projected. Events arrive in order per image (an image's events share a bus
 * partition), so this means the log or its delivery is broken: the projection stops here
 * instead of losing the event; nothing is written, and a retry after the upload succeeds.
 */
export class UnknownImageError extends ReadModelError {
  constructor(
    readonly imageId: string,
    readonly eventType: string,
    readonly position: number,
  ) {
    super(
      'read_model_unknown_image',
      `${eventType} at position ${position} names image ${imageId}, which has no ImageUploaded projected before it`,
    );
    this.name = 'UnknownImageError';
  }
}

/** An ImageUploaded event for a new image id carries the SHA-256 of an image already projected. */
export class DuplicateSha256Error extends ReadModelError {
  constructor(
    readonly imageId: string,
    readonly existingImageId: string,
    readonly sha256: string,
  ) {
    super(
      'read_model_duplicate_sha256',
      `image ${imageId} has sha256 ${sha256}, already projected for image ${existingImageId}`,
    );
    this.name = 'DuplicateSha256Error';
  }
}

/** An event's payload lacks a required field or holds an unusable value; nothing is written. */
export class InvalidEventError extends ReadModelError {
  constructor(
    readonly eventId: string,
    reason: string,
  ) {
    super('read_model_invalid_event', `event ${eventId}: ${reason}`);
    this.name = 'InvalidEventError';
  }
}

/** A position that is not a non-negative safe integer. */
export class InvalidPositionError extends ReadModelError {
  constructor(readonly position: unknown) {
    super('read_model_invalid_position', `position must be a non-negative safe integer, got ${String(position)}`);
    this.name = 'InvalidPositionError';
  }
}

/** A checkpoint name that is empty or too long. */
export class InvalidCheckpointNameError extends ReadModelError {
  constructor(readonly checkpointName: unknown) {
    super('read_model_invalid_checkpoint_name', `checkpoint name must be a non-empty string of at most 200 characters`);
    this.name = 'InvalidCheckpointNameError';
  }
}

/** `saveCheckpoint` on a projection's own checkpoint, which only `project`/`reset` may move. */
export class ReservedCheckpointError extends ReadModelError {
  constructor(readonly checkpointName: string) {
    super('read_model_reserved_checkpoint', `checkpoint "${checkpointName}" belongs to a projection; only project() moves it`);
    this.name = 'ReservedCheckpointError';
  }
}

/** A sample query outside the accepted shape (count 1..9, colour needs a palette, "#RRGGBB"). */
export class InvalidSampleQueryError extends ReadModelError {
  constructor(message: string) {
    super('read_model_invalid_query', message);
    this.name = 'InvalidSampleQueryError';
  }
}

/** A list or facets query outside the accepted shape (limit, sort, filter values). */
export class InvalidListQueryError extends ReadModelError {
  constructor(message: string) {
    super('read_model_invalid_query', message);
    this.name = 'InvalidListQueryError';
  }
}

/** A list cursor that is not one this read model made, or was made for another sort or other filters. */
export class InvalidCursorError extends ReadModelError {
  constructor(reason: string) {
    super('read_model_invalid_cursor', `invalid cursor: ${reason}; start again without a cursor`);
    this.name = 'InvalidCursorError';
  }
}

/** The read model was used after `close()`. */
export class ReadModelClosedError extends ReadModelError {
  constructor() {
    super('read_model_closed', 'the read model is closed');
    this.name = 'ReadModelClosedError';
  }
}
