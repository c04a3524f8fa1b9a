import { RebuildService } from '@vegvision/application';
import type { VegvisionConfig } from '@vegvision/config';
import { withContext } from './context';
import { progressBar } from './progress';

export async function runRebuild(config: VegvisionConfig, projection: string): Promise<void> {
  await withContext(config, false, async (app) => {
    const bar = progressBar('rebuild');
    let started = false;
    const result = await app.get(RebuildService).rebuild(projection, (p) => {
      if (!started) {
        bar.start(Math.max(p.total, 1), 0, { detail: p.projection });
        started = true;
      }
      bar.setTotal(Math.max(p.total, 1));
      bar.update(p.done, { detail: p.projection });
    });
    if (started) bar.stop();
    process.stderr.write(`rebuilt projection "${result.projection}" from ${result.done} event(s)\n`);
  });
}
