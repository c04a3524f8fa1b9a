// `vegvision recolour --algorithm <version>`: replays every recorded upload through a colour
// algorithm version (e.g. the subject colour over a catalog recorded before it) and records a
// ColourDetected per image. The relabel's replay loop: resumable, idempotent, with progress.
import { COLOUR_ALGORITHMS } from '@vegvision/colour';
import { RelabelService, RelayWorker, UnknownColourAlgorithmError } from '@vegvision/application';
import type { VegvisionConfig } from '@vegvision/config';
import { withContext } from './context';
import { replayProgress } from './progress';

export interface RecolourCliOptions {
  algorithm: string;
  throttleMs?: number;
}

export async function runRecolour(config: VegvisionConfig, options: RecolourCliOptions) {
  // Checked before anything is opened: a typo gets one line, not a started application.
  if (!COLOUR_ALGORITHMS.includes(options.algorithm as never)) throw new UnknownColourAlgorithmError(options.algorithm);
  const workers = config.mode === 'embedded';
  return withContext(config, workers, async (app) => {
    const progress = replayProgress('recolour');
    const result = await app.get(RelabelService).recolour(options.algorithm, {
      throttleMs: options.throttleMs,
      onProgress: (p) => progress.report(p.done, p.total, `${p.recoloured} recoloured, ${p.skipped} already done, ${p.failed} failed`),
    });
    progress.stop();
    if (result.state === 'failed') throw new Error(`recolour failed: ${result.error}`);
    if (workers) await app.get(RelayWorker).waitUntilIdle();
    process.stderr.write(
      `recoloured ${result.recoloured} image(s) with ${options.algorithm} (${result.skipped} already done, ${result.failed} failed)\n`,
    );
    if (result.failed > 0) process.exitCode = 2;
    return result;
  });
}
