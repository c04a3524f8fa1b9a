// Abuse limits in front of the upload route (POST /api/images), applied before multer reads
// the body: a per-client token bucket (429 + Retry-After), a cap on uploads in progress over
// all clients (503 + Retry-After: memory stays bounded whatever the number of clients), an
// early 413 from Content-Length, and a timeout for bodies that arrive too slowly (408).
// Every refusal is problem+json.
import type { VegvisionConfig } from '@vegvision/config';
import type { NextFunction, Request, Response } from 'express';
import { toProblem, ApiProblem } from './problem';

/** Room for the multipart envelope (boundaries, part headers) around a file of the maximum size. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export interface RateDecision {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** When refused: seconds until one token is available again (at least 1). */
  retryAfterSeconds: number;
}

/**
 * Token buckets per key (client address), in memory: capacity `perMinute` tokens, refilled
 * continuously at perMinute / 60 per second. The table is bounded (maxKeys): past it the least
 * recently used bucket is dropped (that client starts again with a full bucket).
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly refillPerMs: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = () => Date.now(),
    private readonly maxKeys = 10_000,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError(`perMinute must be a positive integer, got ${perMinute}`);
    this.refillPerMs = perMinute / 60_000;
  }

  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key);
    let tokens = this.perMinute;
    if (bucket) {
      tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.refillPerMs);
      this.buckets.delete(key); // re-inserted below: Map order is least recently used first
    }
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.refillPerMs / 1000)) };
    }
    tokens -= 1;
    this.buckets.set(key, { tokens, at: now });
    this.evict();
    return { allowed: true, remaining: Math.floor(tokens), retryAfterSeconds: 0 };
  }

  /** Number of clients currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private evict(): void {
    // Map iteration order is least recently used first.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

function sendProblem(req: Request, res: Response, problem: ApiProblem, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  const body = toProblem(problem, req.originalUrl);
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

const MIB = 1024 * 1024;
const formatBytes = (n: number) => (n >= MIB ? `${(n / MIB).toFixed(1)} MiB` : `${n} bytes`);

/** Express middleware guarding POST /api/images; other requests pass through untouched. */
export function uploadLimits(config: VegvisionConfig, now?: () => number): (req: Request, res: Response, next: NextFunction) => void {
  const { maxUploadBytes, uploadRatePerMinute, uploadTimeoutMs, maxConcurrentUploads } = config.limits;
  let inProgress = 0;
  const limiter = uploadRatePerMinute > 0 ? new TokenBucketLimiter(uploadRatePerMinute, now) : undefined;
  const maxBody = maxUploadBytes + MULTIPART_OVERHEAD_BYTES;

  return (req, res, next) => {
    // Express routes case-insensitively and ignores a trailing slash: so must the guard.
    if (req.method !== 'POST' || req.path.replace(/\/+$/, '').toLowerCase() !== '/api/images') return next();

    // 1. Rate: one token per upload attempt, per client address.
    if (limiter) {
      const key = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      const d = limiter.take(key);
      res.setHeader('RateLimit-Limit', String(limiter.perMinute));
      res.setHeader('RateLimit-Remaining', String(d.remaining));
      if (!d.allowed) {
        // The body is not read: close the connection rather than drain it.
        sendProblem(
          req,
          res,
          new ApiProblem(429, 'rate_limited', `Too many uploads from this address: at most ${limiter.perMinute} per minute. Retry after ${d.retryAfterSeconds} s.`, {
            retryAfterSeconds: d.retryAfterSeconds,
          }),
          { 'Retry-After': String(d.retryAfterSeconds), Connection: 'close' },
        );
        return;
      }
    }

    // 2. Size: a declared body larger than the limit is refused before a byte of it is read.
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      sendProblem(
        req,
        res,
        new ApiProblem(413, 'image_too_large', `The upload is ${formatBytes(declared)}; the limit is ${formatBytes(maxUploadBytes)}.`, {
          limitBytes: maxUploadBytes,
        }),
        { Connection: 'close' },
      );
      return;
    }

    // 3. Load: every upload in progress may hold up to maxUploadBytes in memory and a decoder;
    // past the cap the client is asked to come back shortly instead of the process swelling.
    if (maxConcurrentUploads > 0) {
      if (inProgress >= maxConcurrentUploads) {
        sendProblem(
          req,
          res,
          new ApiProblem(503, 'server_busy', `The server is handling ${maxConcurrentUploads} uploads already. Retry in a moment.`, {
            retryAfterSeconds: 1,
          }),
          { 'Retry-After': '1', Connection: 'close' },
        );
        return;
      }
      inProgress++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inProgress--;
      };
      res.once('finish', release);
      res.once('close', release);
    }

    // 4. Time: a body still arriving after uploadTimeoutMs is refused (slow-body attacks). Once
    // the body is complete the upload is processed whatever the time, so a 408 never hides an
    // accepted upload.
    const timer = setTimeout(() => {
      if (req.complete || res.headersSent) return;
      sendProblem(
        req,
        res,
        new ApiProblem(408, 'upload_timeout', `The upload did not arrive within ${Math.round(uploadTimeoutMs / 1000)} s.`),
        { Connection: 'close' },
      );
      // multer stops (and removes what it buffered) when the request is destroyed.
      res.once('finish', () => req.destroy());
    }, uploadTimeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    next();
  };
}
