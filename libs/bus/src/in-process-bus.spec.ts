import { deadLetterTopic, type IncomingMessage } from './bus.port';
import { BusClosedError, BusInvalidArgumentError, BusNoSubscriberError } from './errors';
import { InProcessBus } from './in-process-bus';
import { createBus } from './create-bus';
import { deferred, describeBusContract, waitFor } from './testing';

describeBusContract('InProcessBus', async () => {
  const bus = new InProcessBus({ logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
  return { bus, topicPrefix: 'contract.', cleanup: () => bus.close() };
});

describe('InProcessBus specifics', () => {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  let bus: InProcessBus;
  beforeEach(() => {
    bus = new InProcessBus({ logger: quiet });
  });
  afterEach(() => bus.close());

  it('publish resolves only after every subscribed group has handled the message', async () => {
    const done: string[] = [];
    for (const g of ['a', 'b']) {
      await bus.subscribe({ topic: 't', group: g }, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        done.push(g);
      });
    }
    await bus.publish('t', [{ key: 'k', value: '1' }]);
    expect(done.sort()).toEqual(['a', 'b']);
  });

  it('publish resolves after a message was dead-lettered, which deadLetters() shows', async () => {
    await bus.subscribe({ topic: 't', group: 'g', maxAttempts: 2, retryBackoffMs: 1 }, async () => {
      throw new Error('boom');
    });
    await bus.publish('t', [{ key: 'k', value: '"v"', headers: { h: '1' } }]);
    const dl = bus.deadLetters();
    expect(dl).toHaveLength(1);
    expect(dl[0]).toMatchObject({
      topic: deadLetterTopic('t'),
      originalTopic: 't',
      group: 'g',
      key: 'k',
      value: '"v"',
      attempts: 2,
      headers: { h: '1', 'x-original-topic': 't', 'x-group': 'g', 'x-attempts': '2' },
    });
    expect(dl[0].error).toContain('boom');
  });

  it('keeps at most deadLetterCapacity dead letters', async () => {
    const small = new InProcessBus({ logger: quiet, deadLetterCapacity: 2 });
    await small.subscribe({ topic: 't', group: 'g', maxAttempts: 1 }, async () => {
      throw new Error('no');
    });
    // One key, so the dead letters happen in publish order.
    await small.publish('t', ['1', '2', '3'].map((value) => ({ key: 'k', value })));
    expect(small.deadLetters().map((d) => d.value)).toEqual(['2', '3']);
    await small.close();
  });

  it('runs different keys concurrently (a blocked key does not block another key)', async () => {
    // The "blocker" handler waits until a message with another key was handled; with serial
    // delivery this publish would never resolve. 16 other keys cover more than one partition.
    const otherRan = deferred();
    await bus.subscribe({ topic: 't', group: 'g' }, async (m) => {
      if (m.key === 'blocker') await otherRan.promise;
      else otherRan.resolve();
    });
    await bus.publish('t', [
      { key: 'blocker', value: '1' },
      ...Array.from({ length: 16 }, (_, i) => ({ key: `other-${i}`, value: '2' })),
    ]);
  });

  it('spreads a group over its subscribers', async () => {
    const counts = [0, 0];
    for (const i of [0, 1]) {
      await bus.subscribe({ topic: 't', group: 'g' }, async () => {
        counts[i]++;
      });
    }
    await bus.publish('t', Array.from({ length: 64 }, (_, i) => ({ key: `key-${i}`, value: '{}' })));
    expect(counts[0] + counts[1]).toBe(64);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
  });

  it('groups without a subscriber at publish time never see the message', async () => {
    await bus.publish('t', [{ key: 'k', value: 'early' }]);
    const seen: string[] = [];
    await bus.subscribe({ topic: 't', group: 'g' }, async (m) => {
      seen.push(m.value);
    });
    await bus.publish('t', [{ key: 'k', value: 'late' }]);
    expect(seen).toEqual(['late']);
  });

  it('rejects the publish when the group loses its last subscriber before handling a queued message', async () => {
    const started = deferred();
    const release = deferred();
    const sub = await bus.subscribe({ topic: 't', group: 'g' }, async () => {
      started.resolve();
      await release.promise;
    });
    const first = bus.publish('t', [{ key: 'k', value: '1' }]);
    await started.promise;
    const second = bus.publish('t', [{ key: 'k', value: '2' }]); // same partition, queued behind
    const stopping = sub.stop();
    release.resolve();
    await stopping;
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toBeInstanceOf(BusNoSubscriberError);
    await expect(second).rejects.toMatchObject({ code: 'BUS_NO_SUBSCRIBER', topic: 't', group: 'g' });
  });

  it('stop() cuts a retry backoff short and hands the message to another subscriber of the group', async () => {
    const firstFailed = deferred();
    const handledBy: string[] = [];
    const failing = await bus.subscribe({ topic: 't', group: 'g', maxAttempts: 3, retryBackoffMs: 60_000 }, async () => {
      handledBy.push('failing');
      firstFailed.resolve();
      throw new Error('first subscriber fails');
    });
    const publishing = bus.publish('t', [{ key: 'k', value: 'v' }]);
    await firstFailed.promise;
    const messages: IncomingMessage[] = [];
    await bus.subscribe({ topic: 't', group: 'g' }, async (m) => {
      handledBy.push('healthy');
      messages.push(m);
    });
    await failing.stop();
    await publishing;
    expect(handledBy).toEqual(['failing', 'healthy']);
    expect(messages[0].attempt).toBe(2);
  });

  it('lets a handler publish onto its own partition without deadlocking', async () => {
    const seen: string[] = [];
    await bus.subscribe({ topic: 't', group: 'g' }, async (m) => {
      seen.push(m.value);
      if (m.value === 'ping') await bus.publish('t', [{ key: m.key, value: 'pong' }]);
    });
    await bus.publish('t', [{ key: 'k', value: 'ping' }]);
    await waitFor(() => seen.includes('pong'), 10_000, 'pong');
    expect(seen).toEqual(['ping', 'pong']);
  });

  it('rejects bad input with typed errors', async () => {
    await expect(bus.publish('bad topic!', [])).rejects.toBeInstanceOf(BusInvalidArgumentError);
    await expect(bus.publish('', [])).rejects.toMatchObject({ code: 'BUS_INVALID_ARGUMENT' });
    await expect(bus.publish('t', [{ key: 1, value: 'x' } as never])).rejects.toMatchObject({ code: 'BUS_INVALID_ARGUMENT' });
    await expect(bus.publish('t', [{ key: 'k', value: {} } as never])).rejects.toMatchObject({ code: 'BUS_INVALID_ARGUMENT' });
    await expect(bus.publish('t', [{ key: 'k', value: 'v', headers: { a: 1 } } as never])).rejects.toMatchObject({
      code: 'BUS_INVALID_ARGUMENT',
    });
    await expect(bus.subscribe({ topic: 't', group: '' }, async () => undefined)).rejects.toMatchObject({ code: 'BUS_INVALID_ARGUMENT' });
    await expect(bus.subscribe({ topic: 't', group: 'g', maxAttempts: 0 }, async () => undefined)).rejects.toMatchObject({
      code: 'BUS_INVALID_ARGUMENT',
    });
    expect(() => new InProcessBus({ partitions: 0 })).toThrow(BusInvalidArgumentError);
  });

  it('refuses calls after close() with BusClosedError', async () => {
    await bus.close();
    await expect(bus.publish('t', [])).rejects.toBeInstanceOf(BusClosedError);
    await expect(bus.ping()).rejects.toMatchObject({ code: 'BUS_CLOSED' });
    await expect(bus.subscribe({ topic: 't', group: 'g' }, async () => undefined)).rejects.toBeInstanceOf(BusClosedError);
  });

  it('createBus builds an in-process bus', async () => {
    const b = createBus({ kind: 'in-process' });
    expect(b).toBeInstanceOf(InProcessBus);
    await b.close();
  });
});
