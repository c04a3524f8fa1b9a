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
  const app = await NestFactory.createApplicationContext(VegvisionModule.forRoot({ config, logger, workers }), {
    logger: ['error'],
    abortOnError: false,
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}
