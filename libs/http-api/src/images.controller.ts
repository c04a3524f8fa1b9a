import {
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  Res,
  Sse,
  UseInterceptors,
  type MessageEvent,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CatalogService,
  CONFIG,
  IngestService,
  LiveEvents,
  Metrics,
  OBJECT_STORAGE,
} from '@vegvision/application';
import { PALETTES, type PaletteName } from '@vegvision/colour';
import { ACCEPTED_IMAGE_TYPES } from '@vegvision/imaging';
import { payloadToJson } from '@vegvision/contracts';
import { KINDS, NOT_A_VEGETABLE } from '@vegvision/domain';
import type { VegvisionConfig } from '@vegvision/config';
import type { ObjectStorage } from '@vegvision/storage';
import { LocalObjectStorage, serveLocalObject } from '@vegvision/storage';
import type { Request, Response } from 'express';
import { filter, map, type Observable } from 'rxjs';
import {
  BROWSE_SCHEMA,
  CORRELATION_ID_SCHEMA,
  IMAGE_DETAIL_SCHEMA,
  KINDS_SCHEMA,
  PALETTES_SCHEMA,
  UPLOAD_ACCEPTED_SCHEMA,
  UUID_PATTERN,
} from './api-schemas';
import { ApiColourFilters, parseColourFilters } from './catalog-query';
import { correlationIdOf } from './correlation-id';
import { ImageJson } from './image-json';
import { withClosestKind } from './label-view';
import { MultipartFileInterceptor, UPLOAD_FIELD } from './multipart-file.interceptor';
import { ApiJson, ApiProblems } from './openapi';
import { ApiProblem } from './problem';
import { singleQuery } from './query-params';

const UUID_RE = new RegExp(UUID_PATTERN);
/** Storage keys of originals, as `originalKey` makes them. */
const OBJECT_KEY_PATTERN = '^originals/[0-9a-f]{2}/[0-9a-f]{64}$';

function parseCount(value: string | undefined): number {
  if (value === undefined) return 9;
  if (!/^[1-9]$/.test(value)) {
    throw new ApiProblem(400, 'invalid_count', `count must be a whole number from 1 to 9 (got "${value.slice(0, 40)}")`);
  }
  return Number(value);
}

function parseImageId(value: string | undefined, parameter: string): string | undefined {
  if (value === undefined) return undefined;
  if (!UUID_RE.test(value)) throw new ApiProblem(400, 'invalid_image_id', `${parameter} "${value.slice(0, 40)}" is not an image id (a lower-case UUID)`);
  return value;
}

@ApiTags('images')
@Controller('api')
export class ImagesController {
  constructor(
    private readonly ingest: IngestService,
    private readonly catalog: CatalogService,
    private readonly live: LiveEvents,
    private readonly metrics: Metrics,
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly json: ImageJson,
  ) {}

  @Post('images')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Upload a photo (JPEG, PNG, WebP, AVIF or HEIC/HEIF; still images only); labels arrive later as events',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    required: true,
    schema: { type: 'object', required: [UPLOAD_FIELD], additionalProperties: false, properties: { [UPLOAD_FIELD]: { type: 'string', format: 'binary', description: 'A still JPEG, PNG, WebP, AVIF or HEIC/HEIF image (sniffed from the bytes; the part\'s declared type is not trusted)' } } },
    // What the bytes must be: other bytes are 415 unsupported_media_type (or 422 corrupt_image).
    encoding: { [UPLOAD_FIELD]: { contentType: ACCEPTED_IMAGE_TYPES.join(', ') } },
  })
  @ApiHeader({ name: 'X-Correlation-Id', required: false, schema: CORRELATION_ID_SCHEMA, description: 'Correlation id copied into every event of the image (default: a new UUID)' })
  @ApiJson(202, 'Accepted: labels arrive as events', UPLOAD_ACCEPTED_SCHEMA)
  @ApiProblems(400, 408, 413, 415, 422, 429, 503)
  @UseInterceptors(MultipartFileInterceptor)
  async upload(@Req() req: Request) {
    const correlationId = correlationIdOf(req);
    const file = req.file;
    if (!file) {
      this.metrics.uploads.inc({ outcome: 'rejected' });
      throw new ApiProblem(400, 'missing_file', 'Send the image as a multipart/form-data field named "file".');
    }
    try {
      const result = await this.ingest.ingest({
        bytes: file.buffer,
        source: 'upload',
        originalName: file.originalname,
        correlationId,
      });
      this.metrics.uploads.inc({ outcome: result.duplicate ? 'duplicate' : 'accepted' });
      return {
        imageId: result.imageId,
        sha256: result.sha256,
        duplicate: result.duplicate,
        correlationId: result.correlationId,
        contentType: result.contentType,
        width: result.width,
        height: result.height,
        status: 'processing',
        links: { self: `/api/images/${result.imageId}`, events: `/api/events?imageId=${result.imageId}` },
      };
    } catch (error) {
      this.metrics.uploads.inc({ outcome: 'rejected' });
      throw error;
    }
  }

  @Get('images/:id')
  @ApiOperation({ summary: 'An image: status, current labels, history and a temporary link' })
  @ApiParam({ name: 'id', schema: { type: 'string', pattern: UUID_PATTERN }, description: 'Image id (lower-case UUID)' })
  @ApiJson(200, 'The image', IMAGE_DETAIL_SCHEMA)
  @ApiProblems(400, 404)
  async image(@Param('id') rawId: string) {
    const id = parseImageId(rawId, 'id') as string;
    const image = await this.catalog.image(id);
    if (!image) throw new ApiProblem(404, 'image_not_found', `No image with id ${id} (it may still be processing).`);
    const history = await this.catalog.classifications(id);
    const corrections = await this.catalog.corrections(id);
    return { ...withClosestKind(image), classifications: history.map(withClosestKind), corrections };
  }

  @Get('images')
  @ApiOperation({
    summary: 'A random sample of catalog images matching the filters',
    description: 'A colour needs a palette (400 `palette_required`) and must be one of that palette\'s 12 colours (400 `colour_not_in_palette`); see GET /api/palettes.',
  })
  @ApiQuery({ name: 'count', required: false, schema: { type: 'integer', minimum: 1, maximum: 9, default: 9 } })
  @ApiColourFilters()
  @ApiJson(200, 'Up to `count` images; fewer when fewer match', BROWSE_SCHEMA)
  @ApiProblems(400)
  async browse(@Req() req: Request, @Res() res: Response): Promise<void> {
    const count = parseCount(singleQuery(req, 'count'));
    const { kind, palette, colour, measure } = parseColourFilters(req);
    const items = await this.catalog.sample({ count, kind, palette, colour, measure });
    // { count, requested, filters, items (each with closestKind) }, items from kept JSON; no ETag.
    this.json.send(
      res,
      { count: items.length, requested: count, filters: { kind: kind ?? null, palette: palette ?? null, colour: colour ?? null, measure: measure ?? 'photo' } },
      items,
      {},
      { etag: false },
    );
  }

  @Get('kinds')
  @ApiOperation({ summary: 'The 15 vegetable kinds and the not-a-vegetable label' })
  @ApiJson(200, 'Kinds', KINDS_SCHEMA)
  kinds() {
    return { kinds: KINDS, notAVegetable: NOT_A_VEGETABLE };
  }

  @Get('palettes')
  @ApiOperation({ summary: 'The colour palettes and their 12 colours each' })
  @ApiJson(200, 'Palettes', PALETTES_SCHEMA)
  palettes() {
    return { palettes: (Object.keys(PALETTES) as PaletteName[]).map((name) => ({ name, colours: PALETTES[name].hexes })) };
  }

  @Sse('events')
  @ApiOperation({ summary: 'Server-sent events as uploads and labels reach the catalog (optionally for one image)' })
  @ApiQuery({ name: 'imageId', required: false, schema: { type: 'string', pattern: UUID_PATTERN } })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'An endless text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiProblems(400)
  events(@Req() req: Request): Observable<MessageEvent> {
    const imageId = parseImageId(singleQuery(req, 'imageId'), 'imageId');
    return this.live.events$.pipe(
      filter((e) => !imageId || e.event.data.imageId === imageId),
      map((e) => ({
        id: String(e.position),
        type: e.event.meta.type,
        data: { ...e.event.meta, position: e.position, data: payloadToJson(e.event) },
      })),
    );
  }

  @Get('objects/*key')
  @Header('Cache-Control', 'private, max-age=60')
  @ApiOperation({ summary: 'An original, through a temporary signed link of the API (embedded mode; S3 serves its own links)' })
  @ApiParam({ name: 'key', schema: { type: 'string', pattern: OBJECT_KEY_PATTERN }, description: 'Object key (its slashes may be sent as %2F)' })
  @ApiQuery({ name: 'expires', required: true, schema: { type: 'string', pattern: '^[0-9]+$', maxLength: 15 }, description: 'Expiry, Unix seconds' })
  @ApiQuery({ name: 'signature', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' }, description: 'HMAC-SHA256 of key and expiry' })
  @ApiResponse({ status: 200, description: 'The original bytes', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } }, 'image/png': { schema: { type: 'string', format: 'binary' } }, 'image/webp': { schema: { type: 'string', format: 'binary' } } } })
  @ApiProblems(400, 401, 403, 404)
  async object(@Req() req: Request, @Res() res: Response) {
    const expires = singleQuery(req, 'expires');
    const signature = singleQuery(req, 'signature');
    if (!(this.storage instanceof LocalObjectStorage)) {
      throw new ApiProblem(404, 'not_found', 'Originals are served by the object store in this mode.');
    }
    let key: string;
    try {
      key = req.path.replace(/^\/api\/objects\//, '').split('/').map(decodeURIComponent).join('/');
    } catch {
      throw new ApiProblem(400, 'invalid_object_key', 'The link is malformed.');
    }
    const result = await serveLocalObject(this.storage, key, { expires, signature });
    if (result.status !== 200) {
      const messages: Record<number, [string, string]> = {
        400: ['invalid_object_key', 'The link is malformed.'],
        401: ['link_not_signed', 'This link is not signed: ask the API for a fresh link.'],
        403: ['invalid_link', 'This link is invalid or has expired: ask the API for a fresh link.'],
        404: ['object_not_found', 'The original no longer exists.'],
      };
      const [code, message] = messages[result.status] ?? ['invalid_link', 'This link cannot be served.'];
      throw new ApiProblem(result.status, code, message);
    }
    res.status(200).type(result.contentType ?? 'application/octet-stream').send(result.body);
  }
}
