// Starting a server for a bench: waiting until a URL answers, stopping it (a free loopback port:
// freePort of @vegvision/test-support).
import type { ChildProcess } from 'node:child_process';

export async function waitHttp(url: string, child: ChildProcess, timeoutMs = 180_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer in time`);
}

/** SIGTERM, then SIGKILL if the server has not exited within 30 s (said through `say`). */
export async function stopServer(server: ChildProcess, say: (message: string) => void): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  say('stopping the server');
  server.kill('SIGTERM');
  const exited = await Promise.race([
    new Promise<boolean>((r) => server.once('exit', () => r(true))),
    new Promise<boolean>((r) => setTimeout(() => r(false), 30_000).unref()),
  ]);
  if (!exited) {
    say('the server did not stop within 30 s of SIGTERM: killed');
    server.kill('SIGKILL');
  }
}
