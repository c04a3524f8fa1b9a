import { Body, Controller, Get, HttpCode, Inject, Injectable, Param, Post, Query, Res, Sse, UseGuards, type CanActivate, type ExecutionContext, type MessageEvent } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClassifierProvider, CONFIG, EVENT_STORE, RelabelService, relabelReport, relabelReportPng } from '@vegvision/application';
import type { VegvisionConfig } from '@vegvision/config';
import type { EventStore } from '@vegvision/event-store';
import type { Request, Response } from 'express';
import { timingSafeEqual, createHash } from 'node:crypto';
import { map, type Observable } from 'rxjs';
import { ApiProblem } from './problem';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Admin endpoints need `Authorization: Bearer <VEGVISION_ADMIN_TOKEN>`; disabled without a token. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(CONFIG) private readonly config: VegvisionConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const token = this.config.adminToken;
    if (!token) throw new ApiProblem(403, 'admin_disabled', 'The admin API is disabled: set VEGVISION_ADMIN_TOKEN to enable it.');
    const header = context.switchToHttp().getRequest<Request>().headers['authorization'] ?? '';
    const given = /^Bearer (.+)$/i.exec(header)?.[1];
    if (!given) throw new ApiProblem(401, 'unauthorized', 'Send the admin token as "Authorization: Bearer <token>".');
    if (!timingSafeEqual(digest(given), digest(token))) throw new ApiProblem(403, 'forbidden', 'The admin token is wrong.');
    return true;
  }
}

@ApiTags('models')
@Controller('api')
export class ModelsController {
  constructor(private readonly classifiers: ClassifierProvider) {}

  @Get('models')
  @ApiOperation({ summary: 'Model versions known to the system and the active one' })
  async models() {
    const { active, models } = await this.classifiers.models();
    return {
      active,
      models: models.map((m) => ({
        version: m.version,
        createdAt: m.createdAt,
        architecture: m.architecture,
        sha256: m.sha256,
        classes: m.classes,
        metrics: m.metrics,
        active: m.version === active,
      })),
    };
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('api/admin')
export class AdminController {
  constructor(
    private readonly relabel: RelabelService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post('relabel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replay every recorded upload through a model version and record the new labels' })
  async startRelabel(@Body() body: { model?: unknown; throttleMs?: unknown } | undefined) {
    if (!body || typeof body.model !== 'string' || !body.model) {
      throw new ApiProblem(400, 'model_required', 'Send JSON {"model": "<model version>"}.');
    }
    const throttleMs = typeof body.throttleMs === 'number' && body.throttleMs >= 0 ? Math.min(body.throttleMs, 10_000) : 0;
    try {
      const progress = await this.relabel.start(body.model, { throttleMs });
      return { ...progress, links: { self: `/api/admin/relabel/${progress.id}`, events: `/api/admin/relabel/events` } };
    } catch (error) {
      if ((error as { code?: string }).code === 'model_not_found') {
        throw new ApiProblem(404, 'model_not_found', (error as Error).message);
      }
      throw error;
    }
  }

  @Get('relabel')
  list() {
    return { runs: this.relabel.list() };
  }

  @Sse('relabel/events')
  @ApiOperation({ summary: 'Server-sent relabel progress' })
  events(): Observable<MessageEvent> {
    return this.relabel.progress$.pipe(map((p) => ({ type: 'RelabelProgress', data: p })));
  }

  @Get('relabel/:id')
  status(@Param('id') id: string) {
    const p = this.relabel.status(id);
    if (!p) throw new ApiProblem(404, 'relabel_not_found', `No relabel run ${id} in this process.`);
    return p;
  }

  @Get('relabel-report')
  @ApiOperation({ summary: 'Diff report of a relabel (JSON, or PNG with format=png)' })
  async report(@Query('model') model: string | undefined, @Query('from') from: string | undefined, @Query('format') format: string | undefined, @Res() res: Response) {
    if (!model) throw new ApiProblem(400, 'model_required', 'Give ?model=<model version>.');
    const report = await relabelReport(this.store, model, from || undefined);
    if (format === 'png') {
      res.type('image/png').send(await relabelReportPng(report));
      return;
    }
    res.json(report);
  }
}
