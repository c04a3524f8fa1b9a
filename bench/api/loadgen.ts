// A small open-loop HTTP load generator (wrk2-style): request i is due at t0 + i / rate, and
// its latency is measured from when it was due (so a slow server cannot hide its queueing:
// no coordinated omission). Bounded in count and time. Runs as its own process:
//   node bench/run-loadgen.js <baseUrl> <rate> <seconds> <connections> <path> [path...]
// and prints one JSON line.
import http from 'node:http';

export interface LoadResult {
  requested: number;
  completed: number;
  errors: number;
  non2xx: number;
  seconds: number;
  achievedRps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export async function load(baseUrl: string, rate: number, seconds: number, connections: number, paths: string[]): Promise<LoadResult> {
  const u = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const t0 = performance.now();
  let hardStop = t0 + (seconds + 30) * 1000;
  // SIGINT ends the run early: no request is sent after it, the ones in flight are awaited
  // (bench/contention stops the load when the import it runs beside has finished).
  let stopped = false;
  const stop = () => {
    stopped = true;
    hardStop = performance.now();
  };
  process.once('SIGINT', stop);
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const due = t0 + (i * 1000) / rate;
      // A request sent up to a millisecond early (the generator sleeps in whole milliseconds)
      // counts from when it was sent, a late one from when it was due.
      const from = Math.min(due, performance.now());
      const req = http.get({ host: u.hostname, port: u.port, path: paths[i % paths.length], agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) non2xx++;
          latencies.push(performance.now() - from);
          resolve();
        });
      });
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (performance.now() > hardStop) break;
    pending.push(one(i));
  }
  const sendingS = (performance.now() - t0) / 1000;
  await Promise.all(pending);
  process.off('SIGINT', stop);
  const elapsed = stopped ? sendingS : (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))] ?? NaN;
  return {
    requested: stopped ? pending.length : total,
    completed: latencies.length,
    errors,
    non2xx,
    seconds: elapsed,
    achievedRps: latencies.length / elapsed,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: latencies[latencies.length - 1] ?? NaN,
  };
}

if (require.main === module || process.env['VV_LOADGEN_MAIN'] === '1') {
  const [baseUrl, rate, seconds, connections, ...paths] = process.argv.slice(2);
  load(baseUrl, Number(rate), Number(seconds), Number(connections), paths).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(String(e) + '\n');
      process.exit(1);
    },
  );
}
