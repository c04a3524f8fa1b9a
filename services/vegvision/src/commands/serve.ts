import { createHttpApp, listen } from '@vegvision/http-api';
import { createLogger } from '@vegvision/application';
import type { VegvisionConfig } from '@vegvision/config';
import path from 'node:path';
import { writeServerFile } from './server-file';

export function consoleDir(): string {
  return process.env['VEGVISION_CONSOLE_DIR'] ?? path.resolve(__dirname, '../../../../frontend/dist/browser');
}

export async function runServe(config: VegvisionConfig): Promise<void> {
  const logger = createLogger(config.logLevel);
  const app = await createHttpApp({ config, logger, workers: true, consoleDir: consoleDir() });
  const url = await listen(app, config);
  // Embedded: this process holds the file event store; `vegvision import` finds it here.
  const removeServerFile = config.eventStore.kind === 'file' ? writeServerFile(config.dataDir, url) : () => undefined;
  process.stdout.write(`vegvision (${config.mode}) listening on ${url}\n  API docs: ${url}/api/docs\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeServerFile();
      void app.close().then(() => process.exit(0));
    });
  }
}
