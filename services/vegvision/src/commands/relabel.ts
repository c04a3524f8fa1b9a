// `vegvision relabel --model <version>`: replays every recorded upload through a model
// version, records the new labels and writes the diff report (JSON + PNG).
import { EVENT_STORE, RelabelService, relabelReport, relabelReportPng } from '@vegvision/application';
import type { VegvisionConfig } from '@vegvision/config';
import type { EventStore } from '@vegvision/event-store';
import fs from 'node:fs';
import path from 'node:path';
import { withContext } from './context';
import { replayProgress } from './progress';
import { RelayWorker } from '@vegvision/application';

export interface RelabelCliOptions {
  model: string;
  from?: string;
  throttleMs?: number;
  reportDir?: string;
}

export async function runRelabel(config: VegvisionConfig, options: RelabelCliOptions) {
  // Embedded: relay and projector run here so the new labels reach the read model; the
  // distributed services do that themselves.
  const workers = config.mode === 'embedded';
  return withContext(config, workers, async (app) => {
    const relabel = app.get(RelabelService);
    const progress = replayProgress('relabel');
    const result = await relabel.run(options.model, {
      throttleMs: options.throttleMs,
      onProgress: (p) => progress.report(p.done, p.total, `${p.relabelled} relabelled, ${p.skipped} already done, ${p.failed} failed`),
    });
    progress.stop();
    if (result.state === 'failed') throw new Error(`relabel failed: ${result.error}`);
    if (workers) await app.get(RelayWorker).waitUntilIdle();
    const report = await relabelReport(app.get<EventStore>(EVENT_STORE), options.model, options.from);
    const dir = path.resolve(options.reportDir ?? path.join(config.dataDir, 'reports'));
    fs.mkdirSync(dir, { recursive: true });
    const base = path.join(dir, `relabel-${options.model}`);
    fs.writeFileSync(`${base}.json`, JSON.stringify(report, null, 2));
    fs.writeFileSync(`${base}.png`, await relabelReportPng(report));
    const acc = Object.entries(report.accuracy)
      .map(([v, a]) => `${v} ${a.accuracy === null ? 'n/a' : (a.accuracy * 100).toFixed(2) + '%'}`)
      .join(', ');
    process.stderr.write(
      `relabelled ${result.relabelled} image(s) with ${options.model} (${result.skipped} already done, ${result.failed} failed` +
        `${result.recoloured ? `, ${result.recoloured} missing colours detected` : ''}); ` +
        `${report.changed} of ${report.compared} labels changed; accuracy on ground truth: ${acc || 'no ground truth'}\n` +
        `report: ${base}.json, ${base}.png\n`,
    );
    if (result.failed > 0) process.exitCode = 2;
    return { result, report };
  });
}
