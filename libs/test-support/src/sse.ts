// A server-sent events reader over fetch, for tests and benchmarks (Node has no EventSource).

export interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

/** Reads the stream at `url`, calling `onMessage` per event; returns a function that closes it. */
export function readSse(url: string, onMessage: (m: SseMessage) => void, onOpen?: () => void): () => void {
  const controller = new AbortController();
  void (async () => {
    const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
    onOpen?.();
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let idx: number;
      while ((idx = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, idx);
        buffer = buffer.slice(idx + 2);
        const m: SseMessage = { event: 'message', data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) m.event = line.slice(6).trim();
          else if (line.startsWith('id:')) m.id = line.slice(3).trim();
          else if (line.startsWith('data:')) m.data += line.slice(5).trim();
        }
        onMessage(m);
      }
    }
  })().catch(() => undefined);
  return () => controller.abort();
}

/** Collects the messages of a stream and lets a test wait for one that matches. */
export function openSse(url: string): {
  messages: SseMessage[];
  /** Resolves once the server has answered (the subscription exists). */
  ready: Promise<void>;
  waitFor(pred: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  close(): void;
} {
  const messages: SseMessage[] = [];
  const waiters: { pred: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void }[] = [];
  let opened!: () => void;
  const ready = new Promise<void>((r) => (opened = r));
  const close = readSse(url, (m) => {
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  }, opened);
  return {
    messages,
    ready,
    waitFor(pred, timeoutMs = 120000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('timed out waiting for a server-sent event')), timeoutMs);
        waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
      });
    },
    close,
  };
}
