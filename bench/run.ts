// `npm run bench [-- colour|model|ingest|api|contention|replay|event-store|profile ...] [--limit N] ...`: runs the benchmarks (all by
// default), prints their tables and writes bench/results/<name>.{json,md} and the chart docs/benchmarks/<name>.png.
import { machine, machineLine, parseArgs } from './lib/report';

const BENCHES = ['colour', 'model', 'ingest', 'api', 'contention', 'replay', 'event-store', 'profile'] as const;

async function main(): Promise<void> {
  const { positional, flags } = parseArgs(process.argv.slice(2));
  const which = positional.length && positional[0] !== 'all' ? positional : [...BENCHES];
  for (const w of which) if (!(BENCHES as readonly string[]).includes(w)) throw new Error(`unknown benchmark "${w}" (${BENCHES.join(', ')})`);
  const m = machine();
  process.stdout.write(`machine: ${machineLine(m)}\n`);
  if (m.competing.length) process.stdout.write(`WARNING: timings disturbed by: ${m.competing.join(' | ')}\n`);
  for (const w of which) {
    process.stdout.write(`\n=== bench ${w} ===\n`);
    if (w === 'colour') await (await import('./colour')).benchColour(flags);
    if (w === 'model') await (await import('./model')).benchModel(flags);
    if (w === 'ingest') await (await import('./ingest')).benchIngest(flags);
    if (w === 'api') await (await import('./api')).benchApi(flags);
    if (w === 'contention') await (await import('./contention')).benchContention(flags);
    if (w === 'replay') await (await import('./replay')).benchReplay(flags);
    if (w === 'event-store') await (await import('./event-store')).benchEventStore(flags);
    if (w === 'profile') await (await import('./profile')).benchProfile(flags);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
