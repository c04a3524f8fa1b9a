// Turns any API or network failure into a sentence a person understands, in the current language.
import { HttpErrorResponse } from '@angular/common/http';
import type { Problem } from './api.types';
import { isMessageKey, type I18nService } from './i18n.service';

/** The problem+json body of a failed response, or what can be told of the failure. */
export function problemOf(error: unknown): Problem & { status: number } {
  if (error instanceof HttpErrorResponse) {
    let body: unknown = error.error;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        body = undefined;
      }
    }
    const problem = body && typeof body === 'object' ? (body as Problem) : {};
    return {
      ...problem,
      status: typeof problem.status === 'number' ? problem.status : error.status,
      code: typeof problem.code === 'string' ? problem.code : error.status === 0 ? 'network' : undefined,
    };
  }
  if (error && typeof error === 'object') {
    const e = error as Problem;
    return { ...e, status: typeof e.status === 'number' ? e.status : 0 };
  }
  return { status: 0 };
}

/**
 * The translated message for a failure: the message of its `code` when known, else the
 * server's `detail`, else a generic message with the HTTP status.
 */
export function errorMessage(error: unknown, i18n: Pick<I18nService, 't'>): string {
  const problem = problemOf(error);
  if (problem.code) {
    const key = `error.${problem.code}`;
    if (isMessageKey(key)) return i18n.t(key);
  }
  if (problem.detail) return problem.detail;
  if (problem.status === 0) return i18n.t('error.network');
  if (problem.status === 404) return i18n.t('error.not_found');
  if (problem.status === 429) return i18n.t('error.rate_limited');
  if (problem.status === 503) return i18n.t('error.unavailable');
  if (problem.status >= 500) return i18n.t('error.internal_error');
  return i18n.t('error.generic', { status: problem.status });
}
