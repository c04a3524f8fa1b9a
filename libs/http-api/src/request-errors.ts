// Errors of the HTTP edge itself: a request body the parsers refused. They wrap what the
// parser threw (kept as `cause`, for logs) in a class the error table can match.

/** busboy could not parse the multipart body (bad boundary, part header, early end). */
export class MultipartParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MultipartParseError';
  }
}

/** body-parser refused a body; `type` is body-parser's documented error type (e.g. "entity.too.large"). */
export class RequestBodyError extends Error {
  constructor(
    readonly type: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RequestBodyError';
  }
}
