// The read model's read path call by call, in one process (no HTTP): the seed sample's events
// (an embedded data dir's event log) projected into a fresh read model on SQLite or
// PostgreSQL, the catalog grown to N images with synthetic rows (./synthetic.ts), then each
// call timed: wall ms and this process's CPU ms per call (PostgreSQL's own CPU not included).
//   node -r ./tools/ts-loader/register bench/api/calls.ts \
//     --events DATA_DIR/event-store/events.jsonl --catalog 100000 [--postgres URL]
// Prints one JSON line. Works against older read models too (it needs only the port).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeEvent, type WireEvent } from '@vegvision/contracts';
import { CATALOG_PROJECTION, createReadModel, type ReadModel } from '@vegvision/read-model';
import { growCatalog } from './synthetic';

async function main(): Promise<void> {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const target = Number(arg('catalog') ?? 13227);
  const pg = arg('postgres');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-calls-'));
  const schema = `vv_calls_${process.pid}`;
  const rm = await createReadModel(pg ? { kind: 'postgres', url: pg, schema, migrate: true } : { kind: 'sqlite', path: path.join(dir, 'read.db'), migrate: true });
  try {
    const lines = fs.readFileSync(arg('events')!, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as WireEvent & { kind: string; position: number });
    for (const e of lines.filter((l) => l.kind === 'event')) await rm.project(CATALOG_PROJECTION, decodeEvent(e), e.position);
    const size = await growCatalog(rm as Parameters<typeof growCatalog>[0], target);
    const results: Record<string, { wallMs: number; cpuMs: number }> = {};
    const time = async (name: string, f: () => Promise<unknown>) => {
      for (let i = 0; i < 30; i++) await f();
      const n = 300;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await f();
      const wall = (performance.now() - t0) / n;
      const c = process.cpuUsage(c0);
      results[name] = { wallMs: Number(wall.toFixed(3)), cpuMs: Number(((c.user + c.system) / 1000 / n).toFixed(3)) };
    };
    const kinds = ['Bean', 'Broccoli', 'Cabbage', 'Carrot', 'Cauliflower', 'Potato', 'Pumpkin', 'Tomato'];
    let k = 0;
    const nextKind = () => kinds[k++ % kinds.length];
    await time('sample count=9 kind', () => rm.sample({ count: 9, kind: nextKind() }));
    await time('list first page', () => rm.list({}));
    const p1 = await rm.list({ sort: 'confidence_desc' });
    const p2 = await rm.list({ sort: 'confidence_desc', cursor: p1.nextCursor! });
    await time('list cursor page', () => rm.list({ sort: 'confidence_desc', cursor: p2.nextCursor! }));
    await time('facets', () => rm.facets());
    await time('facets kind', () => rm.facets({ kind: nextKind() }));
    const [one] = await rm.sample({ count: 1 });
    await time('getImage', () => rm.getImage(one.imageId));
    process.stdout.write(JSON.stringify({ engine: pg ? 'postgres' : 'sqlite', catalog: size, load: os.loadavg(), results }) + '\n');
  } finally {
    if (pg) await (rm as ReadModel & { orm: { em: { fork(): { getConnection(): { execute(sql: string): Promise<unknown> } } } } }).orm.em.fork().getConnection().execute(`drop schema "${schema}" cascade`);
    await rm.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${String((e as Error).stack ?? e)}\n`);
  process.exit(1);
});
