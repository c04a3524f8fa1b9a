/** Polls `predicate` every `intervalMs` until it returns true; rejects after `timeoutMs` with `what`. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  what = 'condition',
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A promise plus its resolve function, for gating handlers in tests. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
