// Argument checks shared by every adapter, so that all of them accept and reject the same input.
import { DATA_KEY_BYTES, MAX_KEY_ID_LENGTH } from '../key-store.port';
import { InvalidKeyStoreArgumentError, KeyStoreCorruptError } from '../errors';

// NUL and lone surrogates cannot be stored faithfully by PostgreSQL text (nor encoded as UTF-8).
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function assertKeyId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.trim() === '') throw new InvalidKeyStoreArgumentError('a key id is a non-empty string');
  if (id.length > MAX_KEY_ID_LENGTH) throw new InvalidKeyStoreArgumentError(`a key id has at most ${MAX_KEY_ID_LENGTH} characters`);
  if (UNSTORABLE.test(id)) throw new InvalidKeyStoreArgumentError('a key id cannot hold a NUL character or a lone surrogate');
}

/** A key read back from storage: exactly DATA_KEY_BYTES bytes, else the store is damaged. */
export function checkedKey(key: Buffer, id: string): Buffer {
  if (key.length !== DATA_KEY_BYTES) throw new KeyStoreCorruptError(`the key of "${id}" has ${key.length} bytes, not ${DATA_KEY_BYTES}`);
  return key;
}
