import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HEALTH_SCHEMA, READY_SCHEMA } from './api-schemas';
import { ApiJson } from './openapi';
import { EVENT_STORE, MESSAGE_BUS, Metrics, OBJECT_STORAGE, READ_MODEL } from '@vegvision/application';
import type { MessageBus } from '@vegvision/bus';
import type { EventStore } from '@vegvision/event-store';
import type { ReadModel } from '@vegvision/read-model';
import type { ObjectStorage } from '@vegvision/storage';
import type { Response } from 'express';

async function check(name: string, fn: () => Promise<unknown>, timeoutMs = 2000): Promise<[string, string]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), timeoutMs))),
    ]);
    return [name, 'ok'];
  } catch (error) {
    return [name, error instanceof Error ? error.message : String(error)];
  } finally {
    clearTimeout(timer);
  }
}

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(READ_MODEL) private readonly readModel: ReadModel,
    private readonly metrics: Metrics,
  ) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiJson(200, 'Alive', HEALTH_SCHEMA)
  health() {
    return { status: 'ok' };
  }

  /** Readiness: every dependency answers; 503 with the failing ones otherwise. */
  @Get('readyz')
  @ApiOperation({ summary: 'Readiness: every dependency answers (503 with the failing ones otherwise)' })
  @ApiJson(200, 'Ready', READY_SCHEMA)
  @ApiJson(503, 'A dependency failed', READY_SCHEMA)
  async ready(@Res() res: Response) {
    const checks = Object.fromEntries(
      await Promise.all([
        check('eventStore', () => this.store.headPosition()),
        check('bus', () => this.bus.ping()),
        check('storage', () => this.storage.ping()),
        check('readModel', () => this.readModel.ping()),
      ]),
    );
    const ok = Object.values(checks).every((v) => v === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', checks });
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } })
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metricsText() {
    return this.metrics.registry.metrics();
  }
}
