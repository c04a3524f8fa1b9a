/** Minimal server-sent events reader over fetch, for tests. */
export interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

export function openSse(url: string): { messages: SseMessage[]; waitFor(pred: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>; close(): void } {
  const controller = new AbortController();
  const messages: SseMessage[] = [];
  const waiters: { pred: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void }[] = [];
  const push = (m: SseMessage) => {
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  void (async () => {
    const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
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
        push(m);
      }
    }
  })().catch(() => undefined);
  return {
    messages,
    waitFor(pred, timeoutMs = 120000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('timed out waiting for a server-sent event')), timeoutMs);
        waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
      });
    },
    close: () => controller.abort(),
  };
}
