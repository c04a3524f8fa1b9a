import {
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  Sse,
  UploadedFile,
  UseInterceptors,
  type MessageEvent,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  CatalogService,
  CONFIG,
  IngestService,
  LiveEvents,
  Metrics,
  OBJECT_STORAGE,
} from '@vegvision/application';
import { PALETTES, isPaletteColour, type PaletteName } from '@vegvision/colour';
import { payloadToJson } from '@vegvision/contracts';
import { KINDS, NOT_A_VEGETABLE, isLabel } from '@vegvision/domain';
import type { VegvisionConfig } from '@vegvision/config';
import type { ObjectStorage } from '@vegvision/storage';
import { LocalObjectStorage, serveLocalObject } from '@vegvision/storage';
import type { Request, Response } from 'express';
import { filter, map, type Observable } from 'rxjs';
import { BROWSE_SCHEMA, IMAGE_DETAIL_SCHEMA, withClosestKind } from './label-view';
import { ApiProblem } from './problem';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function parseCount(value: string | undefined): number {
  if (value === undefined || value === '') return 9;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 9) {
    throw new ApiProblem(400, 'invalid_count', `count must be a whole number from 1 to 9 (got "${value}")`);
  }
  return Number(value);
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
  ) {}

  @Post('images')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Upload a photo (JPEG, PNG, WebP, AVIF or HEIC/HEIF; still images only); labels arrive later as events',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @UseInterceptors(FileInterceptor('file'))
  async upload(@UploadedFile() file: Express.Multer.File | undefined, @Req() req: Request) {
    if (!file) {
      this.metrics.uploads.inc({ outcome: 'rejected' });
      throw new ApiProblem(400, 'missing_file', 'Send the image as a multipart/form-data field named "file".');
    }
    try {
      const result = await this.ingest.ingest({
        bytes: file.buffer,
        source: 'upload',
        originalName: file.originalname,
        correlationId: typeof req.headers['x-correlation-id'] === 'string' ? req.headers['x-correlation-id'] : undefined,
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
  @ApiOkResponse({ schema: IMAGE_DETAIL_SCHEMA })
  async image(@Param('id') id: string) {
    if (!UUID_RE.test(id)) throw new ApiProblem(400, 'invalid_image_id', `"${id}" is not an image id`);
    const image = await this.catalog.image(id);
    if (!image) throw new ApiProblem(404, 'image_not_found', `No image with id ${id} (it may still be processing).`);
    const history = await this.catalog.classifications(id);
    return { ...withClosestKind(image), classifications: history.map(withClosestKind) };
  }

  @Get('images')
  @ApiOperation({ summary: 'A random sample of catalog images matching the filters' })
  @ApiOkResponse({ schema: BROWSE_SCHEMA })
  @ApiQuery({ name: 'count', required: false, description: '1..9 (default 9)' })
  @ApiQuery({ name: 'kind', required: false })
  @ApiQuery({ name: 'palette', required: false, enum: ['RGB', 'RYB'] })
  @ApiQuery({ name: 'colour', required: false, description: '#RRGGBB from the palette' })
  async browse(
    @Query('count') countRaw?: string,
    @Query('kind') kind?: string,
    @Query('palette') paletteRaw?: string,
    @Query('colour') colourRaw?: string,
  ) {
    const count = parseCount(countRaw);
    if (kind !== undefined && kind !== '' && !isLabel(kind)) {
      throw new ApiProblem(400, 'unknown_kind', `Unknown kind "${kind}". Known kinds: ${KINDS.join(', ')}, ${NOT_A_VEGETABLE}.`);
    }
    let palette: PaletteName | undefined;
    if (paletteRaw !== undefined && paletteRaw !== '') {
      const p = paletteRaw.toUpperCase();
      if (p !== 'RGB' && p !== 'RYB') throw new ApiProblem(400, 'unknown_palette', `palette must be RGB or RYB (got "${paletteRaw}")`);
      palette = p;
    }
    let colour: string | undefined;
    if (colourRaw !== undefined && colourRaw !== '') {
      if (!palette) throw new ApiProblem(400, 'palette_required', 'A colour filter needs a palette (palette=RGB or palette=RYB).');
      colour = colourRaw.toUpperCase();
      if (!colour.startsWith('#')) colour = `#${colour}`;
      if (!isPaletteColour(palette, colour)) {
        throw new ApiProblem(400, 'colour_not_in_palette', `${colourRaw} is not a colour of the ${palette} palette (${PALETTES[palette].hexes.join(' ')}).`);
      }
    }
    const items = await this.catalog.sample({ count, kind: kind || undefined, palette, colour });
    return {
      count: items.length,
      requested: count,
      filters: { kind: kind || null, palette: palette ?? null, colour: colour ?? null },
      items: items.map(withClosestKind),
    };
  }

  @Get('catalog/facets')
  @ApiOperation({ summary: 'Counts per kind and per dominant colour of each palette' })
  facets() {
    return this.catalog.facets();
  }

  @Get('kinds')
  kinds() {
    return { kinds: KINDS, notAVegetable: NOT_A_VEGETABLE };
  }

  @Get('palettes')
  palettes() {
    return { palettes: (Object.keys(PALETTES) as PaletteName[]).map((name) => ({ name, colours: PALETTES[name].hexes })) };
  }

  @Sse('events')
  @ApiOperation({ summary: 'Server-sent events as uploads and labels reach the catalog (optionally for one image)' })
  events(@Query('imageId') imageId?: string): Observable<MessageEvent> {
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
  async object(@Req() req: Request, @Res() res: Response) {
    if (!(this.storage instanceof LocalObjectStorage)) {
      throw new ApiProblem(404, 'not_found', 'Originals are served by the object store in this mode.');
    }
    let key: string;
    try {
      key = req.path.replace(/^\/api\/objects\//, '').split('/').map(decodeURIComponent).join('/');
    } catch {
      throw new ApiProblem(400, 'invalid_object_key', 'The link is malformed.');
    }
    const result = await serveLocalObject(this.storage, key, req.query as Record<string, unknown>);
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
