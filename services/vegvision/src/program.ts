// The `vegvision` command line: serve (embedded product), import, label, relabel, recolour,
// projections rebuild, export training-set.
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '@vegvision/config';
import { COLOUR_ALGORITHMS } from '@vegvision/colour';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

/** The program; each command's module is loaded when it runs (`import` never loads the HTTP layer). */
export function buildProgram(): Command {
  const program = new Command('vegvision')
    .description('Vegetable kind and dominant colour of photos, event-sourced.')
    .option('--data-dir <dir>', 'state folder of the embedded mode (VEGVISION_DATA_DIR, default .vegvision)')
    .showHelpAfterError();

  const config = () => {
    const opts = program.opts<{ dataDir?: string }>();
    return loadConfig(opts.dataDir ? { dataDir: opts.dataDir } : {});
  };

  program
    .command('serve')
    .description('run the product: HTTP API, web console and every worker role (embedded by default)')
    .option('-p, --port <port>', 'port (VEGVISION_PORT, default 8080)', int('port'))
    .option('--host <host>', 'interface to listen on (VEGVISION_HOST, default 127.0.0.1)')
    .action(async (o: { port?: number; host?: string }) => {
      const c = loadConfig({
        ...(program.opts().dataDir ? { dataDir: program.opts().dataDir } : {}),
        ...(o.port !== undefined ? { port: o.port } : {}),
        ...(o.host ? { host: o.host } : {}),
      });
      await (await import('./commands/serve')).runServe(c);
    });

  program
    .command('import <dir>')
    .description('import a labelled folder in the Kaggle layout [split/]Class/file.jpg into the catalog')
    .option('--no-wait', 'return once recorded, without waiting for labels')
    .action(async (dir: string, o: { wait: boolean }) => {
      await (await import('./commands/import')).runImport(config(), dir, { wait: o.wait });
    });

  program
    .command('label <files...>')
    .description('label image files offline (no server): kind, confidence, top 3, RGB and RYB colour')
    .option('--json', 'one JSON object per line')
    .option('--raw', "with --json: also the model's raw outputs (logits, rejection score), for evaluation")
    .option('--model <dir>', 'model folder (default: the shipped model)')
    .option('--threads <n>', 'worker threads, one inference thread each (default: one per core)', int('threads'))
    .action(async (files: string[], o: { json?: boolean; raw?: boolean; model?: string; threads?: number }) => {
      const failed = await (await import('./commands/label')).runLabel(files, { json: !!o.json, raw: !!o.raw, modelDir: o.model, threads: o.threads });
      if (failed > 0) process.exitCode = 2;
    });

  program
    .command('relabel')
    .description('replay every recorded upload through a model version and record the new labels (resumable)')
    .requiredOption('--model <version>', 'model version (a folder of the models directory)')
    .option('--from <version>', 'compare against this model in the report (default: each image\'s previous label)')
    .option('--throttle <ms>', 'pause between images, to keep live uploads responsive', int('throttle'))
    .option('--report-dir <dir>', 'where to write relabel-<version>.json and .png (default <data dir>/reports)')
    .action(async (o: { model: string; from?: string; throttle?: number; reportDir?: string }) => {
      await (await import('./commands/relabel')).runRelabel(config(), { model: o.model, from: o.from, throttleMs: o.throttle, reportDir: o.reportDir });
    });

  program
    .command('recolour')
    .description('replay every recorded upload through a colour algorithm version and record its colours (resumable)')
    .requiredOption('--algorithm <version>', `colour algorithm version: ${COLOUR_ALGORITHMS.join(', ')}`)
    .option('--throttle <ms>', 'pause between images, to keep live uploads responsive', int('throttle'))
    .action(async (o: { algorithm: string; throttle?: number }) => {
      await (await import('./commands/recolour')).runRecolour(config(), { algorithm: o.algorithm, throttleMs: o.throttle });
    });

  const projections = program.command('projections').description('read models projected from the event log');
  projections
    .command('rebuild [name]')
    .description('drop a read model and rebuild it from the event log (default: catalog)')
    .action(async (name?: string) => {
      await (await import('./commands/rebuild')).runRebuild(config(), name ?? 'catalog');
    });

  const exports = program.command('export').description('data sets made from the event log');
  exports
    .command('training-set')
    .description('write the images whose kind a person gave (ground-truth import folder or correction), not deleted, as <out>/<Kind>/<sha256>.<ext> + manifest.json')
    .requiredOption('--out <dir>', 'folder to write (absent or empty; written whole or not at all)')
    .option('--force', 'replace a folder that is not empty')
    .action(async (o: { out: string; force?: boolean }) => {
      await (await import('./commands/export-training-set')).runExportTrainingSet(config(), { out: o.out, force: !!o.force });
    });

  return program;
}
