// Errors as RFC 9457 problem details (application/problem+json) with a stable `code`.
import { ArgumentsHost, Catch, HttpException, HttpStatus, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { httpMappingOf } from './error-table';

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

/** Codes of Nest's own HTTP exceptions (unknown route, and the like), by status. */
const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  413: 'body_too_large',
  415: 'unsupported_content_type',
  429: 'rate_limited',
  503: 'unavailable',
};

export function toProblem(error: unknown, instance?: string): Problem {
  let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
  let code = 'internal_error';
  let detail = 'An unexpected error occurred; it has been logged.';
  let extra: Record<string, unknown> = {};
  const mapped = httpMappingOf(error);
  if (error instanceof ApiProblem) {
    status = error.getStatus();
    code = error.code;
    detail = error.message;
    extra = error.extra;
  } else if (mapped) {
    ({ status, code, detail } = mapped);
    extra = mapped.extra ?? {};
  } else if (error instanceof HttpException) {
    status = error.getStatus();
    code = HTTP_CODES[status] ?? `http_${status}`;
    const response = error.getResponse();
    const message = typeof response === 'object' && response && 'message' in response ? response.message : error.message;
    detail = Array.isArray(message) ? message.join('; ') : String(message);
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
