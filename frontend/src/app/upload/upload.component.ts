// Upload: drag-and-drop or file picker (several files), local preview, progress, then live
// results over server-sent events (no polling). The list is one batch with an overall summary;
// each item can be cancelled while it uploads, retried when it failed in a way another try may
// fix, and removed from the list (the photo, once uploaded, stays in the catalog).
import { HttpEventType } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, Injector, afterNextRender, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { RouterLink } from '@angular/router';
import { EMPTY, Subscription, catchError, concatMap, filter, from, of, takeWhile, tap } from 'rxjs';
import { ApiService } from '../core/api.service';
import type { PaletteName } from '../core/api.types';
import { NOT_A_VEGETABLE } from '../core/catalog';
import { errorMessage } from '../core/errors';
import { I18nService } from '../core/i18n.service';
import { LiveEventsService } from '../core/live-events.service';
import { ColourChipComponent } from '../shared/colour-chip.component';
import { KindBadgeComponent } from '../shared/kind-badge.component';
import { ShareBarComponent } from '../shared/share-bar.component';
import { CropPanelComponent } from './crop-panel.component';
import { UploadBatch, canCancel, canRemove, canRetry } from './upload-batch';
import { UploadTask } from './upload-task';

const PREVIEWABLE = /^image\/(jpeg|png|webp|gif|avif|bmp)$/;

@Component({
  selector: 'vv-upload',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, MatButtonModule, MatCheckboxModule, MatProgressBarModule, MatTooltipModule, CropPanelComponent, KindBadgeComponent, ColourChipComponent, ShareBarComponent],
  template: `
    <h1>{{ i18n.t('upload.title') }}</h1>
    <div
      class="dropzone"
      data-testid="dropzone"
      [class.over]="dragOver()"
      (dragenter)="onDragOver($event)"
      (dragover)="onDragOver($event)"
      (dragleave)="dragOver.set(false)"
      (drop)="onDrop($event)"
    >
      <div class="drop-art" aria-hidden="true">⇪</div>
      <p class="drop-title">{{ dragOver() ? i18n.t('upload.dropActive') : i18n.t('upload.drop') }}</p>
      <p class="muted">{{ i18n.t('upload.or') }}</p>
      <button mat-flat-button type="button" data-testid="choose-files" (click)="input.click()">{{ i18n.t('upload.choose') }}</button>
      <p class="muted hint">{{ i18n.t('upload.hint') }}</p>
      <input
        #input
        class="visually-hidden"
        type="file"
        multiple
        accept="image/jpeg,image/png,image/webp,image/avif,image/heic,image/heif,.avif,.heic,.heif"
        data-testid="file-input"
        tabindex="-1"
        aria-hidden="true"
        (change)="onPicked(input)"
      />
    </div>
    <mat-checkbox class="crop-toggle" data-testid="crop-toggle" [checked]="cropEnabled()" (change)="cropEnabled.set($event.checked)">
      {{ i18n.t('upload.cropToggle') }}
    </mat-checkbox>

    @if (pendingCrop().length) {
      <vv-crop-panel
        [file]="pendingCrop()[0]"
        (cropped)="takeCropped($event)"
        (whole)="takeCropped($event)"
        (skip)="nextCrop()"
      />
    }

    @if (tasks().length) {
      <section class="results" [attr.aria-label]="i18n.t('upload.results')">
        <div class="results-head">
          <h2 tabindex="-1" data-testid="results-heading">{{ i18n.t('upload.results') }}</h2>
          <button mat-button type="button" data-testid="clear-finished" [disabled]="!batch.hasFinished()" (click)="clear()">
            {{ i18n.t('upload.clearFinished') }}
          </button>
        </div>
        @if (batch.summary(); as s) {
          <div class="summary" data-testid="upload-summary">
            <div class="summary-text" aria-live="polite" aria-atomic="true">
              <strong data-testid="summary-count">{{ i18n.t('upload.summary', { finished: s.finished, total: s.total }) }}</strong>
              <span class="summary-parts">
                <span data-testid="summary-done">{{ i18n.t('upload.summaryDone', { n: s.done }) }}</span>
                @if (s.failed) {
                  <span class="summary-failed" data-testid="summary-failed">{{ i18n.t('upload.summaryFailed', { n: s.failed }) }}</span>
                }
                @if (s.cancelled) {
                  <span data-testid="summary-cancelled">{{ i18n.t('upload.summaryCancelled', { n: s.cancelled }) }}</span>
                }
                @if (s.processing) {
                  <span data-testid="summary-processing">{{ i18n.t('upload.summaryProcessing', { n: s.processing }) }}</span>
                }
                @if (s.uploading) {
                  <span data-testid="summary-uploading">{{ i18n.t('upload.summaryUploading', { n: s.uploading }) }}</span>
                }
              </span>
            </div>
            <mat-progress-bar mode="determinate" data-testid="summary-bar" [value]="s.percent" [attr.aria-label]="i18n.t('upload.summaryBar')" />
          </div>
        }
        <ul class="list">
          @for (task of tasks(); track task.id) {
            <li class="item" data-testid="upload-item" [attr.data-item]="task.id" [attr.data-phase]="task.phase()">
              <div class="preview">
                @if (task.previewUrl) {
                  <img [src]="task.previewUrl" alt="" />
                } @else {
                  <span class="muted">{{ i18n.t('upload.noPreview') }}</span>
                }
              </div>
              <div class="body">
                <div class="name" [title]="task.name">{{ task.name }}</div>
                @switch (task.phase()) {
                  @case ('uploading') {
                    <div aria-live="polite">{{ i18n.t('upload.uploading', { progress: task.progress() }) }}</div>
                    <mat-progress-bar mode="determinate" [value]="task.progress()" [attr.aria-label]="task.name" />
                  }
                  @case ('error') {
                    <div class="error-box" role="alert" data-testid="upload-error">
                      <strong>{{ i18n.t('upload.failed') }}:</strong> {{ message(task.error()) }}
                    </div>
                  }
                  @case ('cancelled') {
                    <div class="muted" data-testid="upload-cancelled">{{ i18n.t('upload.cancelled') }}</div>
                  }
                  @default {
                    @if (task.duplicate()) {
                      <div class="muted">{{ i18n.t('upload.duplicate') }}</div>
                    }
                    <div class="live" aria-live="polite">
                      @if (task.classification(); as c) {
                        <div class="kind-row">
                          <vv-kind-badge [kind]="c.kind" [confidence]="c.confidence" [top]="c.top" />
                        </div>
                        @if (c.kind === notAVegetable) {
                          <div class="reject" data-testid="not-vegetable">{{ i18n.t('upload.notVegetableHint') }}</div>
                        }
                        <div class="small-label">{{ i18n.t(c.kind === notAVegetable ? 'upload.closest' : 'image.top3') }}</div>
                        <ol class="top" [attr.aria-label]="i18n.t('image.top3')" data-testid="top3">
                          @for (s of c.top.slice(0, 3); track s.kind) {
                            <li>
                              <span class="top-name">{{ i18n.kind(s.kind) }}</span>
                              <span class="top-bar" aria-hidden="true"><span [style.width.%]="s.confidence * 100"></span></span>
                              <span class="top-value">{{ i18n.percent(s.confidence) }}%</span>
                            </li>
                          }
                        </ol>
                      } @else {
                        <div class="muted">{{ i18n.t('upload.classifying') }}</div>
                      }
                      @if (task.colours(); as col) {
                        <div class="colours" data-testid="colours">
                          @for (p of palettes; track p) {
                            <div class="colour-row">
                              <vv-colour-chip [palette]="p" [hex]="p === 'RGB' ? col.rgbHex : col.rybHex" />
                              <vv-share-bar [palette]="p" [shares]="p === 'RGB' ? col.rgbShares : col.rybShares" />
                            </div>
                          }
                        </div>
                      } @else {
                        <div class="muted">{{ i18n.t('upload.detectingColours') }}</div>
                      }
                      @if (task.error()) {
                        <div class="error-box" role="alert">{{ message(task.error()) }}</div>
                      }
                    </div>
                    @if (task.phase() === 'processing') {
                      <mat-progress-bar mode="indeterminate" [attr.aria-label]="i18n.t('upload.waiting')" />
                    }
                    @if (task.imageId(); as id) {
                      <a mat-button [routerLink]="['/images', id]" data-testid="open-image">{{ i18n.t('upload.openImage') }}</a>
                    }
                  }
                }
                <div class="actions">
                  @if (canCancel(task)) {
                    <button mat-button type="button" data-testid="upload-cancel" [attr.aria-label]="i18n.t('upload.cancelLabel', { name: task.name })" (click)="cancel(task)">
                      {{ i18n.t('upload.cancel') }}
                    </button>
                  }
                  @if (canRetry(task)) {
                    <button mat-stroked-button type="button" data-testid="upload-retry" [attr.aria-label]="i18n.t('upload.retryLabel', { name: task.name })" (click)="retry(task)">
                      {{ i18n.t('upload.retry') }}
                    </button>
                  }
                  @if (canRemove(task)) {
                    <button
                      mat-button
                      type="button"
                      data-testid="upload-remove"
                      [attr.aria-label]="removeLabel(task)"
                      [matTooltip]="removeLabel(task)"
                      (click)="remove(task)"
                    >
                      {{ i18n.t('upload.remove') }}
                    </button>
                  }
                </div>
              </div>
            </li>
          }
        </ul>
      </section>
    }
  `,
  styles: `
    .crop-toggle { display: block; margin: 8px 0 0; }
    .dropzone {
      display: flex; flex-direction: column; align-items: center; gap: 4px; padding: 32px 16px; text-align: center;
      border: 2px dashed var(--mat-sys-outline); border-radius: 20px; background: var(--mat-sys-surface-container-low);
    }
    .dropzone.over { border-color: var(--mat-sys-primary); background: var(--mat-sys-primary-container); }
    .drop-art { font-size: 40px; line-height: 1; color: var(--mat-sys-primary); }
    .drop-title { font: var(--mat-sys-title-medium); margin: 8px 0 0; }
    .dropzone p { margin: 4px 0; }
    .hint { font: var(--mat-sys-body-small); }
    .results { margin-top: 24px; }
    .results-head { display: flex; align-items: center; justify-content: space-between; }
    .summary { display: grid; gap: 6px; margin: 0 0 16px; }
    .summary-text { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; }
    .summary-parts { display: flex; flex-wrap: wrap; gap: 4px 12px; color: var(--mat-sys-on-surface-variant); font: var(--mat-sys-body-medium); }
    .summary-failed { color: var(--mat-sys-error); }
    .actions { display: flex; flex-wrap: wrap; gap: 8px; justify-content: flex-end; margin-top: auto; }
    .list { list-style: none; margin: 0; padding: 0; display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(min(100%, 420px), 1fr)); }
    .item {
      display: flex; gap: 12px; padding: 12px; border-radius: 16px;
      background: var(--mat-sys-surface-container); border: 1px solid var(--mat-sys-outline-variant);
    }
    .preview {
      flex: 0 0 112px; height: 112px; border-radius: 12px; overflow: hidden; display: grid; place-items: center;
      background: var(--mat-sys-surface-container-highest); text-align: center; font: var(--mat-sys-body-small);
    }
    .preview img { width: 100%; height: 100%; object-fit: cover; }
    .body { flex: 1; min-width: 0; display: flex; flex-direction: column; gap: 8px; }
    .name { font: var(--mat-sys-title-small); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .live { display: flex; flex-direction: column; gap: 8px; }
    .kind-row { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
    .reject { color: var(--mat-sys-on-surface-variant); font: var(--mat-sys-body-small); }
    .small-label { font: var(--mat-sys-label-medium); color: var(--mat-sys-on-surface-variant); margin-bottom: -4px; }
    .top { margin: 0; padding: 0; list-style: none; display: grid; gap: 2px; }
    .top li { display: grid; grid-template-columns: minmax(0, 9em) 1fr 4em; align-items: center; gap: 8px; font: var(--mat-sys-body-small); }
    .top-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .top-bar { height: 6px; border-radius: 3px; background: var(--mat-sys-surface-container-highest); overflow: hidden; }
    .top-bar span { display: block; height: 100%; background: var(--mat-sys-primary); }
    .top-value { text-align: right; }
    .colours { display: grid; gap: 6px; }
    .colour-row { display: grid; grid-template-columns: minmax(0, 12em) 1fr; align-items: center; gap: 8px; }
    @media (max-width: 599px) {
      .item { flex-direction: column; }
      .preview { flex-basis: auto; width: 100%; height: 180px; }
    }
  `,
})
export class UploadComponent {
  protected readonly i18n = inject(I18nService);
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveEventsService);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);

  protected readonly palettes: readonly PaletteName[] = ['RGB', 'RYB'];
  protected readonly notAVegetable = NOT_A_VEGETABLE;
  protected readonly batch = new UploadBatch();
  protected readonly tasks = this.batch.items;
  protected readonly dragOver = signal(false);
  protected readonly canCancel = canCancel;
  protected readonly canRetry = canRetry;
  protected readonly canRemove = canRemove;
  private readonly subscriptions = new Map<number, Subscription>();

  constructor() {
    inject(DestroyRef).onDestroy(() => this.dispose(this.batch.clearAll()));
  }

  protected removeLabel(task: UploadTask): string {
    return this.i18n.t(task.imageId() ? 'upload.removeLabelKept' : 'upload.removeLabel', { name: task.name });
  }

  /** Aborts the upload in flight (unsubscribing cancels the HTTP request); it can be retried. */
  protected cancel(task: UploadTask): void {
    if (!canCancel(task)) return;
    this.stop(task);
    task.cancelled();
    this.focusAfterRender(`[data-item="${task.id}"] [data-testid="upload-retry"]`);
  }

  /** Sends the same file again, in the same place in the list. */
  protected retry(task: UploadTask): void {
    if (!canRetry(task) || !task.file) return;
    this.stop(task);
    task.restart();
    this.start(task.file, task);
    this.focusAfterRender(`[data-item="${task.id}"] .actions button`);
  }

  /** Takes the item off this list only; an uploaded photo stays in the catalog. */
  protected remove(task: UploadTask): void {
    const list = this.tasks();
    const index = list.indexOf(task);
    const removed = this.batch.remove(task.id);
    if (!removed) return;
    this.dispose([removed]);
    // Focus goes to the next item's actions (or the previous one's), not lost with the button.
    const neighbour = list[index + 1] ?? list[index - 1];
    this.focusAfterRender(neighbour ? `[data-item="${neighbour.id}"] .actions button` : '[data-testid="choose-files"]');
  }

  /** Moves the focus once the view shows the change; falls back to the list's heading. */
  private focusAfterRender(selector: string): void {
    afterNextRender(
      () => {
        const root = this.host.nativeElement;
        (root.querySelector<HTMLElement>(selector) ?? root.querySelector<HTMLElement>('[data-testid="results-heading"]'))?.focus();
      },
      { injector: this.injector },
    );
  }

  private stop(task: UploadTask): void {
    this.subscriptions.get(task.id)?.unsubscribe();
    this.subscriptions.delete(task.id);
  }

  private dispose(tasks: readonly UploadTask[]): void {
    for (const t of tasks) {
      this.stop(t);
      if (t.previewUrl) URL.revokeObjectURL(t.previewUrl);
    }
  }

  protected message(error: unknown): string {
    return errorMessage(error, this.i18n);
  }

  protected onDragOver(event: DragEvent): void {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    this.dragOver.set(true);
  }

  protected onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragOver.set(false);
    const files = event.dataTransfer?.files;
    if (files?.length) this.add(Array.from(files));
  }

  protected onPicked(input: HTMLInputElement): void {
    if (input.files?.length) this.add(Array.from(input.files));
    input.value = '';
  }

  /** Clear finished: labelled, failed and cancelled items go; uploading and processing ones stay. */
  protected clear(): void {
    this.dispose(this.batch.clearFinished());
    this.focusAfterRender(this.tasks().length ? '[data-testid="results-heading"]' : '[data-testid="choose-files"]');
  }

  /** With crop on, files wait here one by one until cropped, taken whole or skipped. */
  protected readonly cropEnabled = signal(false);
  protected readonly pendingCrop = signal<File[]>([]);

  protected nextCrop(): void {
    this.pendingCrop.update((list) => list.slice(1));
  }

  protected takeCropped(file: File): void {
    this.nextCrop();
    this.upload([file]);
  }

  /** Adds files: straight to upload, or first to the optional crop step. */
  add(files: File[]): void {
    if (this.cropEnabled()) {
      const images = files.filter((f) => PREVIEWABLE.test(f.type));
      this.pendingCrop.update((list) => [...list, ...images]);
      const others = files.filter((f) => !PREVIEWABLE.test(f.type));
      if (others.length) this.upload(others); // the API explains why they are refused
      return;
    }
    this.upload(files);
  }

  /** Starts one upload per file (the files go one after another; their results stream in together). */
  private upload(files: File[]): void {
    const created = files.map((file) => ({
      file,
      task: new UploadTask(file.name, file.size, PREVIEWABLE.test(file.type) ? URL.createObjectURL(file) : null, file),
    }));
    this.batch.add(created.map((c) => c.task));
    for (const { file, task } of created) this.start(file, task);
  }

  private start(file: File, task: UploadTask): void {
    const sub = this.api
      .upload(file)
      .pipe(
        tap((event) => {
          if (event.type === HttpEventType.UploadProgress) {
            const total = event.total ?? file.size;
            task.progress.set(total ? Math.min(99, Math.round((100 * event.loaded) / total)) : 0);
          }
        }),
        filter((event) => event.type === HttpEventType.Response),
        concatMap((event) => {
          const body = event.type === HttpEventType.Response ? event.body : null;
          if (!body) return EMPTY;
          task.accepted(body.imageId, body.duplicate);
          return this.follow(task, body.imageId);
        }),
        catchError((error: unknown) => {
          if (task.phase() === 'uploading') task.failed(error);
          else task.error.set(error);
          return EMPTY;
        }),
      )
      .subscribe();
    this.subscriptions.set(task.id, sub);
  }

  /** Live events of the image until both labels are known; catches up once when the stream opens. */
  private follow(task: UploadTask, imageId: string) {
    return this.live.forImage(imageId).pipe(
      concatMap((signal) => {
        if (signal.kind === 'event') return of(task.applyEvent(signal.event));
        return this.api.image(imageId).pipe(
          concatMap((image) => of(task.applyImage(image))),
          // 404: not projected yet; the events will bring it
          catchError(() => of(false)),
        );
      }),
      takeWhile((complete) => !complete),
    );
  }
}
