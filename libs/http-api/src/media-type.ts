// What a request says about its body.
import type { Request } from 'express';

/** The media type of the Content-Type header, lower case, without parameters ('' when absent). */
export function mediaTypeOf(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** True when the request carries a body (a length above 0, or chunked). */
export function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
