import { Controller, Get, Header, HttpCode, Inject, Injectable, Param, Post, Req, Res, Sse, UseGuards, UseInterceptors, type CanActivate, type ExecutionContext, type MessageEvent } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ClassifierProvider, CONFIG, EVENT_STORE, RelabelService, relabelReport, relabelReportPng } from '@vegvision/application';
import type { VegvisionConfig } from '@vegvision/config';
import type { EventStore } from '@vegvision/event-store';
import type { Request, Response } from 'express';
import { timingSafeEqual, createHash } from 'node:crypto';
import { map, type Observable } from 'rxjs';
import { MODELS_SCHEMA, MODEL_VERSION_MAX_LENGTH, MODEL_VERSION_PATTERN, RELABEL_PROGRESS_SCHEMA, RELABEL_REPORT_SCHEMA, RELABEL_REQUEST_SCHEMA, UUID_PATTERN } from './api-schemas';
import { JsonBodyInterceptor } from './json-body.interceptor';
import { ApiJson, ApiProblems } from './openapi';
import { ApiProblem } from './problem';
import { singleQuery } from './query-params';

const MODEL_VERSION_RE = new RegExp(MODEL_VERSION_PATTERN);
const UUID_RE = new RegExp(UUID_PATTERN);

function parseModelVersion(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length > MODEL_VERSION_MAX_LENGTH || !MODEL_VERSION_RE.test(value)) {
    throw new ApiProblem(400, 'model_required', `${where} must name a model version (letters, digits, "._-", as listed by GET /api/models).`);
  }
  return value;
}

/** The relabel request body: {"model": "<version>", "throttleMs"?: 0..10000}, nothing else. */
function parseRelabelRequest(body: unknown): { model: string; throttleMs: number } {
  if (body === undefined) throw new ApiProblem(400, 'model_required', 'Send JSON {"model": "<model version>"}.');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiProblem(400, 'invalid_relabel_request', 'The body must be a JSON object {"model": "<model version>", "throttleMs": <0..10000>}.');
  }
  const extra = Object.keys(body).filter((k) => k !== 'model' && k !== 'throttleMs');
  if (extra.length) throw new ApiProblem(400, 'invalid_relabel_request', `Unknown field(s) ${extra.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}: only "model" and "throttleMs" are read.`);
  const { model, throttleMs } = body as { model?: unknown; throttleMs?: unknown };
  const version = parseModelVersion(model, '"model"');
  if (throttleMs !== undefined && !(typeof throttleMs === 'number' && Number.isInteger(throttleMs) && throttleMs >= 0 && throttleMs <= 10_000)) {
    throw new ApiProblem(400, 'invalid_relabel_request', '"throttleMs" must be a whole number of milliseconds from 0 to 10000.');
  }
  return { model: version, throttleMs: throttleMs ?? 0 };
}

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
  @ApiJson(200, 'Model versions', MODELS_SCHEMA)
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

  @Get('models/:version/card')
  @Header('X-Content-Type-Options', 'nosniff')
  @ApiOperation({ summary: "A model version's card: how it was trained and what it measured, on which photos (Markdown, shown as text)" })
  @ApiParam({ name: 'version', schema: { type: 'string', pattern: MODEL_VERSION_PATTERN, maxLength: MODEL_VERSION_MAX_LENGTH }, description: 'A model version of GET /api/models' })
  @ApiResponse({ status: 200, description: 'The model card', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiProblems(400, 404)
  async card(@Param('version') version: string, @Res() res: Response): Promise<void> {
    const text = await this.classifiers.cardText(parseModelVersion(version, 'The path segment after /api/models/'));
    if (text === null) throw new ApiProblem(404, 'model_card_not_found', `Model ${version} has no written card (model-card.md).`);
    res.status(200).type('text/plain; charset=utf-8').send(text);
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@ApiProblems(401, 403)
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
  @ApiBody({ required: true, schema: RELABEL_REQUEST_SCHEMA })
  @ApiJson(202, 'Started', RELABEL_PROGRESS_SCHEMA)
  @ApiProblems(400, 404, 409, 413, 415)
  @UseInterceptors(JsonBodyInterceptor)
  async startRelabel(@Req() req: Request) {
    const { model, throttleMs } = parseRelabelRequest(req.body);
    const progress = await this.relabel.start(model, { throttleMs });
    return { ...progress, links: { self: `/api/admin/relabel/${progress.id}`, events: `/api/admin/relabel/events` } };
  }

  @Get('relabel')
  @ApiOperation({ summary: 'Relabel runs of this process' })
  @ApiJson(200, 'Runs', { type: 'object', required: ['runs'], properties: { runs: { type: 'array', items: RELABEL_PROGRESS_SCHEMA } } })
  list() {
    return { runs: this.relabel.list() };
  }

  @Sse('relabel/events')
  @ApiOperation({ summary: 'Server-sent relabel progress' })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'An endless text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  events(): Observable<MessageEvent> {
    return this.relabel.progress$.pipe(map((p) => ({ type: 'RelabelProgress', data: p })));
  }

  @Get('relabel/:id')
  @ApiOperation({ summary: 'Progress of a relabel run' })
  @ApiParam({ name: 'id', schema: { type: 'string', pattern: UUID_PATTERN } })
  @ApiJson(200, 'Progress', RELABEL_PROGRESS_SCHEMA)
  @ApiProblems(400, 404)
  status(@Param('id') id: string) {
    if (!UUID_RE.test(id)) throw new ApiProblem(400, 'invalid_relabel_id', `"${id.slice(0, 40)}" is not a relabel run id (a lower-case UUID)`);
    const p = this.relabel.status(id);
    if (!p) throw new ApiProblem(404, 'relabel_not_found', `No relabel run ${id} in this process.`);
    return p;
  }

  @Get('relabel-report')
  @ApiOperation({ summary: 'Diff report of a relabel (JSON, or PNG with format=png)' })
  @ApiQuery({ name: 'model', required: true, schema: { type: 'string', pattern: MODEL_VERSION_PATTERN, maxLength: MODEL_VERSION_MAX_LENGTH } })
  @ApiQuery({ name: 'from', required: false, schema: { type: 'string', pattern: MODEL_VERSION_PATTERN, maxLength: MODEL_VERSION_MAX_LENGTH }, description: 'Model compared against (default: the label shown before the relabel)' })
  @ApiQuery({ name: 'format', required: false, schema: { type: 'string', enum: ['json', 'png'], default: 'json' } })
  @ApiResponse({ status: 200, description: 'The report', content: { 'application/json': { schema: RELABEL_REPORT_SCHEMA }, 'image/png': { schema: { type: 'string', format: 'binary' } } } })
  @ApiProblems(400)
  async report(@Req() req: Request, @Res() res: Response) {
    const model = parseModelVersion(singleQuery(req, 'model'), 'The query parameter "model"');
    const fromRaw = singleQuery(req, 'from');
    const from = fromRaw === undefined ? undefined : parseModelVersion(fromRaw, 'The query parameter "from"');
    const format = singleQuery(req, 'format') ?? 'json';
    if (format !== 'json' && format !== 'png') throw new ApiProblem(400, 'invalid_format', `format must be json or png (got "${format.slice(0, 40)}")`);
    const report = await relabelReport(this.store, model, from);
    if (format === 'png') {
      res.type('image/png').send(await relabelReportPng(report));
      return;
    }
    res.json(report);
  }
}
