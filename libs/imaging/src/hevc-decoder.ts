// Pixels of HEVC-coded HEIF images (iPhone HEIC). sharp's prebuilt libvips reads HEIF
// containers and AV1 (AVIF) but carries no HEVC decoder, so it gives the header and this gives
// the pixels: libheif-js (WebAssembly) in one worker thread, so that a 12-megapixel photo's
// seconds of decoding never block the event loop (the API keeps answering meanwhile).
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** Interleaved 8-bit pixels of the primary image, rows packed, the container's rotation applied. */
export interface HevcPixels {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
}

type Reply =
  | { id: number; ok: true; data: Uint8Array; width: number; height: number; channels: 3 | 4 }
  | { id: number; ok: false; message: string };

interface Pending {
  resolve(pixels: HevcPixels): void;
  reject(err: Error): void;
}

const WORKER_FILE = path.join(__dirname, 'hevc-decode.worker.js');

/** One lazily started worker thread; decodes queue in it one at a time. */
class HevcDecoderThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  decode(bytes: Uint8Array): Promise<HevcPixels> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<HevcPixels>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // keeps a CLI alive while a decode is under way
      worker.postMessage({ id, bytes });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_FILE);
    worker.on('message', (reply: Reply) => this.settle(reply));
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const p of waiting) p.reject(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the HEIC decoder thread exited (code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref(); // an idle thread never holds the process open
    if (reply.ok) {
      const data = Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength);
      p.resolve({ data, width: reply.width, height: reply.height, channels: reply.channels });
    } else {
      p.reject(new Error(reply.message));
    }
  }
}

const thread = new HevcDecoderThread();

/**
 * Decodes the primary image of a HEIF file with libheif, which applies the container's
 * transformations (clean aperture, `irot` rotation, `imir` mirror) as the HEIF specification
 * requires; an EXIF orientation tag is informative only in HEIF and is not applied again.
 * Rejects with a plain Error carrying libheif's message on a damaged file.
 */
export function decodeHevcHeif(bytes: Uint8Array): Promise<HevcPixels> {
  return thread.decode(bytes);
}
