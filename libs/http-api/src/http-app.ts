// Builds the NestJS HTTP application (API, health, metrics, OpenAPI docs) around the
// composition root. Used by `vegvision serve` (embedded) and by the API service.
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { LOGGER, VegvisionModule, createLogger, type Logger } from '@vegvision/application';
import { loadConfig, type RawConfig, type Role, type VegvisionConfig } from '@vegvision/config';
import express, { type NextFunction, type Request, type Response } from 'express';
import fs from 'node:fs';
import path from 'node:path';
import { HealthController } from './health.controller';
import { ImageJson } from './image-json';
import { ImagesController } from './images.controller';
import { CatalogController } from './catalog.controller';
import { AdminController, AdminTokenGuard, ModelsController } from './admin.controller';
import { JsonBodyInterceptor } from './json-body.interceptor';
import { methodNotAllowed, type RouteLayer } from './method-not-allowed';
import { MultipartFileInterceptor } from './multipart-file.interceptor';
import { buildOpenApiDocument } from './openapi';
import { EditorTokenGuard } from './editor-token.guard';
import { ImageEditsController } from './image-edits.controller';
import { CatalogImportController } from './catalog-import.controller';
import { PrototypedExpressAdapter } from './express-adapter';
import { tuneHeapForServing } from './heap-tuning';
import { ProblemFilter } from './problem';
import { uploadLimits } from './upload-limits';

@Module({})
class HttpApiModule {
  static forRoot(config: VegvisionConfig, logger: Logger, workers: boolean, api: boolean): DynamicModule {
    return {
      module: HttpApiModule,
      imports: [VegvisionModule.forRoot({ config, logger, workers })],
      controllers: api ? [ImagesController, CatalogController, ImageEditsController, ModelsController, AdminController, CatalogImportController, HealthController] : [HealthController],
      providers: [AdminTokenGuard, EditorTokenGuard, MultipartFileInterceptor, JsonBodyInterceptor, ImageJson],
    };
  }
}

export interface HttpAppOptions {
  config: VegvisionConfig;
  logger?: Logger;
  /** Run the configured worker roles in this process too (embedded mode). */
  workers?: boolean;
  /** Serve the catalog API; false for worker services (health, readiness and metrics only). */
  api?: boolean;
  /** Folder of the built web console to serve at / (optional). */
  consoleDir?: string;
}

/** Paths of the API and the operations endpoints: never the console's files or routes. */
const NOT_CONSOLE = /^\/(api|healthz|readyz|metrics)(\/|$)/;

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; img-src 'self' data: blob: https: http:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
  );
  next();
}

export async function createHttpApp(options: HttpAppOptions): Promise<NestExpressApplication> {
  tuneHeapForServing();
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(
    HttpApiModule.forRoot(config, logger, options.workers ?? true, options.api ?? true),
    new PrototypedExpressAdapter(),
    {
      logger: ['error', 'warn'],
      // No global body parser: the routes that take a body parse it themselves
      // (MultipartFileInterceptor, JsonBodyInterceptor), so a body sent anywhere else is never
      // read, and no parser error can come from a route that takes none.
      bodyParser: false,
      // close() ends open connections (server-sent event streams, idle keep-alive sockets)
      // instead of waiting for every client to leave: a connected SSE client kept SIGTERM
      // from stopping the process until it disconnected.
      forceCloseConnections: true,
      cors: config.http.corsOrigins.length
        ? { origin: config.http.corsOrigins, methods: ['GET', 'POST', 'DELETE'], maxAge: 600 }
        : false,
    },
  );
  app.disable('x-powered-by');
  // Behind a reverse proxy every request comes from the proxy: trusting it (and only it) lets
  // req.ip name the real client, so the upload rate limit is per client and not per proxy.
  if (config.http.trustProxy !== false) app.set('trust proxy', config.http.trustProxy);
  app.use(securityHeaders);
  app.use(uploadLimits(config));
  // Known path, other method: 405 + Allow. The routes are those of the Express router, read at
  // request time (Nest adds the controllers' routes when the app is initialised).
  const expressApp = app.getHttpAdapter().getInstance() as unknown as { router: { stack: RouteLayer[] } };
  app.use(methodNotAllowed(() => expressApp.router.stack, { cors: config.http.corsOrigins.length > 0 }));
  // Whole-request and header deadlines of the Node server (slowloris); Node checks them every 30 s.
  const server = app.getHttpServer() as import('node:http').Server;
  server.requestTimeout = config.limits.requestTimeoutMs;
  server.headersTimeout = config.limits.headersTimeoutMs;
  app.useGlobalFilters(new ProblemFilter((error, req) => logger.error({ err: error, url: req.originalUrl }, 'request failed')));
  // Signals are handled by the entry points (serve, runService), which call app.close() once.

  if (options.api === false) return app;
  const doc = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs/openapi.json' });

  if (options.consoleDir && fs.existsSync(path.join(options.consoleDir, 'index.html'))) {
    const dir = options.consoleDir;
    const files = express.static(dir, { index: 'index.html', maxAge: '1h' });
    // The console's files, and index.html for its client-side routes. API paths never reach
    // either: the static handler would look each one up on disk first (a file system call and
    // a 404 error object per API request, about a tenth of a browse request's CPU).
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (NOT_CONSOLE.test(req.path)) return next();
      files(req, res, (error?: unknown) => {
        if (error || req.method !== 'GET') return next(error);
        res.sendFile(path.join(dir, 'index.html'));
      });
    });
  }
  // Unknown routes: Nest raises NotFoundException, which ProblemFilter turns into problem+json.
  app.get(LOGGER);
  return app;
}

export async function listen(app: INestApplication, config: VegvisionConfig): Promise<string> {
  await app.listen(config.http.port, config.http.host);
  const server = app.getHttpServer();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  return `http://${config.http.host}:${port}`;
}

export interface ServiceOptions {
  /** Service name, used in logs. */
  name: string;
  /** Roles this service runs whatever VEGVISION_ROLES says; undefined keeps the configured ones. */
  roles?: Role[];
  /** Serve the catalog API (the api service and the embedded product). */
  api: boolean;
  consoleDir?: string;
}

/** Entry point shared by every service: configuration from the environment, graceful stop. */
export async function runService(options: ServiceOptions, overrides: RawConfig = {}): Promise<NestExpressApplication> {
  const config = loadConfig({ ...overrides, ...(options.roles ? { roles: options.roles.join(',') } : {}) });
  const logger = createLogger(config.logLevel, `vegvision-${options.name}`);
  const app = await createHttpApp({ config, logger, workers: true, api: options.api, consoleDir: options.consoleDir });
  const url = await listen(app, config);
  logger.info({ url, roles: config.roles, mode: config.mode }, `${options.name} listening`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping');
      void app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  return app;
}
