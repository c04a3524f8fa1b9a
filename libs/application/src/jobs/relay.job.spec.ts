// The relay on the in-process bus keeps several publishes in flight (so the consumers, the
// projector's group commit among them, get several events side by side), in log order per key,
// and its checkpoint only ever passes an event once it and every event before it were handled.
import { FileCheckpointStore, type CheckpointStore } from '@vegvision/checkpoint-store';
import { InProcessBus } from '@vegvision/bus';
import { loadConfig } from '@vegvision/config';
import { FileEventStore } from '@vegvision/event-store';
import { createReadModel, type ReadModel } from '@vegvision/read-model';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DurabilityBarrier } from '../durability-barrier';
import { createLogger } from '../logger';
import { Metrics } from '../metrics';
import { RELAY_CHECKPOINT, RelayCheckpoint } from '../relay-checkpoint';
import { RELAY_IN_PROCESS_WINDOW, RelayWorker } from './relay.job';

jest.setTimeout(60_000);

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('RelayWorker on the in-process bus', () => {
  let dir: string;
  let store: FileEventStore;
  let checkpoints: CheckpointStore;
  let readModel: ReadModel;
  let bus: InProcessBus;
  let relay: RelayWorker;
  let barrier: DurabilityBarrier;
  let topic: string;
  const metrics = new Metrics();

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-relay-window-'));
    const config = loadConfig({ dataDir: dir, logLevel: 'silent' }, {});
    topic = config.topic;
    store = await FileEventStore.open({ path: path.join(dir, 'events'), durability: 'none' });
    checkpoints = await FileCheckpointStore.open({ dir: path.join(dir, 'checkpoints') });
    readModel = await createReadModel({ kind: 'sqlite', path: ':memory:', migrate: true });
    bus = new InProcessBus({ logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
    const log = createLogger('silent');
    barrier = new DurabilityBarrier();
    relay = new RelayWorker(store, bus, new RelayCheckpoint(checkpoints, readModel, log), config, log, metrics, barrier);
  });

  afterEach(async () => {
    await relay.stop();
    await bus.close();
    await store.close();
    await checkpoints.close();
    await readModel.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const append = async (streams: string[]) => {
    for (const stream of streams) await store.append(stream, [{ eventId: randomUUID(), type: 'Test', data: { stream }, metadata: {} }]);
  };

  it('keeps publishes in flight side by side, each key in log order, the checkpoint behind the oldest unfinished one', async () => {
    const streams = ['stream-a', 'stream-b', 'stream-c', 'stream-a', 'stream-b', 'stream-c'];
    await append(streams);
    const gates = new Map<number, Deferred>();
    const gate = (position: number) => gates.get(position) ?? gates.set(position, deferred()).get(position)!;
    const seen: { key: string; position: number }[] = [];
    const threeInFlight = deferred();
    await bus.subscribe({ topic, group: 'slow' }, async (message) => {
      const { position } = JSON.parse(message.value) as { position: number };
      seen.push({ key: message.key, position });
      if (new Set(seen.map((s) => s.key)).size === 3) threeInFlight.resolve();
      await gate(position).promise;
    });

    await relay.start();
    await threeInFlight.promise; // one event of each stream handled at once: three publishes in flight
    expect(seen.map((s) => s.position)).toEqual([0, 1, 2]);
    await relay.flush();
    expect(await checkpoints.load(RELAY_CHECKPOINT)).toBe('start');

    // A later event done first does not move the checkpoint past the earliest still in flight.
    gate(1).resolve();
    gate(2).resolve();
    await relay.flush();
    expect(await checkpoints.load(RELAY_CHECKPOINT)).toBe('start');

    for (let p = 0; p < streams.length; p++) gate(p).resolve();
    await relay.waitUntilIdle(5);
    await relay.flush();
    expect(await checkpoints.load(RELAY_CHECKPOINT)).toBe(streams.length - 1);
    expect(seen.map((s) => s.position).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const key of new Set(seen.map((s) => s.key))) {
      const positions = seen.filter((s) => s.key === key).map((s) => s.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
    expect(RELAY_IN_PROCESS_WINDOW).toBeGreaterThan(1);
  });

  it('after a failed publish restarts from the checkpoint: every event is handled, none lost', async () => {
    await append(['stream-a', 'stream-b', 'stream-c', 'stream-d']);
    const handled: number[] = [];
    await bus.subscribe({ topic, group: 'consumer' }, async (message) => {
      handled.push((JSON.parse(message.value) as { position: number }).position);
    });
    const publish = bus.publish.bind(bus);
    let failed = false;
    jest.spyOn(bus, 'publish').mockImplementation(async (t, messages) => {
      if (!failed && (JSON.parse(messages[0].value) as { position: number }).position === 1) {
        failed = true;
        throw new Error('the bus refused the message');
      }
      return publish(t, messages);
    });

    await relay.start();
    await relay.waitUntilIdle(5);
    await relay.flush();
    expect(failed).toBe(true);
    expect(await checkpoints.load(RELAY_CHECKPOINT)).toBe(3);
    // Every position at least once (after the restart some again: consumers are idempotent).
    expect([...new Set(handled)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
  });

  it('moves its checkpoint only once every registered consumer made what it applied durable', async () => {
    await append(['stream-a', 'stream-b']);
    await bus.subscribe({ topic, group: 'consumer' }, async () => undefined);
    const synced = deferred();
    const order: string[] = [];
    barrier.register(async () => {
      order.push('sync started');
      await synced.promise;
      order.push('synced');
    });
    const save = checkpoints.save.bind(checkpoints);
    jest.spyOn(checkpoints, 'save').mockImplementation(async (name, position) => {
      order.push(`checkpoint ${position}`);
      return save(name, position);
    });

    await relay.start();
    await relay.waitUntilIdle(5);
    const flushed = relay.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(await checkpoints.load(RELAY_CHECKPOINT)).toBe('start'); // held by the barrier
    synced.resolve();
    await flushed;
    expect(await checkpoints.load(RELAY_CHECKPOINT)).toBe(1);
    // Each save comes right after a sync finished (the first save may be one of position 0).
    expect(order.length).toBeGreaterThanOrEqual(3);
    order.forEach((step, i) => {
      if (step.startsWith('checkpoint')) expect(order.slice(i - 2, i)).toEqual(['sync started', 'synced']);
    });
    expect(order.at(-1)).toBe('checkpoint 1');
  });
});
