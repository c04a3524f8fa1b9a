import { HttpErrorResponse } from '@angular/common/http';
import { UploadBatch, canCancel, canRemove, canRetry, isFinished, isRetryableError, summarize } from './upload-batch';
import { UploadTask } from './upload-task';

const file = () => new File([new Uint8Array([0xff, 0xd8, 0xff])], 'a.jpg', { type: 'image/jpeg' });
const task = (name = 'a.jpg') => new UploadTask(name, 3, null, file());
const labelled = (t: UploadTask, id = `id-${t.id}`) => {
  t.accepted(id, false);
  t.applyImage({ imageId: id, kind: 'Tomato', confidence: 0.9, top: [], modelVersion: 'v1', rgbHex: '#FF0000', rybHex: '#FE2712', rgbShares: [], rybShares: [] } as never);
  return t;
};
const httpError = (status: number, code?: string) =>
  new HttpErrorResponse({ status, error: code ? { status, code, title: 'x', type: 'x' } : null });

describe('isRetryableError', () => {
  it('retries what another try may get past: no connection, timeouts, rate limits, server errors', () => {
    expect(isRetryableError(httpError(0))).toBe(true);
    expect(isRetryableError(httpError(408))).toBe(true);
    expect(isRetryableError(httpError(429, 'rate_limited'))).toBe(true);
    expect(isRetryableError(httpError(500, 'internal_error'))).toBe(true);
    expect(isRetryableError(httpError(503))).toBe(true);
    expect(isRetryableError(httpError(503, 'server_busy'))).toBe(true);
    expect(isRetryableError(httpError(400, 'malformed_multipart'))).toBe(true);
  });

  it('does not retry a refusal of the file itself, which would fail the same way again', () => {
    expect(isRetryableError(httpError(415, 'unsupported_media_type'))).toBe(false);
    expect(isRetryableError(httpError(413, 'payload_too_large'))).toBe(false);
    expect(isRetryableError(httpError(422, 'image_too_large'))).toBe(false);
    expect(isRetryableError(httpError(400, 'corrupt_image'))).toBe(false);
    expect(isRetryableError(httpError(400, 'empty_file'))).toBe(false);
    // the upload worked; only the live stream was lost
    expect(isRetryableError({ status: 0, code: 'live_lost' })).toBe(false);
  });
});

describe('item actions', () => {
  it('uploading: cancel only', () => {
    const t = task();
    expect([canCancel(t), canRetry(t), canRemove(t), isFinished(t)]).toEqual([true, false, false, false]);
  });

  it('cancelled: retry and remove, counted as finished', () => {
    const t = task();
    t.progress.set(40);
    t.cancelled();
    expect(t.phase()).toBe('cancelled');
    expect(t.progress()).toBe(0);
    expect([canCancel(t), canRetry(t), canRemove(t), isFinished(t)]).toEqual([false, true, true, true]);
  });

  it('cancel does nothing once the file is uploaded', () => {
    const t = task();
    t.accepted('x', false);
    t.cancelled();
    expect(t.phase()).toBe('processing');
  });

  it('failed with a 503: retry and remove; with a 415 or 413: remove only', () => {
    const busy = task();
    busy.failed(httpError(503));
    expect([canRetry(busy), canRemove(busy), isFinished(busy)]).toEqual([true, true, true]);
    for (const [status, code] of [[415, 'unsupported_media_type'], [413, 'payload_too_large']] as const) {
      const refused = task();
      refused.failed(httpError(status, code));
      expect([canRetry(refused), canRemove(refused), canCancel(refused)]).toEqual([false, true, false]);
    }
  });

  it('no retry without the file', () => {
    const t = new UploadTask('a.jpg', 3, null);
    t.failed(httpError(503));
    expect(canRetry(t)).toBe(false);
  });

  it('processing and done: remove only; processing is not finished', () => {
    const processing = task();
    processing.accepted('x', false);
    expect([canCancel(processing), canRetry(processing), canRemove(processing), isFinished(processing)]).toEqual([false, false, true, false]);
    const done = labelled(task());
    expect(done.phase()).toBe('done');
    expect([canCancel(done), canRetry(done), canRemove(done), isFinished(done)]).toEqual([false, false, true, true]);
  });

  it('restart clears the previous try', () => {
    const t = task();
    t.accepted('x', true);
    t.error.set({ status: 0, code: 'live_lost' });
    t.restart();
    expect(t.phase()).toBe('uploading');
    expect([t.progress(), t.imageId(), t.duplicate(), t.error(), t.classification(), t.colours()]).toEqual([0, null, false, null, null, null]);
  });
});

describe('summarize', () => {
  it('counts each phase; the percentage is of finished items', () => {
    const a = labelled(task());
    const b = labelled(task());
    const c = task();
    c.failed(httpError(415, 'unsupported_media_type'));
    const d = task();
    d.accepted('d', false);
    const e = task();
    const f = task();
    f.cancelled();
    expect(summarize([a, b, c, d, e, f])).toEqual({
      total: 6,
      finished: 4,
      done: 2,
      failed: 1,
      cancelled: 1,
      uploading: 1,
      processing: 1,
      percent: 67,
    });
  });

  it('an empty list is 0 of 0 at 0%', () => {
    expect(summarize([])).toMatchObject({ total: 0, finished: 0, percent: 0 });
  });
});

describe('UploadBatch', () => {
  it('adds new items on top, and its summary follows the phases', () => {
    const batch = new UploadBatch();
    const first = task('1.jpg');
    const second = task('2.jpg');
    batch.add([first]);
    batch.add([second]);
    expect(batch.items().map((t) => t.name)).toEqual(['2.jpg', '1.jpg']);
    expect(batch.summary()).toMatchObject({ total: 2, finished: 0, uploading: 2 });
    expect(batch.hasFinished()).toBe(false);
    labelled(first);
    expect(batch.summary()).toMatchObject({ total: 2, finished: 1, done: 1, uploading: 1, percent: 50 });
    expect(batch.hasFinished()).toBe(true);
  });

  it('removes an item that is not uploading, and refuses one that is', () => {
    const batch = new UploadBatch();
    const uploading = task();
    const failed = task();
    failed.failed(httpError(415, 'unsupported_media_type'));
    batch.add([uploading, failed]);
    expect(batch.remove(uploading.id)).toBeUndefined();
    expect(batch.remove(failed.id)).toBe(failed);
    expect(batch.items()).toEqual([uploading]);
    expect(batch.remove(12345)).toBeUndefined();
  });

  it('clear finished takes labelled, failed and cancelled items, never uploading or processing ones', () => {
    const batch = new UploadBatch();
    const done = labelled(task());
    const failed = task();
    failed.failed(httpError(503));
    const cancelled = task();
    cancelled.cancelled();
    const uploading = task();
    const processing = task();
    processing.accepted('p', false);
    // a processing item whose live stream was lost is still not finished
    const lost = task();
    lost.accepted('l', false);
    lost.error.set({ status: 0, code: 'live_lost' });
    batch.add([done, failed, cancelled, uploading, processing, lost]);
    expect(batch.clearFinished()).toEqual([done, failed, cancelled]);
    expect(batch.items()).toEqual([uploading, processing, lost]);
    expect(batch.hasFinished()).toBe(false);
    expect(batch.clearFinished()).toEqual([]);
    expect(batch.clearAll()).toEqual([uploading, processing, lost]);
    expect(batch.items()).toEqual([]);
  });
});
