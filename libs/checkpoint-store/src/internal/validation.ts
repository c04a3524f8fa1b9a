// Argument checks shared by every adapter, so that all of them accept and reject the same input.
import { MAX_CHECKPOINT_NAME_LENGTH } from '../checkpoint-store.port';
import { InvalidCheckpointArgumentError } from '../errors';

// NUL and lone surrogates cannot be stored faithfully by PostgreSQL text (nor encoded as UTF-8).
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function assertCheckpointName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '') throw new InvalidCheckpointArgumentError('a checkpoint name is a non-empty string');
  if (name.length > MAX_CHECKPOINT_NAME_LENGTH) {
    throw new InvalidCheckpointArgumentError(`a checkpoint name has at most ${MAX_CHECKPOINT_NAME_LENGTH} characters`);
  }
  if (UNSTORABLE.test(name)) throw new InvalidCheckpointArgumentError('a checkpoint name cannot hold a NUL character or a lone surrogate');
}

export function assertCheckpointPosition(position: unknown): asserts position is number {
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) {
    throw new InvalidCheckpointArgumentError(`a checkpoint position is a safe integer >= 0, got ${String(position)}`);
  }
}
