import { HttpErrorResponse, HttpEventType, HttpHeaders, provideHttpClient, type HttpEvent } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ApiService, BUSY_RETRIES, busyRetryDelay } from './api.service';
import type { UploadAccepted } from './api.types';

const busy = { status: 503, code: 'server_busy', title: 'Service unavailable', detail: 'busy', retryAfterSeconds: 1 };
const problemHeaders = (retryAfter?: string) =>
  new HttpHeaders({ 'content-type': 'application/problem+json', ...(retryAfter ? { 'Retry-After': retryAfter } : {}) });

describe('ApiService.upload when the server is busy', () => {
  let api: ApiService;
  let http: HttpTestingController;
  const file = () => new File([new Uint8Array([0xff, 0xd8, 0xff])], 'carrot.jpg', { type: 'image/jpeg' });

  beforeEach(() => {
    jest.useFakeTimers();
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    api = TestBed.inject(ApiService);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    http.verify();
    jest.useRealTimers();
  });

  it('asks again after Retry-After and delivers the accepted upload', () => {
    const events: HttpEvent<UploadAccepted>[] = [];
    let failed: unknown;
    api.upload(file()).subscribe({ next: (e) => events.push(e), error: (e) => (failed = e) });
    http.expectOne('/api/images').flush(busy, { status: 503, statusText: 'Service Unavailable', headers: problemHeaders('2') });
    jest.advanceTimersByTime(1900);
    http.expectNone('/api/images'); // not before the 2 s the server asked for
    jest.advanceTimersByTime(700);
    const again = http.expectOne('/api/images');
    expect((again.request.body as FormData).get('file')).toBeInstanceOf(File);
    again.flush({ imageId: 'id-1', duplicate: false }, { status: 202, statusText: 'Accepted' });
    expect(failed).toBeUndefined();
    expect(events.filter((e) => e.type === HttpEventType.Response)).toHaveLength(1);
  });

  it(`gives up after ${BUSY_RETRIES} retries with the server's answer`, () => {
    let failed: unknown;
    api.upload(file()).subscribe({ error: (e) => (failed = e) });
    for (let i = 0; i <= BUSY_RETRIES; i++) {
      http.expectOne('/api/images').flush(busy, { status: 503, statusText: 'Service Unavailable', headers: problemHeaders('1') });
      jest.advanceTimersByTime(1600);
    }
    expect(failed).toBeInstanceOf(HttpErrorResponse);
    expect((failed as HttpErrorResponse).error).toMatchObject({ code: 'server_busy' });
  });

  it('does not retry other failures (a bad image, a server down)', () => {
    for (const [status, body] of [
      [415, { status: 415, code: 'unsupported_media_type' }],
      [503, { status: 503, code: 'unavailable' }],
    ] as const) {
      let failed: unknown;
      api.upload(file()).subscribe({ error: (e) => (failed = e) });
      http.expectOne('/api/images').flush(body, { status, statusText: 'x', headers: problemHeaders('1') });
      jest.advanceTimersByTime(60_000);
      http.expectNone('/api/images');
      expect((failed as HttpErrorResponse).status).toBe(status);
    }
  });

  it('waits at most 30 s whatever Retry-After says, and 1 s when it says nothing usable', () => {
    const delayOf = (retryAfter?: string) => {
      let waited = -1;
      const start = Date.now();
      const error = new HttpErrorResponse({ status: 503, error: busy, headers: problemHeaders(retryAfter) });
      busyRetryDelay(error, () => 0).subscribe(() => (waited = Date.now() - start));
      jest.advanceTimersByTime(120_000);
      return waited;
    };
    expect(delayOf('3600')).toBe(30_000);
    expect(delayOf('5')).toBe(5_000);
    expect(delayOf()).toBe(1_000);
    expect(delayOf('soon')).toBe(1_000);
  });
});
