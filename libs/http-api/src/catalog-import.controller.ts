import { Controller, HttpCode, Post, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { CatalogImportService, InvalidCatalogPathError } from '@vegvision/application';
import { KINDS } from '@vegvision/domain';
import type { Request } from 'express';
import { AdminTokenGuard } from './admin.controller';
import { MultipartFileInterceptor, UPLOAD_FIELD } from './multipart-file.interceptor';
import { ApiJson, ApiProblems } from './openapi';
import { ApiProblem } from './problem';
import { singleQuery } from './query-params';

// What parseCatalogPath accepts: no "." or ".." part, no backslash or control character.
const SEGMENT = '[^/\\\\\\u0000-\\u001f\\u007f]+';
const CATALOG_PATH_PATTERN = `^(?![.]{1,2}/)(${SEGMENT}/)?(${KINDS.join('|')})/(?![.]{1,2}$)${SEGMENT}\\.([Jj][Pp][Ee]?[Gg]|[Pp][Nn][Gg]|[Ww][Ee][Bb][Pp])$`;

const CATALOG_IMPORT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['imageId', 'sha256', 'recorded', 'duplicate', 'status', 'links'],
  properties: {
    imageId: { type: 'string', format: 'uuid' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    recorded: { type: 'boolean', description: 'false when this file (bytes and path) was imported before: nothing new recorded' },
    duplicate: { type: 'boolean', description: 'true when the same bytes were already in the catalog' },
    status: { type: 'string', enum: ['processing'] },
    links: { type: 'object', required: ['self'], properties: { self: { type: 'string' } } },
  },
};

/**
 * Catalog import of one file into a running server: what `vegvision import` uses when a server
 * holds the embedded event store. Same rules as the CLI: kind and split from the path, event id
 * from the bytes and the path (importing a file twice records it once).
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiProblems(401, 403)
@UseGuards(AdminTokenGuard)
@Controller('api/admin/catalog')
export class CatalogImportController {
  constructor(private readonly catalogImport: CatalogImportService) {}

  @Post('images')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Import one labelled catalog file (admin); labels arrive later as events',
    description:
      'Records the image as ImageUploaded with source "catalog" and the split and ground-truth kind its path names. ' +
      'Idempotent per (bytes, path): `recorded` is false when this file was imported before.',
  })
  @ApiQuery({
    name: 'path',
    required: true,
    schema: { type: 'string', minLength: 3, maxLength: 1024, pattern: CATALOG_PATH_PATTERN },
    description: 'Relative path of the file in the catalog folder, [split/]Kind/name.jpg (e.g. train/Tomato/1001.jpg)',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    required: true,
    schema: {
      type: 'object',
      required: [UPLOAD_FIELD],
      additionalProperties: false,
      properties: { [UPLOAD_FIELD]: { type: 'string', format: 'binary', description: 'The image bytes (JPEG, PNG or WebP; sniffed)' } },
    },
  })
  @ApiJson(202, 'Accepted (recorded, or already recorded before)', CATALOG_IMPORT_SCHEMA)
  @ApiProblems(400, 413, 415, 422)
  @UseInterceptors(MultipartFileInterceptor)
  async importImage(@Req() req: Request) {
    const relativePath = singleQuery(req, 'path');
    if (!relativePath) {
      throw new ApiProblem(400, 'invalid_catalog_path', 'Give the relative path of the file as ?path=, e.g. train/Tomato/1001.jpg.');
    }
    const file = req.file;
    if (!file) throw new ApiProblem(400, 'missing_file', `Send the image as a multipart/form-data field named "${UPLOAD_FIELD}".`);
    try {
      const r = await this.catalogImport.importFile(file.buffer, relativePath);
      return {
        imageId: r.imageId,
        sha256: r.sha256,
        recorded: r.recorded,
        duplicate: r.duplicate,
        status: 'processing',
        links: { self: `/api/images/${r.imageId}` },
      };
    } catch (error) {
      if (error instanceof InvalidCatalogPathError) throw new ApiProblem(400, error.code, error.message);
      throw error;
    }
  }
}
