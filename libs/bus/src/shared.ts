// Helpers shared by the bus adapters: validation, retry backoff, dead-letter headers, logging.
import { BusInvalidArgumentError } from './errors';
import type { OutgoingMessage, SubscribeOptions } from './bus.port';

/** Minimal structured logger the adapters log through (adapt pino & co. to it). */
export interface BusLogger {
  debug?(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_RETRY_BACKOFF_MS = 200;
export const MAX_RETRY_BACKOFF_MS = 5000;
/** Longest `x-error` header value; longer error messages are cut. */
const MAX_ERROR_HEADER = 2000;

// Kafka's legal topic names, applied to both adapters so code that works embedded also works distributed.
const TOPIC_RE = /^[A-Za-z0-9._-]{1,249}$/;

export function assertValidTopic(topic: unknown): asserts topic is string {
  if (typeof topic !== 'string' || !TOPIC_RE.test(topic) || topic === '.' || topic === '..') {
    throw new BusInvalidArgumentError(`invalid topic name ${JSON.stringify(topic)} (allowed: 1-249 of [A-Za-z0-9._-])`);
  }
}

export function assertValidMessages(messages: unknown): asserts messages is OutgoingMessage[] {
  if (!Array.isArray(messages)) throw new BusInvalidArgumentError('messages must be an array');
  messages.forEach((m, i) => {
    if (m === null || typeof m !== 'object') throw new BusInvalidArgumentError(`message ${i} is not an object`);
    const { key, value, headers } = m as Record<string, unknown>;
    if (typeof key !== 'string') throw new BusInvalidArgumentError(`message ${i}: key must be a string`);
    if (typeof value !== 'string') throw new BusInvalidArgumentError(`message ${i}: value must be a string`);
    if (headers !== undefined) {
      if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
        throw new BusInvalidArgumentError(`message ${i}: headers must be an object of strings`);
      }
      for (const [name, v] of Object.entries(headers)) {
        if (typeof v !== 'string') throw new BusInvalidArgumentError(`message ${i}: header "${name}" must be a string`);
      }
    }
  });
}

export interface ResolvedSubscribeOptions {
  topic: string;
  group: string;
  maxAttempts: number;
  retryBackoffMs: number;
}

export function resolveSubscribeOptions(options: SubscribeOptions): ResolvedSubscribeOptions {
  if (options === null || typeof options !== 'object') throw new BusInvalidArgumentError('subscribe options required');
  assertValidTopic(options.topic);
  if (typeof options.group !== 'string' || options.group.length === 0 || options.group.length > 255) {
    throw new BusInvalidArgumentError('group must be a non-empty string of at most 255 characters');
  }
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new BusInvalidArgumentError(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  }
  const retryBackoffMs = options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS;
  if (!Number.isFinite(retryBackoffMs) || retryBackoffMs < 0) {
    throw new BusInvalidArgumentError(`retryBackoffMs must be >= 0, got ${retryBackoffMs}`);
  }
  return { topic: options.topic, group: options.group, maxAttempts, retryBackoffMs };
}

/** Delay before retry number `attempt` (1-based attempt that just failed): base, doubling, capped at 5 s. */
export function backoffDelay(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** (attempt - 1), MAX_RETRY_BACKOFF_MS);
}

export function errorText(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = `${error.name}: ${error.message}`;
  else if (typeof error === 'string') text = error;
  else {
    try {
      text = JSON.stringify(error) ?? String(error);
    } catch {
      text = String(error);
    }
  }
  return text.length > MAX_ERROR_HEADER ? `${text.slice(0, MAX_ERROR_HEADER)}…` : text;
}

/** Headers of a dead-lettered message: the original headers plus the port's x-* headers. */
export function deadLetterHeaders(
  original: Record<string, string> | undefined,
  topic: string,
  group: string,
  error: unknown,
  attempts: number,
): Record<string, string> {
  return {
    ...(original ?? {}),
    'x-error': errorText(error),
    'x-original-topic': topic,
    'x-group': group,
    'x-attempts': String(attempts),
  };
}

/** A sleep that a stop() can cut short: after wakeAll() every sleep, current or later, returns at once. */
export class Sleeper {
  private readonly wakers = new Set<() => void>();
  private awake = false;

  sleep(ms: number): Promise<void> {
    if (this.awake) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  wakeAll(): void {
    this.awake = true;
    for (const wake of [...this.wakers]) wake();
  }
}

export const consoleLogger: BusLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, meta) => console.warn(`[bus] ${message}`, meta ?? ''),
  error: (message, meta) => console.error(`[bus] ${message}`, meta ?? ''),
};
