// The object storage port for originals. Adapters: local directory (embedded mode) and
// S3 (distributed mode); both pass the contract suite in ./testing/storage.contract.ts.

export interface ObjectInfo {
  key: string;
  size: number;
  contentType: string;
}

export interface ObjectStorage {
  /** Stores bytes atomically under key (a reader never sees a partial object). Overwrites. */
  put(key: string, body: Buffer, options: { contentType: string }): Promise<void>;

  /** @throws ObjectNotFoundError */
  get(key: string): Promise<Buffer>;

  /** Metadata, or null when absent. */
  head(key: string): Promise<ObjectInfo | null>;

  /** Removes the object; no error when absent. */
  delete(key: string): Promise<void>;

  /** Keys under a prefix, in lexicographic order. */
  list(prefix?: string): AsyncIterable<string>;

  /**
   * A temporary link that lets anyone GET the object until it expires. Links are signed:
   * a link whose key, expiry or signature was altered is refused.
   */
  presignGet(key: string, options: { expiresInSeconds: number }): Promise<string>;

  /** Readiness probe. */
  ping(): Promise<void>;

  close(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`object "${key}" not found`);
    this.name = 'ObjectNotFoundError';
  }
}

/** Object keys: `originals/<2 hex>/<sha256>`; never derived from client-supplied names. */
export const originalKey = (sha256: string): string => `originals/${sha256.slice(0, 2)}/${sha256}`;

const KEY_RE = /^[A-Za-z0-9!_.*'()/-]{1,512}$/;
/** Keys are restricted to S3's safe characters, no '..' segments and no leading '/'. */
export function assertValidKey(key: string): void {
  if (!KEY_RE.test(key) || key.startsWith('/') || key.split('/').some((s) => s === '..' || s === '.' || s === '')) {
    throw new Error(`invalid object key "${key}"`);
  }
}
