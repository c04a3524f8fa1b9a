// The object storage port for originals. Adapters: local directory (embedded mode) and
// S3 (distributed mode); both pass the contract suite in ./testing/storage.contract.ts.

export interface ObjectInfo {
  key: string;
  size: number;
  contentType: string;
}

/** One entry of listObjects(). */
export interface ListedObject {
  key: string;
  size: number;
  /** When the object was last written (a put() of the same key renews it). */
  lastModified: Date;
}

export interface ObjectStorage {
  /** Stores bytes atomically under key (a reader never sees a partial object). Overwrites. */
  put(key: string, body: Buffer, options: { contentType: string }): Promise<void>;

  /** @throws ObjectNotFoundError */
  get(key: string): Promise<Buffer>;

  // Every method taking a key throws InvalidObjectKeyError for a key assertValidKey refuses.

  /** Metadata, or null when absent. */
  head(key: string): Promise<ObjectInfo | null>;

  /** Removes the object; no error when absent. */
  delete(key: string): Promise<void>;

  /** Keys under a prefix (plain string prefix, not only whole segments), in lexicographic order. */
  list(prefix?: string): AsyncIterable<string>;

  /** The objects list(prefix) names, in the same order, with their size and last write time. */
  listObjects(prefix?: string): AsyncIterable<ListedObject>;

  /**
   * Removes what put() calls that never finished (the process was killed mid-write) left behind
   * and last touched before `olderThan`; returns how many were removed. Never touches a stored
   * object, and never what a put() still running is writing if `olderThan` lies before it began.
   */
  removeIncompleteWrites(olderThan: Date): Promise<number>;

  /**
   * A temporary link that lets anyone GET the object until it expires. Links are signed:
   * a link whose key, expiry or signature was altered is refused.
   * expiresInSeconds: an integer from 1 to 604800 (7 days, S3's limit), else InvalidStorageArgumentError.
   */
  presignGet(key: string, options: { expiresInSeconds: number }): Promise<string>;

  /** Readiness probe. */
  ping(): Promise<void>;

  close(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  readonly code = 'OBJECT_NOT_FOUND';
  constructor(readonly key: string) {
    super(`object "${key}" not found`);
    this.name = 'ObjectNotFoundError';
  }
}

export class InvalidObjectKeyError extends Error {
  readonly code = 'INVALID_OBJECT_KEY';
  constructor(readonly key: unknown) {
    super(`invalid object key ${JSON.stringify(key)}`);
    this.name = 'InvalidObjectKeyError';
  }
}

/** Bad options or configuration (e.g. an expiry out of range, a missing bucket name). */
export class InvalidStorageArgumentError extends Error {
  readonly code = 'INVALID_STORAGE_ARGUMENT';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStorageArgumentError';
  }
}

export const MAX_PRESIGN_EXPIRY_SECONDS = 7 * 24 * 3600;

/** Object keys: `originals/<2 hex>/<sha256>`; never derived from client-supplied names. */
export const originalKey = (sha256: string): string => `originals/${sha256.slice(0, 2)}/${sha256}`;

/** Prefix of every original's key (see originalKey). */
export const ORIGINALS_PREFIX = 'originals/';

const ORIGINAL_KEY_RE = /^originals\/([0-9a-f]{2})\/([0-9a-f]{64})$/;

/** The SHA-256 an original's key was made from, or null when the key is not originalKey(sha256). */
export function sha256OfOriginalKey(key: string): string | null {
  const m = ORIGINAL_KEY_RE.exec(key);
  return m && m[2].startsWith(m[1]) ? m[2] : null;
}

const KEY_RE = /^[A-Za-z0-9!_.*'()/-]{1,512}$/;
/**
 * Keys are restricted to S3's safe characters, no '..' or '.' segments, no empty segments
 * (so no leading or trailing '/').
 * @throws InvalidObjectKeyError
 */
export function assertValidKey(key: string): void {
  if (
    typeof key !== 'string' ||
    !KEY_RE.test(key) ||
    key.startsWith('/') ||
    key.split('/').some((s) => s === '..' || s === '.' || s === '')
  ) {
    throw new InvalidObjectKeyError(key);
  }
}

/**
 * A list() prefix: '' or a key prefix; may end with '/' or in the middle of a segment, but has
 * no '.'/'..' segments or empty segments before its end.
 * @throws InvalidObjectKeyError
 */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  if (typeof prefix !== 'string' || !KEY_RE.test(prefix) || prefix.startsWith('/')) throw new InvalidObjectKeyError(prefix);
  const segments = prefix.split('/');
  segments.pop(); // the last, possibly partial, segment may be anything KEY_RE allows
  if (segments.some((s) => s === '..' || s === '.' || s === '')) throw new InvalidObjectKeyError(prefix);
}

/** @throws InvalidStorageArgumentError */
export function assertValidExpiry(expiresInSeconds: number): void {
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_PRESIGN_EXPIRY_SECONDS) {
    throw new InvalidStorageArgumentError(
      `expiresInSeconds must be an integer from 1 to ${MAX_PRESIGN_EXPIRY_SECONDS}, got ${expiresInSeconds}`,
    );
  }
}

/** @throws InvalidStorageArgumentError unless a valid Date */
export function assertValidCutoff(olderThan: Date): void {
  if (typeof olderThan?.getTime !== 'function' || Number.isNaN(olderThan.getTime())) {
    throw new InvalidStorageArgumentError('olderThan must be a valid Date');
  }
}
