import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { errorMessage, problemOf } from './errors';
import { I18nService } from './i18n.service';

function httpError(status: number, body: unknown): HttpErrorResponse {
  return new HttpErrorResponse({
    status,
    error: body,
    url: '/api/images',
    headers: new HttpHeaders({ 'content-type': 'application/problem+json' }),
  });
}

const problem = (code: string, detail: string, status = 400) => ({
  type: `https://vegvision.dev/problems/${code}`,
  title: 'Bad request',
  status,
  detail,
  code,
});

describe('error messages', () => {
  let i18n: I18nService;
  beforeEach(() => {
    localStorage.clear();
    TestBed.resetTestingModule();
    i18n = TestBed.inject(I18nService);
  });

  it('maps a known problem code to a translated sentence', () => {
    const error = httpError(415, problem('unsupported_media_type', 'Unsupported media type: text/plain', 415));
    expect(errorMessage(error, i18n)).toBe('This file is not a still JPEG, PNG, WebP, AVIF or HEIC image (animations are not accepted).');
    i18n.setLang('ru');
    expect(errorMessage(error, i18n)).toBe('Этот файл — не неподвижное изображение JPEG, PNG, WebP, AVIF или HEIC (анимации не принимаются).');
  });

  it('maps the browse filter codes', () => {
    expect(errorMessage(httpError(400, problem('palette_required', 'x')), i18n)).toBe('Choose a palette before choosing a colour.');
    expect(errorMessage(httpError(400, problem('invalid_count', 'x')), i18n)).toBe('The number of images must be between 1 and 9.');
    expect(errorMessage(httpError(404, problem('image_not_found', 'x', 404)), i18n)).toBe(
      'This image does not exist, or it is still being processed.',
    );
  });

  it('falls back to the server detail for a code it does not know', () => {
    const error = httpError(422, problem('brand_new_code', 'The server explains it in its own words.', 422));
    expect(errorMessage(error, i18n)).toBe('The server explains it in its own words.');
  });

  it('parses a problem sent as text', () => {
    const error = httpError(400, JSON.stringify(problem('empty_file', 'empty')));
    expect(problemOf(error)).toMatchObject({ code: 'empty_file', status: 400 });
    expect(errorMessage(error, i18n)).toBe('This file is empty.');
  });

  it('explains network failures and bodiless statuses', () => {
    expect(errorMessage(httpError(0, new ProgressEvent('error')), i18n)).toBe(
      'Cannot reach the server. Check your connection and try again.',
    );
    expect(errorMessage(httpError(502, '<html>bad gateway</html>'), i18n)).toBe('Something went wrong on the server. Try again later.');
    expect(errorMessage(httpError(503, null), i18n)).toBe('The service is temporarily unavailable. Try again later.');
    expect(errorMessage(httpError(418, null), i18n)).toBe('Something went wrong (418).');
  });

  it('accepts plain problem objects (from the live event stream)', () => {
    expect(errorMessage({ status: 0, code: 'live_lost' }, i18n)).toMatch(/Lost the live connection/);
    expect(errorMessage(undefined, i18n)).toBe('Cannot reach the server. Check your connection and try again.');
  });
});
