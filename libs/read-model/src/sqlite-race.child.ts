// Child process of sqlite.read-model.spec.ts: one "projector instance" that projects a whole
// log (wire events, JSON) into a SQLite read model at positions 1..n, racing its siblings.
// Prints how many events it applied.
import { readFileSync } from 'node:fs';
import { decodeEvent, type WireEvent } from '@vegvision/contracts';
import { createReadModel } from './create-read-model';
import { CATALOG_PROJECTION } from './read-model.port';

async function main(): Promise<void> {
  const [path, logFile] = process.argv.slice(2);
  const log = (JSON.parse(readFileSync(logFile, 'utf8')) as WireEvent[]).map(decodeEvent);
  const readModel = await createReadModel({ kind: 'sqlite', path });
  let applied = 0;
  try {
    for (let i = 0; i < log.length; i++) {
      if (await readModel.project(CATALOG_PROJECTION, log[i], i + 1)) applied++;
    }
  } finally {
    await readModel.close();
  }
  process.stdout.write(`${applied}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
