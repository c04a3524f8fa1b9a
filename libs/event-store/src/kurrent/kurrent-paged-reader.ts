// Reads $all and streams from KurrentDB in bounded pages, each read to its end.
//
// Why: @eventstore/db-client 6.2.1 pipes the gRPC call into a Transform (ReadStream). Leaving a
// `for await` over it early destroys the Transform but leaves the gRPC call paused with messages
// buffered: it never emits 'end', `cancel()` is a no-op once the server sent its status, and
// `client.dispose()` waits for every call it tracks to finish — forever. So every read here asks
// the server for at most `pageSize` events (the server-side `maxCount`) and consumes the whole
// page before handing anything out: no gRPC call is ever abandoned, whatever the caller does.
// Memory is bounded by one page.
import { BACKWARDS, END, FORWARDS, START, type AllStreamResolvedEvent, type ReadPosition, type ResolvedEvent } from '@eventstore/db-client';

/** The two client calls the reader uses (an EventStoreDBClient satisfies it). */
export interface KurrentReadClient {
  readAll(options: {
    fromPosition: ReadPosition;
    direction: typeof FORWARDS | typeof BACKWARDS;
    maxCount: number;
  }): AsyncIterable<AllStreamResolvedEvent>;
  readStream(
    streamName: string,
    options: { fromRevision: bigint; direction: typeof FORWARDS; maxCount: number },
  ): AsyncIterable<ResolvedEvent>;
}

export const DEFAULT_KURRENT_PAGE_SIZE = 500;

interface LogPosition {
  commit: bigint;
  prepare: bigint;
}

function logPosition(resolved: AllStreamResolvedEvent): LogPosition | undefined {
  return resolved.event?.position ?? resolved.link?.position;
}

export class KurrentPagedReader {
  constructor(
    private readonly client: KurrentReadClient,
    private readonly pageSize = DEFAULT_KURRENT_PAGE_SIZE,
  ) {
    if (!Number.isSafeInteger(pageSize) || pageSize < 2) throw new RangeError('pageSize must be an integer >= 2');
  }

  /** Every event the read sends, after the read has ended (never leaves a read open). */
  private async readPage<E>(read: AsyncIterable<E>): Promise<E[]> {
    const page: E[] = [];
    for await (const e of read) page.push(e); // no break: the call runs to its end of stream
    return page;
  }

  /**
   * $all forwards, from the start (after < 0) or strictly after the prepare position `after`.
   * Events without a log position (servers < 22.6) are passed on; the caller decides.
   */
  async *allForwards(after: number): AsyncGenerator<AllStreamResolvedEvent> {
    let from: ReadPosition = after < 0 ? START : { commit: BigInt(after), prepare: BigInt(after) };
    let lastPrepare = after < 0 ? -1n : BigInt(after);
    for (;;) {
      const page = await this.readPage(this.client.readAll({ fromPosition: from, direction: FORWARDS, maxCount: this.pageSize }));
      let cursor: LogPosition | undefined;
      for (const resolved of page) {
        const position = logPosition(resolved);
        if (position !== undefined) {
          if (position.prepare <= lastPrepare) continue; // a start position is inclusive on the server
          cursor = position;
        }
        yield resolved;
      }
      if (page.length < this.pageSize || cursor === undefined) return; // the end of $all
      from = cursor;
      lastPrepare = cursor.prepare;
    }
  }

  /** $all backwards from its end. */
  async *allBackwards(): AsyncGenerator<AllStreamResolvedEvent> {
    let from: ReadPosition = END;
    let lastPrepare: bigint | undefined;
    for (;;) {
      const page = await this.readPage(this.client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: this.pageSize }));
      let cursor: LogPosition | undefined;
      for (const resolved of page) {
        const position = logPosition(resolved);
        if (position !== undefined) {
          if (lastPrepare !== undefined && position.prepare >= lastPrepare) continue;
          cursor = position;
        }
        yield resolved;
      }
      if (page.length < this.pageSize || cursor === undefined) return; // the start of $all
      from = cursor;
      lastPrepare = cursor.prepare;
    }
  }

  /** A stream forwards from `fromRevision`; a missing stream throws the client's StreamNotFoundError. */
  async *stream(streamName: string, fromRevision: number): AsyncGenerator<ResolvedEvent> {
    let next = BigInt(fromRevision);
    for (;;) {
      const page = await this.readPage(
        this.client.readStream(streamName, { fromRevision: next, direction: FORWARDS, maxCount: this.pageSize }),
      );
      let last: bigint | undefined;
      for (const resolved of page) {
        const revision = resolved.event?.revision ?? resolved.link?.revision;
        if (revision !== undefined) {
          if (revision < next) continue;
          last = revision;
        }
        yield resolved;
      }
      if (page.length < this.pageSize || last === undefined) return;
      next = last + 1n;
    }
  }
}
