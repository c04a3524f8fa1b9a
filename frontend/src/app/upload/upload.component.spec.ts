import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { HttpEventType } from '@angular/common/http';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
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
  });
});
