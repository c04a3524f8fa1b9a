// Optional crop before upload: drag over the photo to select the part to upload.
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { I18nService } from '../core/i18n.service';
import { MIN_FRACTION, cropFile, rectFromPoints, toPixels, type CropRect } from './crop';

@Component({
  selector: 'vv-crop-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule],
  template: `
    <section class="crop" data-testid="crop-panel" [attr.aria-label]="i18n.t('upload.cropTitle', { name: file().name })">
      <h2>{{ i18n.t('upload.cropTitle', { name: file().name }) }}</h2>
      <p class="muted">{{ i18n.t('upload.cropHelp') }}</p>
      <div
        class="stage"
        data-testid="crop-stage"
        (pointerdown)="onDown($event)"
        (pointermove)="onMove($event)"
        (pointerup)="onUp($event)"
        (pointercancel)="dragStart = null"
      >
        <img [src]="url()" alt="" draggable="false" (load)="onLoad($event)" />
        @if (rect(); as r) {
          <div
            class="selection"
            data-testid="crop-selection"
            [style.left.%]="r.x * 100"
            [style.top.%]="r.y * 100"
            [style.width.%]="r.width * 100"
            [style.height.%]="r.height * 100"
          ></div>
        }
      </div>
      @if (pixels(); as p) {
        <p class="muted" aria-live="polite">{{ i18n.t('upload.cropSelection', { width: p.sw, height: p.sh }) }}</p>
      }
      <div class="actions">
        <button mat-flat-button type="button" data-testid="crop-upload" [disabled]="!rect() || busy()" (click)="upload()">
          {{ i18n.t('upload.cropUpload') }}
        </button>
        <button mat-stroked-button type="button" data-testid="crop-whole" [disabled]="busy()" (click)="whole.emit(file())">
          {{ i18n.t('upload.cropWhole') }}
        </button>
        <button mat-button type="button" data-testid="crop-skip" [disabled]="busy()" (click)="skip.emit()">
          {{ i18n.t('upload.cropCancel') }}
        </button>
      </div>
    </section>
  `,
  styles: `
    .crop { border: 1px solid var(--mat-sys-outline-variant); border-radius: 12px; padding: 12px 16px; margin: 16px 0; }
    .crop h2 { margin: 0 0 4px; font-size: 1.1rem; word-break: break-all; }
    .stage { position: relative; display: inline-block; max-width: 100%; overflow: hidden; touch-action: none; cursor: crosshair; user-select: none; }
    .stage img { display: block; max-width: 100%; max-height: 60vh; }
    .selection { position: absolute; border: 2px dashed #fff; outline: 1px solid #000; box-shadow: 0 0 0 9999px rgba(0, 0, 0, 0.45); pointer-events: none; }
    .actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
    .muted { color: var(--mat-sys-on-surface-variant); }
  `,
})
export class CropPanelComponent {
  protected readonly i18n = inject(I18nService);
  readonly file = input.required<File>();
  /** The cropped photo. */
  readonly cropped = output<File>();
  /** Upload the photo as it is. */
  readonly whole = output<File>();
  readonly skip = output<void>();

  protected readonly rect = signal<CropRect | null>(null);
  protected readonly busy = signal(false);
  private readonly natural = signal<{ width: number; height: number } | null>(null);
  protected dragStart: { x: number; y: number } | null = null;
  private objectUrl: string | null = null;

  protected readonly url = computed(() => {
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = URL.createObjectURL(this.file());
    return this.objectUrl;
  });
  protected readonly pixels = computed(() => {
    const r = this.rect();
    const n = this.natural();
    return r && n ? toPixels(r, n.width, n.height) : null;
  });

  constructor() {
    inject(DestroyRef).onDestroy(() => this.objectUrl && URL.revokeObjectURL(this.objectUrl));
  }

  protected onLoad(event: Event): void {
    const img = event.target as HTMLImageElement;
    this.natural.set({ width: img.naturalWidth, height: img.naturalHeight });
    this.rect.set(null);
  }

  private point(event: PointerEvent): { x: number; y: number } {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    return { x: (event.clientX - box.left) / box.width, y: (event.clientY - box.top) / box.height };
  }

  protected onDown(event: PointerEvent): void {
    event.preventDefault();
    (event.currentTarget as HTMLElement).setPointerCapture?.(event.pointerId);
    this.dragStart = this.point(event);
  }

  protected onMove(event: PointerEvent): void {
    if (!this.dragStart) return;
    const p = this.point(event);
    this.rect.set(rectFromPoints(this.dragStart.x, this.dragStart.y, p.x, p.y));
  }

  protected onUp(event: PointerEvent): void {
    if (!this.dragStart) return;
    this.onMove(event);
    this.dragStart = null;
    const r = this.rect();
    if (r && (r.width < MIN_FRACTION || r.height < MIN_FRACTION)) this.rect.set(null);
  }

  protected async upload(): Promise<void> {
    const r = this.rect();
    if (!r) return;
    this.busy.set(true);
    try {
      this.cropped.emit(await cropFile(this.file(), r));
    } finally {
      this.busy.set(false);
    }
  }
}
