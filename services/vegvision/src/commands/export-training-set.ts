// `vegvision export training-set --out DIR`: the images whose kind a person gave (ground-truth
// import folder or correction), not deleted, as DIR/<Kind>/<sha256>.<ext> + DIR/manifest.json for
// the trainer's --extra-set. The work is TrainingSetExportService's; this reads options and reports.
import { TrainingSetExportService, type TrainingSetManifest } from '@vegvision/application';
import type { VegvisionConfig } from '@vegvision/config';
import fs from 'node:fs';
import { withContext } from './context';
import { replayProgress } from './progress';
import { findRunningServer } from './server-file';

export interface ExportTrainingSetOptions {
  out: string;
  force?: boolean;
}

export async function runExportTrainingSet(config: VegvisionConfig, options: ExportTrainingSetOptions): Promise<TrainingSetManifest> {
  // An embedded data dir without an event log is a wrong --data-dir, not an empty set (opening the
  // store would create an empty log there).
  if (config.eventStore.kind === 'file' && !fs.existsSync(config.eventStore.path)) {
    throw new Error(`no event log in ${config.dataDir} (is --data-dir / VEGVISION_DATA_DIR right? nothing was imported there)`);
  }
  // A running embedded server holds the file event store; say so rather than report a lock file.
  const server = config.eventStore.kind === 'file' ? await findRunningServer(config.dataDir) : undefined;
  if (server) {
    throw new Error(`a server (pid ${server.pid}, ${server.url}) holds the event store of ${config.dataDir}: stop it, then run the export`);
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await withContext(config, false, async (app) => {
      const progress = replayProgress('export');
      let manifest: TrainingSetManifest;
      try {
        manifest = await app.get(TrainingSetExportService).export(options.out, {
          force: options.force,
          signal: abort.signal,
          onProgress: (p) => progress.report(p.done, p.total, `${p.written} written, ${p.skipped} skipped`),
        });
      } finally {
        progress.stop();
      }
      const kinds = Object.entries(manifest.counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      process.stderr.write(
        `exported ${manifest.total} image(s) (${manifest.bySource.ground_truth} from ground-truth folders, ${manifest.bySource.correction} corrected) ` +
          `read from the log up to position ${manifest.log.position}: ${kinds || 'none'}\n` +
          `set: ${options.out} (manifest.json)\n`,
      );
      if (manifest.skipped.length > 0) {
        process.stderr.write(`skipped ${manifest.skipped.length} image(s) whose original is missing or altered (listed in the manifest)\n`);
        process.exitCode = 2;
      }
      return manifest;
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
