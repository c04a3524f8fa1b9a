// The one contract suite of the checkpoint store port: every adapter's spec runs it.
import type { CheckpointStore } from '../checkpoint-store.port';
import { MAX_CHECKPOINT_NAME_LENGTH } from '../checkpoint-store.port';

export interface CheckpointStoreContractFixture {
  /** A fresh, empty store, isolated from every other test. */
  store: CheckpointStore;
  /** Opens the same store again, after `store` was closed. */
  reopen: () => Promise<CheckpointStore>;
  /** Removes what the fixture created; called after every store of the test was closed. */
  cleanup?: () => Promise<void>;
}

export type CheckpointStoreContractFactory = () => Promise<CheckpointStoreContractFixture>;

const TIMEOUT = 60_000;

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'resolved';
}

export function describeCheckpointStoreContract(name: string, factory: CheckpointStoreContractFactory): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    let fixture: CheckpointStoreContractFixture;
    let store: CheckpointStore;
    const opened: CheckpointStore[] = [];

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
      opened.push(store);
    }, TIMEOUT);

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
      await fixture.cleanup?.();
    }, TIMEOUT);

    const reopen = async (): Promise<CheckpointStore> => {
      await store.close();
      const again = await fixture.reopen();
      opened.push(again);
      return again;
    };

    it("loads 'start' for a name never saved", async () => {
      expect(await store.load('relay')).toBe('start');
    }, TIMEOUT);

    it('saves and loads back; a later save replaces the earlier one, also a lower one', async () => {
      await store.save('relay', 0);
      expect(await store.load('relay')).toBe(0);
      await store.save('relay', 41);
      expect(await store.load('relay')).toBe(41);
      await store.save('relay', 7);
      expect(await store.load('relay')).toBe(7);
    }, TIMEOUT);

    it('keeps names apart (case, unicode, slashes, the longest name)', async () => {
      const names = ['relay', 'Relay', 'relay/eu-1', 'relais — größe 🥕', 'x'.repeat(MAX_CHECKPOINT_NAME_LENGTH)];
      for (const [i, n] of names.entries()) await store.save(n, i * 10);
      for (const [i, n] of names.entries()) expect(await store.load(n)).toBe(i * 10);
      expect(await store.load('relay/eu-2')).toBe('start');
    }, TIMEOUT);

    it('round-trips the largest safe integer', async () => {
      await store.save('big', Number.MAX_SAFE_INTEGER);
      expect(await store.load('big')).toBe(Number.MAX_SAFE_INTEGER);
    }, TIMEOUT);

    it('concurrent saves of different names all persist; of one name, one of them wins', async () => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(`worker-${i}`, i)));
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.save('same', 100 + i)));
      for (let i = 0; i < 20; i++) expect(await store.load(`worker-${i}`)).toBe(i);
      expect(await store.load('same')).toBeGreaterThanOrEqual(100);
      expect(await store.load('same')).toBeLessThan(110);
    }, TIMEOUT);

    it('is durable across close and reopen', async () => {
      await store.save('relay', 12345);
      await store.save('other', 3);
      const again = await reopen();
      expect(await again.load('relay')).toBe(12345);
      expect(await again.load('other')).toBe(3);
      await again.save('relay', 12346);
      expect(await again.load('relay')).toBe(12346);
    }, TIMEOUT);

    it('rejects bad names and positions with CHECKPOINT_INVALID_ARGUMENT and saves nothing', async () => {
      const badNames: unknown[] = ['', '   ', 'x'.repeat(MAX_CHECKPOINT_NAME_LENGTH + 1), 'nul\u0000', 'lone \uD800', 42, null, undefined];
      for (const n of badNames) {
        expect(await codeOf(store.save(n as string, 1))).toBe('CHECKPOINT_INVALID_ARGUMENT');
        expect(await codeOf(store.load(n as string))).toBe('CHECKPOINT_INVALID_ARGUMENT');
      }
      const badPositions: unknown[] = [-1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1, '3', null, undefined, 3n];
      for (const p of badPositions) expect(await codeOf(store.save('relay', p as number))).toBe('CHECKPOINT_INVALID_ARGUMENT');
      expect(await store.load('relay')).toBe('start');
    }, TIMEOUT);

    it('rejects calls after close() with CHECKPOINT_STORE_CLOSED; close is idempotent', async () => {
      await store.save('relay', 1);
      await store.close();
      expect(await codeOf(store.load('relay'))).toBe('CHECKPOINT_STORE_CLOSED');
      expect(await codeOf(store.save('relay', 2))).toBe('CHECKPOINT_STORE_CLOSED');
      await store.close();
      const again = await fixture.reopen();
      opened.push(again);
      expect(await again.load('relay')).toBe(1);
    }, TIMEOUT);
  });
}
