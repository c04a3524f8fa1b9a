// Reads the one file of a multipart/form-data upload (field "file") into memory with multer,
// within the configured limits. Any other request content type is 415 before a byte of the
// body is read. File names are decoded as UTF-8 (RFC 7578: browsers send UTF-8 bytes in a
// plain `filename=` parameter; busboy's default, latin1, turned "морковь.jpg" into mojibake).
// What multer or busboy throw is classified here by where it comes from (a MulterError, or the
// multipart parser), never by its wording; error-table.ts gives each its answer.
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { CONFIG } from '@vegvision/application';
import type { VegvisionConfig } from '@vegvision/config';
import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import type { Observable } from 'rxjs';
import { mediaTypeOf } from './media-type';
import { ApiProblem } from './problem';
import { MultipartParseError } from './request-errors';

export const UPLOAD_FIELD = 'file';
/** The multipart envelope: the one file and nothing else (a text field is 400 malformed_multipart). */
export const MULTIPART_LIMITS = { files: 1, fields: 0, fieldSize: 8 * 1024, fieldNameSize: 100, parts: 2, headerPairs: 50 } as const;

@Injectable()
export class MultipartFileInterceptor implements NestInterceptor {
  private readonly single: RequestHandler;

  constructor(@Inject(CONFIG) config: VegvisionConfig) {
    this.single = multer({
      storage: multer.memoryStorage(),
      // multer stops reading a file at the size limit (413) instead of buffering all of it.
      limits: { ...MULTIPART_LIMITS, fileSize: config.limits.maxUploadBytes },
      defParamCharset: 'utf8',
    }).single(UPLOAD_FIELD);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const type = mediaTypeOf(req);
    if (type !== 'multipart/form-data') {
      throw new ApiProblem(
        415,
        'unsupported_content_type',
        `Send the image as multipart/form-data (field "${UPLOAD_FIELD}"); the request's Content-Type is ${type ? `"${type.slice(0, 60)}"` : 'missing'}.`,
      );
    }
    await new Promise<void>((resolve, reject) => {
      // The answer may go out while multer still reads (the upload timeout): stop it then.
      const stop = () => {
        if (!req.complete) req.destroy();
      };
      res.once('finish', stop);
      this.single(req, res, (error?: unknown) => {
        res.off('finish', stop);
        if (!error) return resolve();
        if (error instanceof MulterError) return reject(error);
        reject(new MultipartParseError(error instanceof Error ? error.message : String(error), { cause: error }));
      });
    });
    return next.handle();
  }
}
