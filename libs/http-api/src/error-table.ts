// The one table from errors to HTTP: which error class (instanceof) answers which status and
// problem code. Libraries raise errors that carry a stable `code` and a message only; the HTTP
// meaning of each is decided here, and nowhere else.
import { RelabelAlreadyRunningError } from '@vegvision/application';
import { ModelNotFoundError } from '@vegvision/classifier';
import { DomainError, ImageNotFoundError } from '@vegvision/domain';
import { EmptyImageError, ImageDecodeError, ImageTooLargeError, UnsupportedImageTypeError } from '@vegvision/imaging';
import { InvalidCursorError, InvalidListQueryError } from '@vegvision/read-model';
import { MulterError } from 'multer';
import { MultipartParseError, RequestBodyError } from './request-errors';

export interface HttpMapping {
  status: number;
  code: string;
  detail: string;
  extra?: Record<string, unknown>;
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

interface Rule<E extends Error> {
  type: ErrorClass<E>;
  map: (error: E) => HttpMapping;
}

const rule = <E extends Error>(type: ErrorClass<E>, map: (error: E) => HttpMapping): Rule<E> => ({ type, map });
/** The error's own stable code and message, with a status. */
const own =
  (status: number) =>
  (e: Error & { code: string }): HttpMapping => ({ status, code: e.code, detail: e.message });

/** multer's error codes (MulterError.code) → status and problem code. */
const MULTER: Record<string, [number, string, string]> = {
  LIMIT_FILE_SIZE: [413, 'image_too_large', 'The upload is larger than the allowed maximum.'],
  LIMIT_UNEXPECTED_FILE: [400, 'unexpected_field', 'Send the image as a multipart/form-data field named "file" (one file per request).'],
  LIMIT_FILE_COUNT: [400, 'unexpected_field', 'Send the image as a multipart/form-data field named "file" (one file per request).'],
};
const MULTIPART_HINT = 'send only the image, as one multipart/form-data field named "file".';

/** body-parser's error types (err.type, documented by body-parser) → status and problem code. */
const BODY: Record<string, [number, string]> = {
  'entity.too.large': [413, 'body_too_large'],
  'entity.parse.failed': [400, 'malformed_json'],
  'encoding.unsupported': [415, 'unsupported_content_encoding'],
  'charset.unsupported': [415, 'unsupported_charset'],
  'request.aborted': [400, 'request_aborted'],
  'request.size.invalid': [400, 'malformed_body'],
};

// Order matters: subclasses before their base classes.
const RULES: Rule<never>[] = [
  rule(EmptyImageError, own(400)),
  rule(UnsupportedImageTypeError, own(415)),
  rule(ImageDecodeError, own(422)),
  rule(ImageTooLargeError, own(413)),
  rule(RelabelAlreadyRunningError, (e) => ({ status: 409, code: e.code, detail: e.message, extra: { running: e.running } })),
  rule(ModelNotFoundError, (e) => ({ status: 404, code: e.code, detail: e.message })),
  rule(ImageNotFoundError, own(404)),
  rule(DomainError, own(422)),
  rule(InvalidCursorError, (e) => ({ status: 400, code: 'invalid_cursor', detail: e.message })),
  // The API validates list queries itself; this only answers what slipped through as a client's fault.
  rule(InvalidListQueryError, (e) => ({ status: 400, code: 'invalid_query', detail: e.message })),
  rule(MulterError, (e) => {
    const [status, code, detail] = MULTER[e.code] ?? [400, 'malformed_multipart', `${e.message}: ${MULTIPART_HINT}`];
    return { status, code, detail };
  }),
  rule(MultipartParseError, (e) => ({ status: 400, code: 'malformed_multipart', detail: `The multipart body is malformed (${e.message}): ${MULTIPART_HINT}` })),
  rule(RequestBodyError, (e) => {
    const [status, code] = BODY[e.type] ?? [400, 'malformed_body'];
    return { status, code, detail: e.message };
  }),
] as unknown as Rule<never>[];

/** The HTTP answer for an error raised below the API, or undefined when it is not a client's fault (a 500). */
export function httpMappingOf(error: unknown): HttpMapping | undefined {
  if (!(error instanceof Error)) return undefined;
  for (const r of RULES) if (error instanceof r.type) return r.map(error as never);
  return undefined;
}

/**
 * Stable 400 codes of the catalog's query parameters (GET /api/images, /api/catalog/images,
 * /api/catalog/facets), raised by catalog-query.ts; the OpenAPI document lists them per operation.
 */
export const CATALOG_QUERY_CODES = {
  repeated: 'repeated_parameter',
  count: 'invalid_count',
  limit: 'invalid_limit',
  cursor: 'invalid_cursor',
  sort: 'unknown_sort',
  kind: 'unknown_kind',
  palette: 'unknown_palette',
  colour: 'invalid_colour',
  paletteRequired: 'palette_required',
  colourNotInPalette: 'colour_not_in_palette',
  measure: 'unknown_measure',
  source: 'unknown_source',
  modelVersion: 'invalid_model_version',
  confidence: 'invalid_confidence',
  confidenceRange: 'invalid_confidence_range',
  review: 'invalid_review',
} as const;
