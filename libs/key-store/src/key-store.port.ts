// The key store port: one secret data key per id (an image id), created on first use and
// destroyed for good. What a key sealed (the client's file name in ImageUploaded) cannot be
// read once its key is destroyed: crypto-shredding of data in an append-only event log.
// Adapters: a directory of files (embedded), SQLite and PostgreSQL; every one passes the
// contract suite in ./testing/key-store.contract.ts.

export interface KeyStore {
  /**
   * The data key of `id` (DATA_KEY_BYTES random bytes), created when there is none. Idempotent:
   * concurrent and repeated calls return the same key until it is destroyed. Durable once the
   * promise resolves.
   */
  create(id: string): Promise<Buffer>;

  /** The data key of `id`, or undefined when none was created or it was destroyed. */
  get(id: string): Promise<Buffer | undefined>;

  /**
   * Destroys the data key of `id` (nothing when there is none). Once the promise resolves the key
   * is gone for good: no get() returns it again, also after a restart; a later create() makes a
   * new, different key.
   */
  destroy(id: string): Promise<void>;

  close(): Promise<void>;
}

/** Length of a data key (AES-256). */
export const DATA_KEY_BYTES = 32;

/** Longest id accepted. */
export const MAX_KEY_ID_LENGTH = 200;
