// Errors as RFC 9457 problem details (application/problem+json) with a stable `code`.
import { ArgumentsHost, Catch, HttpException, HttpStatus, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [extra: string]: unknown;
}

/** An error the API answers with a given status and code. */
export class ApiProblem extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail, status);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  413: 'image_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

export function toProblem(error: unknown, instance?: string): Problem {
  let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
  let code = 'internal_error';
  let detail = 'An unexpected error occurred; it has been logged.';
  let extra: Record<string, unknown> = {};
  const e = error as { code?: unknown; status?: unknown; message?: unknown; name?: unknown };
  if (error instanceof ApiProblem) {
    status = error.getStatus();
    code = error.code;
    detail = error.message;
    extra = error.extra;
  } else if (error instanceof HttpException) {
    status = error.getStatus();
    code = HTTP_CODES[status] ?? `http_${status}`;
    const response = error.getResponse();
    const message = typeof response === 'object' && response && 'message' in response ? response.message : error.message;
    detail = Array.isArray(message) ? message.join('; ') : String(message);
    if (status === 413) detail = 'The upload is larger than the allowed maximum.';
    // multer's wording varies between releases ("Unexpected field", "Unexpected file field").
    if (/Unexpected (file )?field|Too many files/i.test(detail)) {
      status = 400;
      code = 'unexpected_field';
      detail = 'Send the image as a multipart/form-data field named "file" (one file per request).';
    }
    if (/Multipart: Boundary not found|Unexpected end of form|Malformed part header|Unexpected end of file/i.test(detail)) {
      code = 'malformed_multipart';
    }
    // multer's limits on the multipart envelope (fields, parts, field sizes).
    if (status === 400 && /Too many (fields|parts)|Field (name|value) too long/i.test(detail)) {
      code = 'malformed_multipart';
      detail = `${detail}: send only the image, as one multipart/form-data field named "file".`;
    }
  } else if (typeof e?.code === 'string' && typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    // Typed library errors (imaging, classifier...) carry their own status and code.
    status = e.status;
    code = e.code;
    detail = String(e.message);
  } else if (e?.name === 'DomainError' || e?.name === 'ImageNotFoundError') {
    status = e.name === 'ImageNotFoundError' ? 404 : 422;
    code = String(e.code);
    detail = String(e.message);
  }
  return {
    type: `https://vegvision.dev/problems/${code.replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance ? { instance } : {}),
    ...extra,
  };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly onInternal?: (error: unknown, req: Request) => void) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const problem = toProblem(error, req?.originalUrl);
    if (problem.status >= 500) this.onInternal?.(error, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
