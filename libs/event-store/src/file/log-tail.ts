// The newest bytes of the file event store's log, kept in memory as they are appended. What was
// just recorded is what gets read next (the relay's live subscription, the command that loads
// the image's stream a moment later): those reads are served from here instead of a read of
// the file each (a syscall through libuv's thread pool). Bounded: once the tail holds more than
// `maxBytes`, its oldest chunks go (reads of them go to the file again).

/** Default bound of the tail. */
export const DEFAULT_LOG_TAIL_BYTES = 2 * 1024 * 1024;

interface Chunk {
  offset: number;
  bytes: Buffer;
}

export class LogTail {
  private chunks: Chunk[] = [];
  private held = 0;

  constructor(private readonly maxBytes = DEFAULT_LOG_TAIL_BYTES) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes must be a non-negative integer, got ${String(maxBytes)}`);
  }

  /** Where the bytes held start and end (start = end when it holds none). */
  get start(): number {
    return this.chunks[0]?.offset ?? this.end;
  }
  get end(): number {
    const last = this.chunks.at(-1);
    return last ? last.offset + last.bytes.length : 0;
  }

  /**
   * Keeps `bytes`, just written (and synced where the log syncs) at `offset`. Bytes that do not
   * follow the ones held start the tail afresh.
   */
  append(offset: number, bytes: Buffer): void {
    if (bytes.length > this.maxBytes) {
      this.clear();
      return;
    }
    if (this.chunks.length > 0 && offset !== this.end) this.clear();
    this.chunks.push({ offset, bytes });
    this.held += bytes.length;
    while (this.held > this.maxBytes) this.held -= this.chunks.shift()!.bytes.length;
  }

  /** The bytes of [offset, offset + length) when all of them are held (not to be changed by the caller), else undefined. */
  read(offset: number, length: number): Buffer | undefined {
    if (this.chunks.length === 0 || length <= 0 || offset < this.start || offset + length > this.end) return undefined;
    // The last chunk that starts at or before `offset`.
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.chunks[mid].offset <= offset) lo = mid;
      else hi = mid - 1;
    }
    const first = this.chunks[lo];
    const from = offset - first.offset;
    if (from + length <= first.bytes.length) return first.bytes.subarray(from, from + length);
    const out = Buffer.allocUnsafe(length);
    let copied = 0;
    for (let i = lo; copied < length; i++) {
      const chunk = this.chunks[i];
      const start = i === lo ? from : 0;
      copied += chunk.bytes.copy(out, copied, start, Math.min(chunk.bytes.length, start + length - copied));
    }
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.held = 0;
  }
}
