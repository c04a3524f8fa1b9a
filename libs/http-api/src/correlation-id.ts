// X-Correlation-Id: a client may name the correlation id of what its request starts (it is
// copied into every event of the image). It is bounded and of a safe alphabet; anything else is
// refused (400 `invalid_correlation_id`) rather than silently replaced, so a client that relies
// on its id learns at once that it was not used.
import type { Request } from 'express';
import { ApiProblem } from './problem';

export const CORRELATION_ID_HEADER = 'x-correlation-id';
export const CORRELATION_ID_MAX_LENGTH = 128;
/** Letters, digits and `._:-`, starting with a letter or digit, 1 to 128 characters (a UUID fits). */
export const CORRELATION_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';
const CORRELATION_ID_RE = new RegExp(CORRELATION_ID_PATTERN);

/** The client's correlation id, undefined when it sent none. */
export function correlationIdOf(req: Request): string | undefined {
  const raw = req.headers[CORRELATION_ID_HEADER];
  if (raw === undefined) return undefined;
  // Node joins repeated X- headers with ", ", which the pattern refuses.
  if (typeof raw !== 'string' || raw.length > CORRELATION_ID_MAX_LENGTH || !CORRELATION_ID_RE.test(raw)) {
    const shown = String(raw).slice(0, 40);
    throw new ApiProblem(
      400,
      'invalid_correlation_id',
      `X-Correlation-Id must be 1 to ${CORRELATION_ID_MAX_LENGTH} letters, digits or "._:-", starting with a letter or digit (got "${shown}"${String(raw).length > 40 ? '…' : ''}, ${String(raw).length} characters).`,
    );
  }
  return raw;
}
