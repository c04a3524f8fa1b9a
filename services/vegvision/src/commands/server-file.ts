// `<data dir>/server.json`: written by `vegvision serve` in embedded mode once it listens, removed
// when it stops. It tells `vegvision import` that a server holds the embedded event store and
// where to reach it, so the import can hand its files to that server instead of failing.
import fs from 'node:fs';
import path from 'node:path';

export interface ServerFile {
  pid: number;
  url: string;
  startedAt: string;
}

const fileOf = (dataDir: string) => path.join(dataDir, 'server.json');

/** An address to reach `url` from this machine (a wildcard listen address becomes loopback). */
function reachable(url: string): string {
  return url.replace(/^http:\/\/(0\.0\.0\.0|\[::\]|::)(?=:)/, 'http://127.0.0.1');
}

export function writeServerFile(dataDir: string, url: string): () => void {
  const file = fileOf(dataDir);
  const content: ServerFile = { pid: process.pid, url: reachable(url), startedAt: new Date().toISOString() };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(content)}\n`, { mode: 0o600 });
  return () => {
    try {
      const now = JSON.parse(fs.readFileSync(file, 'utf8')) as ServerFile;
      if (now.pid === process.pid) fs.rmSync(file, { force: true });
    } catch {
      // gone already, or not ours
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The server recorded in the data dir, if its process is alive and it answers /healthz. */
export async function findRunningServer(dataDir: string): Promise<ServerFile | undefined> {
  let server: ServerFile;
  try {
    server = JSON.parse(fs.readFileSync(fileOf(dataDir), 'utf8')) as ServerFile;
  } catch {
    return undefined;
  }
  if (typeof server.pid !== 'number' || typeof server.url !== 'string' || !alive(server.pid)) return undefined;
  const answered = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) }).then(
    (r) => r.ok,
    () => false,
  );
  return answered ? server : undefined;
}
