// The catalog's listing and facets: a stable, cursor-paginated walk through the images that
// match the filters, and the counts per kind and colour under those filters.
import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CatalogService } from '@vegvision/application';
import type { Request, Response } from 'express';
import { CATALOG_PAGE_SCHEMA, FACETS_SCHEMA } from './api-schemas';
import { ApiCatalogFilters, ApiListPaging, listQueryString, parseCatalogFilters, parseListQuery } from './catalog-query';
import { ImageJson } from './image-json';
import { ApiJson, ApiProblems } from './openapi';

const LIST_PATH = '/api/catalog/images';

@ApiTags('catalog')
@Controller('api/catalog')
export class CatalogController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly json: ImageJson,
  ) {}

  @Get('images')
  @ApiOperation({
    summary: 'The catalog page by page: images matching the filters, in a stable order',
    description:
      'Keyset pages on (sort key, image id): images added between two requests cause no duplicates or gaps. ' +
      'A colour needs a palette (400 `palette_required`) and must be one of its colours (400 `colour_not_in_palette`); ' +
      'other bad values: `invalid_limit`, `unknown_sort`, `invalid_cursor`, `unknown_kind`, `unknown_palette`, `invalid_colour`, ' +
      '`unknown_measure`, `unknown_source`, `invalid_model_version`, `invalid_confidence`, `invalid_confidence_range`, `invalid_review`, `repeated_parameter`.',
  })
  @ApiListPaging()
  @ApiCatalogFilters()
  @ApiJson(200, 'One page', CATALOG_PAGE_SCHEMA)
  @ApiProblems(400)
  async list(@Req() req: Request, @Res() res: Response): Promise<void> {
    const query = parseListQuery(req);
    const page = await this.catalog.list(query);
    const { cursor: _cursor, ...first } = query;
    // { items (each with closestKind), nextCursor, total, links }, items from kept JSON.
    this.json.send(res, {}, page.items, {
      nextCursor: page.nextCursor,
      total: page.total,
      links: {
        self: `${LIST_PATH}?${listQueryString(query)}`,
        next: page.nextCursor === null ? null : `${LIST_PATH}?${listQueryString({ ...first, cursor: page.nextCursor })}`,
      },
    }, { etag: true });
  }

  @Get('facets')
  @ApiOperation({
    summary: 'Counts per kind and per dominant colour of each palette, each under the other filters',
    description:
      'Kind counts ignore the `kind` filter, colour counts ignore `palette`/`colour`/`measure`, both respect every other filter; `total` respects all. Same filters and codes as GET /api/catalog/images.',
  })
  @ApiCatalogFilters()
  @ApiJson(200, 'Facet counts', FACETS_SCHEMA)
  @ApiProblems(400)
  facets(@Req() req: Request) {
    return this.catalog.facets(parseCatalogFilters(req));
  }
}
