// A child process run to its end while its peak RSS (VmHWM) and CPU time are sampled, with those
// of other processes serving it (the distributed services).
import { spawn } from 'node:child_process';
import { REPO, cpuSeconds, peakRss } from './report';

export interface RunResult {
  wallS: number;
  peakRssBytes: number;
  perProcess: Record<string, number>;
  /** CPU seconds each process used during the run (the child from its start, the others from the child's start). */
  cpuS: Record<string, number>;
}

/** Runs a child (`name` in the figures) to its end while sampling the peak RSS (VmHWM) of it and of `others`. */
export function runWatched(args: string[], env: NodeJS.ProcessEnv, others: Record<string, number> = {}, name = 'import'): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const cpuAtStart = Object.fromEntries(Object.entries(others).map(([name, pid]) => [name, cpuSeconds(pid)]));
    const cpuS: Record<string, number> = {};
    const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const peaks: Record<string, number> = {};
    const sample = () => {
      const pids: Record<string, number> = { [name]: child.pid ?? 0, ...others };
      for (const [name, pid] of Object.entries(pids)) peaks[name] = Math.max(peaks[name] ?? 0, peakRss(pid));
      // The child's own CPU, read while it is alive (a reaped process has no /proc entry).
      const own = cpuSeconds(child.pid ?? 0);
      if (own > 0) cpuS[name] = own;
    };
    const timer = setInterval(sample, 250);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      for (const [name, pid] of Object.entries(others)) {
        peaks[name] = Math.max(peaks[name] ?? 0, peakRss(pid));
        cpuS[name] = cpuSeconds(pid) - cpuAtStart[name];
      }
      if (code !== 0) return reject(new Error(`${name} exited ${code}: ${stderr}`));
      resolve({ wallS, peakRssBytes: Object.values(peaks).reduce((a, b) => a + b, 0), perProcess: peaks, cpuS });
    });
    sample();
  });
}

