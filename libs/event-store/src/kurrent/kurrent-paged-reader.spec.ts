// Unit test of the paging logic of KurrentPagedReader against a fake client object (an in-memory
// list of events served through object-mode Readables). It is NOT the KurrentDB contract suite:
// that one runs against a real server (kurrent-event-store.spec.ts, needs KURRENTDB_URL).
import { Readable } from 'node:stream';
import { BACKWARDS, END, FORWARDS, START, type AllStreamResolvedEvent, type ReadPosition, type ResolvedEvent } from '@eventstore/db-client';
import { KurrentPagedReader, type KurrentReadClient } from './kurrent-paged-reader';

interface FakeEvent {
  streamId: string;
  revision: bigint;
  position: { commit: bigint; prepare: bigint };
}

interface ReadCall {
  kind: 'all' | 'stream';
  maxCount: number;
  ended: boolean;
}

/** Serves `log` like a server would: at most maxCount events per read, then the end of the read. */
class FakeKurrentClient implements KurrentReadClient {
  readonly calls: ReadCall[] = [];

  constructor(
    private readonly log: FakeEvent[],
    private readonly backwardsStartInclusive: boolean,
  ) {}

  private serve<E>(kind: ReadCall['kind'], items: E[], maxCount: number): Readable {
    const call: ReadCall = { kind, maxCount, ended: false };
    this.calls.push(call);
    const read = Readable.from(items.slice(0, maxCount), { objectMode: true });
    read.on('end', () => (call.ended = true));
    return read;
  }

  readAll(options: { fromPosition: ReadPosition; direction: typeof FORWARDS | typeof BACKWARDS; maxCount: number }) {
    const { fromPosition: from, direction, maxCount } = options;
    let items: FakeEvent[];
    if (direction === FORWARDS) {
      items = from === START ? this.log : this.log.filter((e) => from !== END && e.position.prepare >= (from as { prepare: bigint }).prepare);
    } else {
      const reversed = [...this.log].reverse();
      if (from === END) items = reversed;
      else {
        const p = (from as { prepare: bigint }).prepare;
        items = reversed.filter((e) => (this.backwardsStartInclusive ? e.position.prepare <= p : e.position.prepare < p));
      }
    }
    return this.serve(
      'all',
      items.map((e) => ({ event: e }) as unknown as AllStreamResolvedEvent),
      maxCount,
    ) as AsyncIterable<AllStreamResolvedEvent>;
  }

  readStream(streamName: string, options: { fromRevision: bigint; direction: typeof FORWARDS; maxCount: number }) {
    const items = this.log.filter((e) => e.streamId === streamName && e.revision >= options.fromRevision);
    return this.serve(
      'stream',
      items.map((e) => ({ event: e }) as unknown as ResolvedEvent),
      options.maxCount,
    ) as AsyncIterable<ResolvedEvent>;
  }
}

function makeLog(count: number): FakeEvent[] {
  const revisions = new Map<string, bigint>();
  return Array.from({ length: count }, (_, i) => {
    const streamId = i % 7 === 0 ? '$system' : `s-${i % 3}`;
    const revision = revisions.get(streamId) ?? 0n;
    revisions.set(streamId, revision + 1n);
    return { streamId, revision, position: { commit: BigInt(1000 + 10 * i), prepare: BigInt(1000 + 10 * i) } };
  });
}

async function prepares(iterable: AsyncIterable<AllStreamResolvedEvent | ResolvedEvent>): Promise<number[]> {
  const out: number[] = [];
  for await (const r of iterable) out.push(Number((r.event as unknown as FakeEvent).position.prepare));
  return out;
}

describe('KurrentPagedReader paging logic (unit test against a fake client, not the contract suite)', () => {
  const log = makeLog(1234);
  const positions = log.map((e) => Number(e.position.prepare));

  it('reads $all forwards in pages of maxCount, each read to its end, every event once and in order', async () => {
    const client = new FakeKurrentClient(log, true);
    expect(await prepares(new KurrentPagedReader(client, 100).allForwards(-1))).toEqual(positions);
    expect(client.calls.length).toBe(13);
    expect(client.calls.every((c) => c.maxCount === 100 && c.ended)).toBe(true);
  });

  it('reads strictly after a checkpoint', async () => {
    const client = new FakeKurrentClient(log, true);
    const checkpoint = positions[499];
    expect(await prepares(new KurrentPagedReader(client, 100).allForwards(checkpoint))).toEqual(positions.slice(500));
  });

  it('ends when the last page is exactly full (one more, empty read)', async () => {
    const client = new FakeKurrentClient(makeLog(300), true);
    expect(await prepares(new KurrentPagedReader(client, 100).allForwards(-1))).toHaveLength(300);
    expect(client.calls.map((c) => c.ended)).toEqual([true, true, true, true]);
  });

  it('a caller leaving early leaves no read unfinished', async () => {
    const client = new FakeKurrentClient(log, true);
    let seen = 0;
    for await (const _ of new KurrentPagedReader(client, 100).allForwards(-1)) {
      if (++seen === 150) break;
    }
    expect(client.calls.length).toBe(2);
    expect(client.calls.every((c) => c.ended)).toBe(true);
  });

  it.each([true, false])('reads $all backwards in pages (server start position inclusive: %s)', async (inclusive) => {
    const client = new FakeKurrentClient(log, inclusive);
    expect(await prepares(new KurrentPagedReader(client, 100).allBackwards())).toEqual([...positions].reverse());
    expect(client.calls.every((c) => c.maxCount === 100 && c.ended)).toBe(true);
  });

  it('reads a stream in pages from a revision', async () => {
    const client = new FakeKurrentClient(log, true);
    const stream = log.filter((e) => e.streamId === 's-1');
    expect(await prepares(new KurrentPagedReader(client, 50).stream('s-1', 0))).toEqual(stream.map((e) => Number(e.position.prepare)));
    expect(await prepares(new KurrentPagedReader(client, 50).stream('s-1', 120))).toEqual(
      stream.slice(120).map((e) => Number(e.position.prepare)),
    );
    expect(client.calls.every((c) => c.kind === 'stream' && c.maxCount === 50 && c.ended)).toBe(true);
  });

  it('refuses a page size below 2', () => {
    expect(() => new KurrentPagedReader(new FakeKurrentClient([], true), 1)).toThrow(RangeError);
  });
});
