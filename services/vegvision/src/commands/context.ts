import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { VegvisionModule, createLogger } from '@vegvision/application';
import type { VegvisionConfig } from '@vegvision/config';

/** Runs fn inside the composition root (without HTTP), closing it afterwards. */
export async function withContext<T>(
  config: VegvisionConfig,
  workers: boolean,
  fn: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  // A failure to start (e.g. a locked event store) is reported by the CLI as one line; Nest's own
  // logger would print a stack trace first. Log level debug/trace keeps it.
  const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';
  const app = await NestFactory.createApplicationContext(VegvisionModule.forRoot({ config, logger, workers }), {
    logger: verbose ? ['error'] : false,
    abortOnError: false,
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}
