// The one error → HTTP table: library errors carry a code only; their status is decided here.
import { RelabelAlreadyRunningError } from '@vegvision/application';
import { ModelNotFoundError } from '@vegvision/classifier';
import { DomainError, ImageNotFoundError } from '@vegvision/domain';
import { EmptyImageError, ImageDecodeError, ImageTooLargeError, UnsupportedImageTypeError } from '@vegvision/imaging';
import { InvalidCursorError, InvalidListQueryError } from '@vegvision/read-model';
import { MulterError } from 'multer';
import { httpMappingOf } from './error-table';
import { toProblem } from './problem';
import { MultipartParseError, RequestBodyError } from './request-errors';

describe('error table', () => {
  it.each([
    [new EmptyImageError(), 400, 'empty_file'],
    [new UnsupportedImageTypeError('a PDF document'), 415, 'unsupported_media_type'],
    [new ImageDecodeError('truncated'), 422, 'corrupt_image'],
    [new ImageTooLargeError('pixels', 50e6, 40e6, 'too many pixels'), 413, 'image_too_large'],
    [new RelabelAlreadyRunningError({ id: 'r', model: 'm', state: 'running', total: 2, done: 1, relabelled: 1, skipped: 0, failed: 0, recoloured: 0, startedAt: '' }), 409, 'relabel_already_running'],
    [new ModelNotFoundError('unknown model version "x"', '/models'), 404, 'model_not_found'],
    [new ImageNotFoundError('0b7f3a52-54b4-4b8e-9a55-2f1b7c1e0f01'), 404, 'image_not_found'],
    [new DomainError('label_invalid', 'bad label'), 422, 'label_invalid'],
    [new InvalidCursorError('not a cursor of this API'), 400, 'invalid_cursor'],
    [new InvalidListQueryError('limit must be an integer from 1 to 100'), 400, 'invalid_query'],
    [new MulterError('LIMIT_FILE_SIZE', 'file'), 413, 'image_too_large'],
    [new MulterError('LIMIT_UNEXPECTED_FILE', 'image'), 400, 'unexpected_field'],
    [new MulterError('LIMIT_FILE_COUNT'), 400, 'unexpected_field'],
    [new MulterError('LIMIT_FIELD_COUNT'), 400, 'malformed_multipart'],
    [new MulterError('LIMIT_PART_COUNT'), 400, 'malformed_multipart'],
    [new MultipartParseError('Malformed part header'), 400, 'malformed_multipart'],
    [new RequestBodyError('entity.too.large', 'request entity too large'), 413, 'body_too_large'],
    [new RequestBodyError('entity.parse.failed', 'Unexpected end of JSON input'), 400, 'malformed_json'],
    [new RequestBodyError('charset.unsupported', 'unsupported charset "LATIN1"'), 415, 'unsupported_charset'],
    [new RequestBodyError('encoding.unsupported', 'unsupported content encoding "gzip"'), 415, 'unsupported_content_encoding'],
  ] as const)('%s → %i %s', (error, status, code) => {
    expect(httpMappingOf(error)).toMatchObject({ status, code });
    expect(toProblem(error)).toMatchObject({ status, code, type: `https://vegvision.dev/problems/${code.replace(/_/g, '-')}` });
  });

  it('library errors carry no HTTP status of their own', () => {
    for (const e of [new EmptyImageError(), new ImageDecodeError('x'), new UnsupportedImageTypeError('x'), new ImageTooLargeError('bytes', 2, 1, 'x')]) {
      expect(e).not.toHaveProperty('status');
    }
  });

  it('anything else is a 500 internal_error whose message is not shown', () => {
    const secret = new Error('ECONNREFUSED 10.0.0.5:5432');
    expect(httpMappingOf(secret)).toBeUndefined();
    expect(httpMappingOf('a string')).toBeUndefined();
    // An error merely shaped like a client error (code + status) is not trusted any more.
    expect(toProblem(Object.assign(new Error('x'), { code: 'bad', status: 400 }))).toMatchObject({ status: 500, code: 'internal_error' });
    expect(toProblem(secret).detail).not.toContain('10.0.0.5');
  });
});
