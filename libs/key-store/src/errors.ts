// Typed errors of the key store; each has a stable `code`.

/** A bad key id. */
export class InvalidKeyStoreArgumentError extends Error {
  readonly code = 'KEY_STORE_INVALID_ARGUMENT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidKeyStoreArgumentError';
  }
}

/** The store was used after close(). */
export class KeyStoreClosedError extends Error {
  readonly code = 'KEY_STORE_CLOSED' as const;
  constructor() {
    super('the key store is closed');
    this.name = 'KeyStoreClosedError';
  }
}

/** What the store holds cannot be read back (a damaged file, a key of the wrong length). */
export class KeyStoreCorruptError extends Error {
  readonly code = 'KEY_STORE_CORRUPT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'KeyStoreCorruptError';
  }
}
