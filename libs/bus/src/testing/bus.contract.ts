// The behaviour every MessageBus adapter must have. Adapter specs call describeBusContract with
// a factory; each test gets a fresh bus and unique topic/group names under `topicPrefix`.
//
// Tests subscribe first and publish afterwards: the in-process bus keeps nothing for groups that
// are absent at publish time, and a fresh Kafka group starts from the beginning of its topic.
import { randomUUID } from 'node:crypto';
import { deadLetterTopic, type BusSubscription, type IncomingMessage, type MessageBus } from '../bus.port';
import { PermanentMessageError } from '../errors';
import { deferred, waitFor } from './wait-for';

export interface BusContractFixture {
  bus: MessageBus;
  /** Prepended to every topic and group name the suite uses; unique per run. */
  topicPrefix: string;
  cleanup(): Promise<void>;
}

const TEST_TIMEOUT = 120_000;
const WAIT = 60_000;

export function describeBusContract(name: string, factory: () => Promise<BusContractFixture>): void {
  describe(`MessageBus contract: ${name}`, () => {
    let fixture: BusContractFixture;
    let bus: MessageBus;
    let subscriptions: BusSubscription[];
    let n = 0;

    /** A fresh topic name for one test. */
    const topic = (label: string) => `${fixture.topicPrefix}${label}-${++n}-${randomUUID().slice(0, 8)}`;
    const subscribe = async (...args: Parameters<MessageBus['subscribe']>) => {
      const s = await bus.subscribe(...args);
      subscriptions.push(s);
      return s;
    };

    beforeEach(async () => {
      fixture = await factory();
      bus = fixture.bus;
      subscriptions = [];
    }, TEST_TIMEOUT);

    afterEach(async () => {
      await Promise.allSettled(subscriptions.map((s) => s.stop()));
      await fixture.cleanup();
    }, TEST_TIMEOUT);

    it('ping resolves and publish resolves (also with no messages and no subscribers)', async () => {
      await expect(bus.ping()).resolves.toBeUndefined();
      const t = topic('publish');
      await expect(bus.publish(t, [])).resolves.toBeUndefined();
      await expect(bus.publish(t, [{ key: 'k', value: '{"a":1}' }])).resolves.toBeUndefined();
    }, TEST_TIMEOUT);

    it('every group gets every message', async () => {
      const t = topic('fanout');
      const seen: Record<string, string[]> = { a: [], b: [] };
      for (const g of ['a', 'b']) {
        await subscribe({ topic: t, group: `${t}-${g}` }, async (m) => {
          seen[g].push(m.value);
        });
      }
      const values = Array.from({ length: 12 }, (_, i) => JSON.stringify({ i }));
      await bus.publish(
        t,
        values.map((value, i) => ({ key: `k${i % 4}`, value })),
      );
      await waitFor(() => seen.a.length >= 12 && seen.b.length >= 12, WAIT, 'both groups to get 12 messages');
      expect([...seen.a].sort()).toEqual([...values].sort());
      expect([...seen.b].sort()).toEqual([...values].sort());
    }, TEST_TIMEOUT);

    it('within a group each message is handled once, even with two subscribers', async () => {
      const t = topic('shared');
      const group = `${t}-workers`;
      const handled: string[] = [];
      const bySubscriber = [0, 0];
      for (const s of [0, 1]) {
        await subscribe({ topic: t, group }, async (m) => {
          bySubscriber[s]++;
          handled.push(m.value);
        });
      }
      const values = Array.from({ length: 40 }, (_, i) => `m${i}`);
      await bus.publish(
        t,
        values.map((value, i) => ({ key: `key-${i % 10}`, value: JSON.stringify(value) })),
      );
      await waitFor(() => new Set(handled).size >= 40, WAIT, 'all 40 messages handled');
      expect(handled).toHaveLength(40);
      expect(new Set(handled).size).toBe(40);
      expect(bySubscriber[0] + bySubscriber[1]).toBe(40);
    }, TEST_TIMEOUT);

    it('preserves publish order per key (5 keys x 20 messages, interleaved)', async () => {
      const t = topic('order');
      const perKey = new Map<string, number[]>();
      await subscribe({ topic: t, group: `${t}-g` }, async (m) => {
        const { seq } = JSON.parse(m.value) as { seq: number };
        // Yield so that handlers of different keys interleave where the adapter allows it.
        await new Promise((resolve) => setImmediate(resolve));
        perKey.set(m.key, [...(perKey.get(m.key) ?? []), seq]);
      });
      const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
      const messages = [];
      for (let seq = 0; seq < 20; seq++) {
        for (const key of keys) messages.push({ key, value: JSON.stringify({ seq }) });
      }
      // Order is defined between messages of one publish call and between calls made one after
      // the other (concurrent publish calls have no order among them).
      await bus.publish(t, messages.slice(0, 50));
      await bus.publish(t, messages.slice(50));
      await waitFor(
        () => keys.every((k) => (perKey.get(k)?.length ?? 0) >= 20),
        WAIT,
        '20 messages on each of 5 keys',
      );
      const expected = Array.from({ length: 20 }, (_, i) => i);
      for (const k of keys) expect(perKey.get(k)).toEqual(expected);
    }, TEST_TIMEOUT);

    it('retries a failing handler: fails twice, then succeeds on attempt 3', async () => {
      const t = topic('retry');
      const attempts: number[] = [];
      let succeeded = false;
      await subscribe({ topic: t, group: `${t}-g`, maxAttempts: 5, retryBackoffMs: 20 }, async (m) => {
        attempts.push(m.attempt);
        if (m.attempt < 3) throw new Error(`transient failure ${m.attempt}`);
        succeeded = true;
      });
      await bus.publish(t, [{ key: 'k', value: '"flaky"' }]);
      await waitFor(() => succeeded, WAIT, 'the third attempt');
      expect(attempts).toEqual([1, 2, 3]);
    }, TEST_TIMEOUT);

    it('dead-letters a message whose handler always fails, with headers, and keeps consuming', async () => {
      const t = topic('dlq');
      const group = `${t}-worker`;
      const poisonAttempts: number[] = [];
      const good: string[] = [];
      const dead: IncomingMessage[] = [];
      await subscribe({ topic: t, group, maxAttempts: 3, retryBackoffMs: 20 }, async (m) => {
        if (m.value === '"poison"') {
          poisonAttempts.push(m.attempt);
          throw new Error('cannot digest this');
        }
        good.push(m.value);
      });
      await subscribe({ topic: deadLetterTopic(t), group: `${t}-dlq-reader` }, async (m) => {
        dead.push(m);
      });
      // Same key: the poison message must not block the partition for the messages behind it.
      await bus.publish(t, [
        { key: 'same', value: '"poison"', headers: { 'x-trace': 'trace-1' } },
        { key: 'same', value: '"after-1"' },
        { key: 'other', value: '"after-2"' },
      ]);
      await waitFor(() => dead.length >= 1 && good.length >= 2, WAIT, 'the dead letter and the later messages');
      expect(poisonAttempts).toEqual([1, 2, 3]);
      expect(good.sort()).toEqual(['"after-1"', '"after-2"']);
      expect(dead).toHaveLength(1);
      const [dl] = dead;
      expect(dl.topic).toBe(deadLetterTopic(t));
      expect(dl.key).toBe('same');
      expect(dl.value).toBe('"poison"');
      expect(dl.headers?.['x-error']).toContain('cannot digest this');
      expect(dl.headers?.['x-original-topic']).toBe(t);
      expect(dl.headers?.['x-group']).toBe(group);
      expect(dl.headers?.['x-trace']).toBe('trace-1');
    }, TEST_TIMEOUT);

    it('dead-letters a permanent failure on its first attempt, whatever maxAttempts says', async () => {
      const t = topic('permanent');
      const attempts: number[] = [];
      const good: string[] = [];
      const dead: IncomingMessage[] = [];
      await subscribe({ topic: t, group: `${t}-worker`, maxAttempts: 50, retryBackoffMs: 20 }, async (m) => {
        if (m.value === '"corrupt"') {
          attempts.push(m.attempt);
          throw new PermanentMessageError('the image is corrupt', { cause: new Error('bad huffman table') });
        }
        if (m.value === '"marked"') {
          attempts.push(m.attempt);
          throw Object.assign(new Error('domain rule broken'), { permanent: true });
        }
        good.push(m.value);
      });
      await subscribe({ topic: deadLetterTopic(t), group: `${t}-dlq-reader` }, async (m) => {
        dead.push(m);
      });
      await bus.publish(t, [
        { key: 'same', value: '"corrupt"' },
        { key: 'same', value: '"marked"' },
        { key: 'same', value: '"fine"' },
      ]);
      await waitFor(() => dead.length >= 2 && good.length >= 1, WAIT, 'two dead letters and the good message');
      expect(attempts).toEqual([1, 1]);
      expect(good).toEqual(['"fine"']);
      expect(dead.map((d) => d.value)).toEqual(['"corrupt"', '"marked"']);
      expect(dead[0].headers?.['x-error']).toContain('PermanentMessageError: the image is corrupt');
      expect(dead[0].headers?.['x-attempts']).toBe('1');
      expect(dead[1].headers?.['x-error']).toContain('domain rule broken');
    }, TEST_TIMEOUT);

    it('round-trips keys, values and headers', async () => {
      const t = topic('headers');
      const got: IncomingMessage[] = [];
      await subscribe({ topic: t, group: `${t}-g` }, async (m) => {
        got.push(m);
      });
      const value = JSON.stringify({ text: 'gurka ünïcødé 🥒', n: 1.5, nested: { a: [1, 2] } });
      const headers = { 'content-type': 'application/json', 'x-correlation-id': 'c-1', 'x-utf8': 'smörgås' };
      await bus.publish(t, [
        { key: 'key/with:chars', value, headers },
        { key: 'key/with:chars', value: '{}' },
      ]);
      await waitFor(() => got.length >= 2, WAIT, 'two messages');
      expect(got[0]).toMatchObject({ topic: t, key: 'key/with:chars', value, headers, attempt: 1 });
      expect(got[1]).toMatchObject({ topic: t, key: 'key/with:chars', value: '{}', attempt: 1 });
      expect(got[1].headers ?? {}).toEqual({});
    }, TEST_TIMEOUT);

    it('stop() waits for the handler in flight and stops delivery', async () => {
      const t = topic('stop');
      const started = deferred();
      const release = deferred();
      let finished = false;
      const stoppedSaw: string[] = [];
      const witnessSaw: string[] = [];
      const sub = await bus.subscribe({ topic: t, group: `${t}-stopping` }, async (m) => {
        stoppedSaw.push(m.value);
        if (m.value === '"first"') {
          started.resolve();
          await release.promise;
          finished = true;
        }
      });
      await subscribe({ topic: t, group: `${t}-witness` }, async (m) => {
        witnessSaw.push(m.value);
      });

      // In-process publish waits for the handlers, so do not await it yet.
      const firstPublish = bus.publish(t, [{ key: 'k', value: '"first"' }]);
      await started.promise;
      let finishedWhenStopResolved: boolean | undefined;
      const stopping = sub.stop().then(() => {
        finishedWhenStopResolved = finished;
      });
      setTimeout(() => release.resolve(), 200);
      await stopping;
      expect(finishedWhenStopResolved).toBe(true);
      await firstPublish;

      await bus.publish(t, [{ key: 'k', value: '"second"' }]);
      await waitFor(() => witnessSaw.includes('"second"'), WAIT, 'the witness group to get the second message');
      expect(stoppedSaw).toEqual(['"first"']);
      await sub.stop(); // idempotent
    }, TEST_TIMEOUT);
  });
}
