// Child process of bench/event-store: opens one file event store directory with one
// implementation, replays it like the relay on start-up (a catch-up subscription from 'start'),
// reads 200 streams, appends `--append` events (one per stream, like the import), closes, and
// prints one JSON line: its timings and its peak RSS (VmHWM). Run through bench/run.js's SWC hook.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { EventStore } from '@vegvision/event-store';

interface Opener {
  open(options: { path: string; durability?: 'fsync' | 'none' }): Promise<EventStore>;
}

function vmHwm(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

async function main(): Promise<void> {
  const [implementation, dir, appendArg] = process.argv.slice(2);
  const { FileEventStore } = (await import(implementation)) as { FileEventStore: Opener };
  const append = Number(appendArg ?? 1000);
  const t0 = performance.now();
  const store = await FileEventStore.open({ path: dir, durability: 'none' });
  const openS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  let seen = 0;
  const streams: string[] = [];
  const sub = store.subscribeToAll({ from: 'start' }, async (e) => {
    seen++;
    if (e.revision === 0 && streams.length < 200) streams.push(e.streamId);
  });
  await sub.caughtUp;
  await sub.stop();
  const catchUpS = (performance.now() - t1) / 1000;
  for (const s of streams) await store.readStream(s);
  const t2 = performance.now();
  for (let i = 0; i < append; i++) {
    await store.append(`bench-${randomUUID()}`, [{ eventId: randomUUID(), type: 'BenchAppended', data: { i, note: 'x'.repeat(400) }, metadata: { schemaVersion: 1 } }]);
  }
  const appendMsPerEvent = append ? (performance.now() - t2) / append : 0;
  const head = await store.headPosition();
  await store.close();
  process.stdout.write(JSON.stringify({ seen, head, openS, catchUpS, appendMsPerEvent, peakRssBytes: vmHwm() }) + '\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`probe failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
