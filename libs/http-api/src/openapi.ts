// OpenAPI pieces shared by the controllers: the problem+json schema, a decorator declaring the
// problem answers of an operation, and the document itself (served at /api/docs and
// /api/docs/openapi.json). The document is meant to be exact: every parameter carries the
// constraints the server enforces and every status the server can answer is declared; the
// schemathesis run of test/fuzz checks both.
import { applyDecorators, type INestApplication } from '@nestjs/common';
import { ApiResponse, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { COMPONENT_SCHEMAS } from './api-schemas';

export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details with a stable `code`; some problems add fields (e.g. `retryAfterSeconds`, `allow`).',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    code: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
    instance: { type: 'string' },
  },
  additionalProperties: true,
};

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request (e.g. `repeated_parameter`, and the operation\'s own validation codes)',
  401: 'Unauthorized (`unauthorized`, `link_not_signed`)',
  403: 'Forbidden (`admin_disabled`, `editing_disabled`, `forbidden`, `invalid_link`)',
  404: 'Not found',
  408: 'The upload body did not arrive in time (`upload_timeout`)',
  409: 'Conflict (`relabel_already_running`)',
  413: 'Too large (`image_too_large`, `body_too_large`)',
  415: 'Unsupported media type (`unsupported_content_type` of the request, `unsupported_media_type` of the image bytes)',
  422: 'The image cannot be decoded (`corrupt_image`)',
  429: 'Too many uploads from this client (`rate_limited`, with `Retry-After`)',
  503: 'Busy or unavailable (`server_busy`, with `Retry-After`)',
};

/** Declares problem+json answers with these statuses on an operation. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Problem', content: { 'application/problem+json': { schema: PROBLEM_REF } } }),
    ),
  );
}

/** A JSON answer with this schema. */
export function ApiJson(status: number, description: string, schema: SchemaObject): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, content: { 'application/json': { schema } } });
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('vegvision')
      .setDescription(
        'Vegetable kind and dominant colour of photos; browse the labelled catalog. Every error is application/problem+json with a stable `code`. ' +
          'A known path asked with a method it does not take answers 405 with `Allow`; query parameters are single values (a repeated one is 400 `repeated_parameter`).',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, Problem: PROBLEM_SCHEMA, ...COMPONENT_SCHEMAS } };
  return doc;
}
