// The one contract suite of the key store port: every adapter's spec runs it.
import type { KeyStore } from '../key-store.port';
import { DATA_KEY_BYTES, MAX_KEY_ID_LENGTH } from '../key-store.port';

export interface KeyStoreContractFixture {
  /** A fresh, empty store, isolated from every other test. */
  store: KeyStore;
  /** Opens the same store again, after `store` was closed. */
  reopen: () => Promise<KeyStore>;
  /** Removes what the fixture created; called after every store of the test was closed. */
  cleanup?: () => Promise<void>;
}

export type KeyStoreContractFactory = () => Promise<KeyStoreContractFixture>;

const TIMEOUT = 60_000;
const ID = '3f2b8c1e-5d6a-5b7c-9e0f-112233445566';

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'resolved';
}

export function describeKeyStoreContract(name: string, factory: KeyStoreContractFactory): void {
  describe(`KeyStore contract: ${name}`, () => {
    let fixture: KeyStoreContractFixture;
    let store: KeyStore;
    const opened: KeyStore[] = [];

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
      opened.push(store);
    }, TIMEOUT);

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
      await fixture.cleanup?.();
    }, TIMEOUT);

    const reopen = async (): Promise<KeyStore> => {
      await store.close();
      const again = await fixture.reopen();
      opened.push(again);
      return again;
    };

    it('has no key for an id never created', async () => {
      expect(await store.get(ID)).toBeUndefined();
    }, TIMEOUT);

    it(`creates a ${DATA_KEY_BYTES}-byte key once: create is idempotent and get returns the same key`, async () => {
      const key = await store.create(ID);
      expect(Buffer.isBuffer(key)).toBe(true);
      expect(key).toHaveLength(DATA_KEY_BYTES);
      expect(key.equals(Buffer.alloc(DATA_KEY_BYTES))).toBe(false);
      expect((await store.create(ID)).equals(key)).toBe(true);
      expect((await store.get(ID))?.equals(key)).toBe(true);
    }, TIMEOUT);

    it('concurrent creates of one id all return the same key; different ids get different keys', async () => {
      const keys = await Promise.all(Array.from({ length: 10 }, () => store.create(ID)));
      for (const k of keys) expect(k.equals(keys[0])).toBe(true);
      const ids = ['a', 'A', 'image/1', 'größe — 🥕', 'x'.repeat(MAX_KEY_ID_LENGTH)];
      const others = await Promise.all(ids.map((id) => store.create(id)));
      const distinct = new Set([keys[0], ...others].map((k) => k.toString('hex')));
      expect(distinct.size).toBe(ids.length + 1);
      for (const [i, id] of ids.entries()) expect((await store.get(id))?.equals(others[i])).toBe(true);
    }, TIMEOUT);

    it('a key handed out cannot be changed through the buffer returned', async () => {
      const key = await store.create(ID);
      const copy = Buffer.from(key);
      key.fill(0);
      expect((await store.get(ID))?.equals(copy)).toBe(true);
    }, TIMEOUT);

    it('destroy removes the key (others stay); destroy is idempotent; a later create makes a new key', async () => {
      const key = await store.create(ID);
      const other = await store.create('other');
      await store.destroy(ID);
      expect(await store.get(ID)).toBeUndefined();
      await store.destroy(ID);
      await store.destroy('never-created');
      expect((await store.get('other'))?.equals(other)).toBe(true);
      const fresh = await store.create(ID);
      expect(fresh.equals(key)).toBe(false);
      expect((await store.get(ID))?.equals(fresh)).toBe(true);
    }, TIMEOUT);

    it('is durable across close and reopen, and a destroyed key does not come back', async () => {
      const kept = await store.create('kept');
      await store.create(ID);
      await store.destroy(ID);
      const again = await reopen();
      expect((await again.get('kept'))?.equals(kept)).toBe(true);
      expect(await again.get(ID)).toBeUndefined();
      expect((await again.create('kept')).equals(kept)).toBe(true);
    }, TIMEOUT);

    it('concurrent create and destroy of many ids leave each one either present or gone', async () => {
      const ids = Array.from({ length: 20 }, (_, i) => `img-${i}`);
      await Promise.all(ids.map((id) => store.create(id)));
      await Promise.all(ids.map((id, i) => (i % 2 ? store.destroy(id) : store.create(id))));
      for (const [i, id] of ids.entries()) {
        if (i % 2) expect(await store.get(id)).toBeUndefined();
        else expect(await store.get(id)).toHaveLength(DATA_KEY_BYTES);
      }
    }, TIMEOUT);

    it('rejects bad ids with KEY_STORE_INVALID_ARGUMENT and stores nothing', async () => {
      const badIds: unknown[] = ['', '   ', 'x'.repeat(MAX_KEY_ID_LENGTH + 1), 'nul\u0000', 'lone \uD800', 42, null, undefined];
      for (const id of badIds) {
        expect(await codeOf(store.create(id as string))).toBe('KEY_STORE_INVALID_ARGUMENT');
        expect(await codeOf(store.get(id as string))).toBe('KEY_STORE_INVALID_ARGUMENT');
        expect(await codeOf(store.destroy(id as string))).toBe('KEY_STORE_INVALID_ARGUMENT');
      }
    }, TIMEOUT);

    it('rejects calls after close() with KEY_STORE_CLOSED; close is idempotent', async () => {
      const key = await store.create(ID);
      await store.close();
      expect(await codeOf(store.get(ID))).toBe('KEY_STORE_CLOSED');
      expect(await codeOf(store.create(ID))).toBe('KEY_STORE_CLOSED');
      expect(await codeOf(store.destroy(ID))).toBe('KEY_STORE_CLOSED');
      await store.close();
      const again = await fixture.reopen();
      opened.push(again);
      expect((await again.get(ID))?.equals(key)).toBe(true);
    }, TIMEOUT);
  });
}
