import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { HttpEventType } from '@angular/common/http';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { I18nService } from '../core/i18n.service';
import { EVENT_SOURCE_FACTORY } from '../core/live-events.service';
import { UploadComponent } from './upload.component';

/** A stand-in EventSource the test drives by hand. */
class FakeEventSource {
  static instances: FakeEventSource[] = [];
  static readonly CLOSED = 2;
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  private readonly listeners = new Map<string, ((m: { data: string }) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, fn: (m: { data: string }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  removeEventListener(type: string, fn: (m: { data: string }) => void): void {
    this.listeners.set(type, (this.listeners.get(type) ?? []).filter((f) => f !== fn));
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  emit(type: string, data: unknown): void {
    for (const fn of this.listeners.get(type) ?? []) fn({ data: JSON.stringify({ type, data }) });
  }
}

describe('UploadComponent', () => {
  let fixture: ComponentFixture<UploadComponent>;
  let http: HttpTestingController;
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e';

  beforeEach(async () => {
    localStorage.clear();
    FakeEventSource.instances = [];
    (globalThis as unknown as { EventSource: unknown }).EventSource = FakeEventSource;
    (URL as unknown as { createObjectURL: unknown }).createObjectURL = () => 'blob:preview';
    (URL as unknown as { revokeObjectURL: unknown }).revokeObjectURL = () => undefined;
    await TestBed.configureTestingModule({
      imports: [UploadComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: EVENT_SOURCE_FACTORY, useValue: (url: string) => new FakeEventSource(url) },
      ],
    }).compileComponents();
    fixture = TestBed.createComponent(UploadComponent);
    http = TestBed.inject(HttpTestingController);
    await fixture.whenStable();
  });

  afterEach(() => http.verify());

  const text = () => (fixture.nativeElement as HTMLElement).textContent ?? '';

  it('uploads with progress, then shows live labels from server-sent events', async () => {
    const file = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'tomato.jpg', { type: 'image/jpeg' });
    fixture.componentInstance.add([file]);
    const req = http.expectOne('/api/images');
    expect(req.request.method).toBe('POST');
    expect((req.request.body as FormData).get('file')).toBeInstanceOf(File);
    req.event({ type: HttpEventType.UploadProgress, loaded: 1, total: 2 });
    await fixture.whenStable();
    expect(text()).toContain('Uploading… 50%');
    expect((fixture.nativeElement as HTMLElement).querySelector('.preview img')?.getAttribute('src')).toBe('blob:preview');

    req.flush({ imageId: id, duplicate: false, status: 'processing' }, { status: 202, statusText: 'Accepted' });
    await fixture.whenStable();
    const source = FakeEventSource.instances[0];
    expect(source.url).toBe(`/api/events?imageId=${id}`);

    // On open the component catches up once; the image is not projected yet.
    source.open();
    http.expectOne(`/api/images/${id}`).flush({ code: 'image_not_found', status: 404 }, { status: 404, statusText: 'Not Found' });
    await fixture.whenStable();
    expect(text()).toContain('Classifying…');

    source.emit('ImageClassified', {
      imageId: id,
      modelVersion: 'v1',
      kind: 'not_a_vegetable',
      confidence: 0.3,
      top: [
        { kind: 'Tomato', confidence: 0.3 },
        { kind: 'Capsicum', confidence: 0.2 },
        { kind: 'Potato', confidence: 0.1 },
      ],
    });
    await fixture.whenStable();
    // A refusal names the closest kind as closest, never "30.0% sure".
    expect(text()).toContain('Not a vegetable— closest kind: Tomato (30.0%)');
    expect(text()).not.toContain('% sure');
    expect((fixture.nativeElement as HTMLElement).querySelectorAll('[data-testid="top3"] li')).toHaveLength(3);
    expect(source.closed).toBe(false);

    source.emit('ColourDetected', {
      imageId: id,
      rgbHex: '#FF0000',
      rybHex: '#FE2712',
      rgbShares: [{ hex: '#FF0000', share: 0.7 }, { hex: '#FF8000', share: 0.3 }],
      rybShares: [{ hex: '#FE2712', share: 1 }],
    });
    await fixture.whenStable();
    expect(text()).toContain('red');
    expect((fixture.nativeElement as HTMLElement).querySelector('[data-testid="upload-item"]')?.getAttribute('data-phase')).toBe('done');
    expect(source.closed).toBe(true);
  });

  it('offers phone formats (AVIF, HEIC) in the file picker', () => {
    const accept = (fixture.nativeElement as HTMLElement).querySelector('[data-testid="file-input"]')?.getAttribute('accept') ?? '';
    for (const type of ['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/heic', 'image/heif', '.heic']) {
      expect(accept.split(',')).toContain(type);
    }
  });

  it('shows a rejected file in words', async () => {
    const file = new File(['hello'], 'notes.txt', { type: 'text/plain' });
    fixture.componentInstance.add([file]);
    http.expectOne('/api/images').flush(
      { type: 'x', title: 'Unsupported media type', status: 415, detail: 'text/plain is not supported', code: 'unsupported_media_type' },
      { status: 415, statusText: 'Unsupported Media Type' },
    );
    await fixture.whenStable();
    const error = (fixture.nativeElement as HTMLElement).querySelector('[data-testid="upload-error"]');
    expect(error?.textContent).toContain('This file is not a still JPEG, PNG, WebP, AVIF or HEIC image (animations are not accepted).');
    expect(text()).toContain('No preview');
    expect(FakeEventSource.instances).toHaveLength(0);
    // The same file would be refused again: no retry, but it can be taken off the list.
    expect(el().querySelector('[data-testid="upload-retry"]')).toBeNull();
    expect(el().querySelector('[data-testid="upload-remove"]')?.getAttribute('aria-label')).toBe('Remove notes.txt from this list');
  });

  const el = () => fixture.nativeElement as HTMLElement;
  const items = () => Array.from(el().querySelectorAll<HTMLElement>('[data-testid="upload-item"]'));
  const item = (name: string) => items().find((i) => i.querySelector('.name')?.textContent?.trim() === name);
  const button = (name: string, action: 'retry' | 'remove' | 'cancel') =>
    item(name)?.querySelector<HTMLButtonElement>(`[data-testid="upload-${action}"]`) ?? null;
  const summary = () => el().querySelector('[data-testid="upload-summary"]')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
  const jpeg = (name: string) => new File([new Uint8Array([0xff, 0xd8, 0xff])], name, { type: 'image/jpeg' });
  const accepted = (imageId: string) => ({ imageId, duplicate: false, status: 'processing' });
  const labelledImage = (imageId: string) => ({
    imageId,
    kind: 'Tomato',
    confidence: 0.9,
    top: [{ kind: 'Tomato', confidence: 0.9 }],
    modelVersion: 'v1',
    rgbHex: '#FF0000',
    rybHex: '#FE2712',
    rgbShares: [{ hex: '#FF0000', share: 1 }],
    rybShares: [{ hex: '#FE2712', share: 1 }],
  });
  /** Accepts an upload, then answers the catch-up fetch with both labels. */
  const finish = async (req: ReturnType<HttpTestingController['expectOne']>, imageId: string) => {
    req.flush(accepted(imageId), { status: 202, statusText: 'Accepted' });
    await fixture.whenStable();
    FakeEventSource.instances.at(-1)!.open();
    http.expectOne(`/api/images/${imageId}`).flush(labelledImage(imageId));
    await fixture.whenStable();
  };
  const id2 = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
  const id3 = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

  it('sums up the batch, retries a failure that may pass, and removes items', async () => {
    fixture.componentInstance.add([jpeg('a.jpg'), jpeg('b.jpg'), new File(['hi'], 'c.txt', { type: 'text/plain' }), jpeg('d.jpg')]);
    const [a, b, c, d] = http.match('/api/images');
    await fixture.whenStable();
    expect(summary()).toContain('0 of 4 finished');
    expect(summary()).toContain('4 files uploading');
    expect(el().querySelector('[data-testid="summary-bar"]')?.getAttribute('aria-valuenow')).toBe('0');
    expect(el().querySelector('[data-testid="upload-summary"] [aria-live="polite"]')).not.toBeNull();

    await finish(a, id);
    b.flush(accepted(id2), { status: 202, statusText: 'Accepted' });
    c.flush({ status: 415, code: 'unsupported_media_type', title: 'x', type: 'x' }, { status: 415, statusText: 'Unsupported Media Type' });
    d.flush({ status: 503, title: 'Service Unavailable', type: 'x' }, { status: 503, statusText: 'Service Unavailable' });
    await fixture.whenStable();
    expect(summary()).toContain('3 of 4 finished');
    expect(summary()).toContain('1 photo labelled');
    expect(summary()).toContain('2 uploads failed');
    expect(summary()).toContain('1 photo waiting for labels');
    expect(summary()).not.toContain('uploading');
    expect(el().querySelector('[data-testid="summary-bar"]')?.getAttribute('aria-valuenow')).toBe('75');

    // 415: the error in words, no retry; 503: retry.
    expect(item('c.txt')?.textContent).toContain('This file is not a still JPEG');
    expect(button('c.txt', 'retry')).toBeNull();
    expect(button('d.jpg', 'retry')?.getAttribute('aria-label')).toBe('Upload d.jpg again');
    expect(item('d.jpg')?.textContent).toContain('The service is temporarily unavailable');
    // The uploaded photo stays in the catalog when removed from the list, and says so.
    expect(button('a.jpg', 'remove')?.getAttribute('aria-label')).toBe('Remove a.jpg from this list (the photo stays in the catalog)');
    expect(button('b.jpg', 'remove')).not.toBeNull();
    expect(button('b.jpg', 'cancel')).toBeNull();

    button('d.jpg', 'retry')!.click();
    await fixture.whenStable();
    expect(item('d.jpg')?.getAttribute('data-phase')).toBe('uploading');
    expect(items().map((i) => i.querySelector('.name')?.textContent?.trim())).toEqual(['a.jpg', 'b.jpg', 'c.txt', 'd.jpg']);
    const again = http.expectOne('/api/images');
    expect((again.request.body as FormData).get('file')).toBeInstanceOf(File);
    expect(((again.request.body as FormData).get('file') as File).name).toBe('d.jpg');
    await finish(again, id3);
    expect(item('d.jpg')?.getAttribute('data-phase')).toBe('done');
    expect(summary()).toContain('3 of 4 finished');
    expect(summary()).toContain('2 photos labelled');
    expect(summary()).toContain('1 upload failed');

    button('c.txt', 'remove')!.click();
    await fixture.whenStable();
    expect(item('c.txt')).toBeUndefined();
    // the focus moves to the next item's first action, not lost with the removed button
    expect(document.activeElement).toBe(button('d.jpg', 'remove'));
    expect(summary()).toContain('2 of 3 finished');
    expect(summary()).not.toContain('failed');

    // Removing an item that waits for labels stops following it.
    const bSource = FakeEventSource.instances.find((s) => s.url.endsWith(id2))!;
    button('b.jpg', 'remove')!.click();
    await fixture.whenStable();
    expect(bSource.closed).toBe(true);
    expect(summary()).toContain('2 of 2 finished');
    expect(el().querySelector('[data-testid="summary-bar"]')?.getAttribute('aria-valuenow')).toBe('100');
  });

  it('cancels an upload in flight (the request is aborted); it can then be retried or removed', async () => {
    fixture.componentInstance.add([jpeg('big.jpg')]);
    const req = http.expectOne('/api/images');
    req.event({ type: HttpEventType.UploadProgress, loaded: 1, total: 4 });
    await fixture.whenStable();
    expect(button('big.jpg', 'remove')).toBeNull();
    expect(button('big.jpg', 'retry')).toBeNull();
    expect(button('big.jpg', 'cancel')?.getAttribute('aria-label')).toBe('Cancel the upload of big.jpg');
    button('big.jpg', 'cancel')!.click();
    await fixture.whenStable();
    expect(req.cancelled).toBe(true);
    expect(document.activeElement).toBe(button('big.jpg', 'retry'));
    expect(item('big.jpg')?.getAttribute('data-phase')).toBe('cancelled');
    expect(item('big.jpg')?.textContent).toContain('Upload cancelled.');
    expect(summary()).toContain('1 of 1 finished');
    expect(summary()).toContain('1 upload cancelled');
    expect(button('big.jpg', 'cancel')).toBeNull();
    expect(button('big.jpg', 'remove')?.getAttribute('aria-label')).toBe('Remove big.jpg from this list');

    button('big.jpg', 'retry')!.click();
    await fixture.whenStable();
    expect(document.activeElement).toBe(button('big.jpg', 'cancel'));
    await finish(http.expectOne('/api/images'), id);
    expect(item('big.jpg')?.getAttribute('data-phase')).toBe('done');
    button('big.jpg', 'remove')!.click();
    await fixture.whenStable();
    expect(items()).toHaveLength(0);
    expect(el().querySelector('[data-testid="upload-summary"]')).toBeNull();
    expect(document.activeElement).toBe(el().querySelector('[data-testid="choose-files"]'));
  });

  it('clear finished keeps the items still uploading or waiting for labels', async () => {
    fixture.componentInstance.add([jpeg('done.jpg'), jpeg('sending.jpg'), jpeg('waiting.jpg'), new File(['x'], 'bad.txt', { type: 'text/plain' })]);
    const [done, sending, waiting, bad] = http.match('/api/images');
    const clear = () => el().querySelector<HTMLButtonElement>('[data-testid="clear-finished"]')!;
    await fixture.whenStable();
    expect(clear().disabled).toBe(true);
    await finish(done, id);
    waiting.flush(accepted(id2), { status: 202, statusText: 'Accepted' });
    bad.flush({ status: 415, code: 'unsupported_media_type', title: 'x', type: 'x' }, { status: 415, statusText: 'Unsupported Media Type' });
    await fixture.whenStable();
    expect(clear().textContent?.trim()).toBe('Clear finished');
    expect(clear().disabled).toBe(false);
    clear().click();
    await fixture.whenStable();
    expect(items().map((i) => [i.querySelector('.name')?.textContent?.trim(), i.getAttribute('data-phase')])).toEqual([
      ['sending.jpg', 'uploading'],
      ['waiting.jpg', 'processing'],
    ]);
    expect(clear().disabled).toBe(true);
    expect(document.activeElement).toBe(el().querySelector('[data-testid="results-heading"]'));
    expect(summary()).toContain('0 of 2 finished');
    sending.flush(accepted(id3), { status: 202, statusText: 'Accepted' });
  });

  it('says the summary in Russian with its plural forms', async () => {
    TestBed.inject(I18nService).setLang('ru');
    const files = Array.from({ length: 5 }, (_, i) => jpeg(`${i}.jpg`));
    fixture.componentInstance.add(files);
    const reqs = http.match('/api/images');
    await fixture.whenStable();
    expect(summary()).toContain('Завершено: 0 из 5');
    expect(summary()).toContain('5 файлов загружается');
    reqs[0].flush({ status: 503, title: 'x', type: 'x' }, { status: 503, statusText: 'Service Unavailable' });
    reqs[1].flush({ status: 503, title: 'x', type: 'x' }, { status: 503, statusText: 'Service Unavailable' });
    await finish(reqs[2], id);
    await fixture.whenStable();
    expect(summary()).toContain('Завершено: 3 из 5');
    expect(summary()).toContain('2 загрузки не удались');
    expect(summary()).toContain('1 изображение размечено');
    expect(summary()).toContain('2 файла загружаются');
    expect(button('0.jpg', 'retry')?.textContent?.trim()).toBe('Повторить');
    reqs[3].flush(accepted(id2), { status: 202, statusText: 'Accepted' });
    reqs[4].flush(accepted(id3), { status: 202, statusText: 'Accepted' });
    await fixture.whenStable();
    expect(summary()).toContain('2 изображения ждут меток');
    expect(button('3.jpg', 'remove')?.getAttribute('aria-label')).toBe('Убрать 3.jpg из этого списка (фото останется в каталоге)');
  });
});
