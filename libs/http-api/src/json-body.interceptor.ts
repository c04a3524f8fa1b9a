// Parses a small JSON request body for the one route that takes one (POST /api/admin/relabel).
// No other route parses a body at all: a body sent to them is never read into memory, so its
// size, parameter count or nesting cannot cause an error there. Any content type but
// application/json is 415; body-parser's refusals are mapped by error-table.ts (413, 400, 415).
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import express, { type Request, type Response } from 'express';
import type { Observable } from 'rxjs';
import { hasBody, mediaTypeOf } from './media-type';
import { ApiProblem } from './problem';
import { RequestBodyError } from './request-errors';

export const JSON_BODY_LIMIT_BYTES = 16 * 1024;

const parse = express.json({ limit: JSON_BODY_LIMIT_BYTES, strict: true, inflate: false, type: () => true });

@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    if (!hasBody(req)) {
      req.body = undefined;
      return next.handle();
    }
    const type = mediaTypeOf(req);
    if (type !== 'application/json') {
      throw new ApiProblem(415, 'unsupported_content_type', `Send the body as application/json; the request's Content-Type is ${type ? `"${type.slice(0, 60)}"` : 'missing'}.`);
    }
    await new Promise<void>((resolve, reject) =>
      parse(req, res, (error?: unknown) => {
        if (!error) return resolve();
        const e = error as { type?: unknown; message?: unknown };
        reject(new RequestBodyError(typeof e.type === 'string' ? e.type : 'unknown', String(e.message ?? error), { cause: error }));
      }),
    );
    return next.handle();
  }
}
