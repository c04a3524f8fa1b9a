// The labelling pool: worker threads that decode, resize, classify and measure colours, so the
// event loop that answers HTTP requests does I/O only. Each image is decoded once in a thread,
// and those pixels serve the classification and every colour measure asked for it.
//
// A small pool of our own on node:worker_threads rather than piscina: piscina is only in the
// tree as a dev dependency of the console's build (@angular/build), so using it would make it a
// runtime dependency of every service image; and what this pool does beyond "run a task in a
// free thread" is its own anyway: it hands a free thread the images queued meanwhile as one
// batch (one onnxruntime run), lets each thread keep its onnxruntime sessions, and rebuilds
// errors as their classes. No wait is added for batching: a free thread takes at once what is
// queued (one image alone goes at once; under an import or a relabel, the backlog forms the
// batches), at most `maxBatch` images, shared fairly between the free threads.
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ColourVariant } from '@vegvision/colour';
import type { ImageLimits } from '@vegvision/imaging';
import { deserializeError, type Analysis, type AnalysisJob, type JobReply, type WorkerReply, type WorkerRequest } from './protocol';

export type { Analysis } from './protocol';

/** What to analyse of one image. */
export interface AnalysisRequest {
  /**
   * The encoded original. Its memory is moved to the thread (transferred, not copied) when it
   * owns its whole ArrayBuffer: the caller must not use it afterwards.
   */
  bytes: Uint8Array;
  limits?: Partial<ImageLimits>;
  /** Classify with the model of this folder. */
  modelDir?: string;
  /** The colour measures wanted. */
  colours?: readonly ColourVariant[];
  /**
   * A live upload's image: it goes ahead of the queued ones that are not (an import's or a
   * relabel's backlog), so it waits at most for the batches under way.
   */
  urgent?: boolean;
}

export interface AnalysisPoolOptions {
  /** Worker threads (default: os.availableParallelism()). */
  threads?: number;
  /** At most this many queued images go to a thread as one batch (default 8). */
  maxBatch?: number;
}

/** The pool was closed: no more work is taken. */
export class AnalysisPoolClosedError extends Error {
  readonly code = 'analysis_pool_closed';
  constructor() {
    super('the labelling pool is closed');
    this.name = 'AnalysisPoolClosedError';
  }
}

const WORKER_FILE = path.join(__dirname, 'analysis.worker.js');

interface Queued {
  job: AnalysisJob;
  urgent: boolean;
  transfer: ArrayBuffer[];
  resolve(a: Analysis): void;
  reject(e: Error): void;
}

interface Thread {
  worker: Worker;
  /** The batch it is working on, or null when free. */
  busy: Queued[] | null;
  batch: number;
  loads: Map<number, { resolve(): void; reject(e: Error): void }>;
  exited: boolean;
}

/** The thread's own copy of the bytes, transferable, unless the buffer is wholly theirs already. */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const b = bytes.buffer;
  if (b instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === b.byteLength) return b;
  // A copy (not Buffer#slice, which shares memory: a small Buffer lives in Node's shared pool).
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

export class AnalysisPool {
  readonly threads: number;
  readonly maxBatch: number;
  private readonly pool: Thread[] = [];
  private readonly queue: Queued[] = [];
  private nextBatch = 1;
  private closing?: Promise<void>;
  /** Batches handed to the threads, images in them, the largest one. */
  readonly stats = { batches: 0, images: 0, largestBatch: 0 };

  constructor(options: AnalysisPoolOptions = {}) {
    this.threads = Math.max(1, Math.floor(options.threads || os.availableParallelism()));
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 8));
  }

  /** Images waiting for a free thread. */
  get queued(): number {
    return this.queue.length;
  }

  /** Decodes the image once in a thread and returns what was asked of it. Rejects with the error class the main thread would have thrown. */
  analyse(request: AnalysisRequest): Promise<Analysis> {
    if (this.closing) return Promise.reject(new AnalysisPoolClosedError());
    const bytes = ownBuffer(request.bytes);
    const job: AnalysisJob = { bytes, limits: request.limits, modelDir: request.modelDir, colours: request.colours };
    return new Promise<Analysis>((resolve, reject) => {
      const queued: Queued = { job, urgent: !!request.urgent, transfer: [bytes], resolve, reject };
      const behind = queued.urgent ? this.queue.findIndex((q) => !q.urgent) : -1;
      if (behind < 0) this.queue.push(queued);
      else this.queue.splice(behind, 0, queued);
      this.pump();
    });
  }

  /**
   * Starts the threads (each compiles its sources first: seconds) and loads a model in each, if
   * given; its errors, e.g. a missing model, come now rather than with the first image.
   */
  async load(modelDir?: string): Promise<void> {
    if (this.closing) throw new AnalysisPoolClosedError();
    this.start();
    await Promise.all(
      this.pool.map(
        (t) =>
          new Promise<void>((resolve, reject) => {
            const batch = this.nextBatch++;
            t.loads.set(batch, { resolve, reject });
            t.worker.ref();
            this.send(t, { type: 'load', batch, modelDir });
          }),
      ),
    );
  }

  /** Takes no more work, rejects what is still queued, waits for the batches under way, then ends the threads. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const q of this.queue.splice(0)) q.reject(new AnalysisPoolClosedError());
    await Promise.all(
      this.pool.map(
        (t) =>
          new Promise<void>((resolve) => {
            if (t.exited) return resolve();
            t.worker.once('exit', () => resolve());
            const end = () => {
              t.worker.ref();
              t.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
              // Sessions released, or the thread does not answer: it ends either way.
              setTimeout(() => void t.worker.terminate(), 5_000).unref();
            };
            if (t.busy || t.loads.size > 0) t.worker.once('idle', end);
            else end();
          }),
      ),
    );
    this.pool.length = 0;
  }

  private start(): void {
    while (this.pool.length < this.threads) this.pool.push(this.spawn());
  }

  private spawn(): Thread {
    const worker = new Worker(WORKER_FILE);
    const thread: Thread = { worker, busy: null, batch: 0, loads: new Map(), exited: false };
    worker.unref(); // a free thread never holds the process open
    worker.on('message', (reply: WorkerReply) => this.settle(thread, reply));
    const fail = (error: Error) => {
      if (thread.exited) return;
      thread.exited = true;
      const i = this.pool.indexOf(thread);
      if (i >= 0) this.pool.splice(i, 1);
      for (const q of thread.busy ?? []) q.reject(error);
      for (const l of thread.loads.values()) l.reject(error);
      thread.busy = null;
      thread.loads.clear();
      if (!this.closing) this.pump(); // a new thread takes the rest of the queue
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a labelling pool thread exited (code ${code})`)));
    return thread;
  }

  private send(t: Thread, message: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    t.worker.postMessage(message, transfer);
  }

  private settle(t: Thread, reply: WorkerReply): void {
    if (reply.type === 'analysed' && t.busy && reply.batch === t.batch) {
      const done = t.busy;
      t.busy = null;
      reply.replies.forEach((r: JobReply, i) => {
        if (r.ok) done[i].resolve(r.analysis);
        else done[i].reject(deserializeError(r.error));
      });
    } else if (reply.type === 'loaded') {
      const l = t.loads.get(reply.batch);
      t.loads.delete(reply.batch);
      if (reply.error) l?.reject(deserializeError(reply.error));
      else l?.resolve();
    } else {
      // 'closed': its sessions are released; the thread would idle on its port.
      if (reply.type === 'closed') void t.worker.terminate();
      return;
    }
    if (!t.busy && t.loads.size === 0) {
      t.worker.unref();
      t.worker.emit('idle');
    }
    if (!this.closing) this.pump();
  }

  /** Hands the queue to the free threads: a fair share each, at most maxBatch. */
  private pump(): void {
    if (this.queue.length === 0) return;
    this.start();
    const free = this.pool.filter((t) => !t.busy);
    for (let k = 0; k < free.length && this.queue.length > 0; k++) {
      const share = Math.min(this.maxBatch, Math.ceil(this.queue.length / (free.length - k)));
      const batch = this.queue.splice(0, share);
      const t = free[k];
      t.busy = batch;
      t.batch = this.nextBatch++;
      t.worker.ref(); // keeps a CLI alive while work is under way
      this.stats.batches++;
      this.stats.images += batch.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      this.send(
        t,
        { type: 'analyse', batch: t.batch, jobs: batch.map((q) => q.job) },
        batch.flatMap((q) => q.transfer),
      );
    }
  }
}
