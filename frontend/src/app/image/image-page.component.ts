// One image: the photo, its current labels and its history as a timeline.
import { NgTemplateOutlet } from '@angular/common';
import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, ElementRef, computed, effect, inject, input, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router, RouterLink, type UrlTree } from '@angular/router';
import { EMPTY, Subject, catchError, concatMap, map, merge, of, startWith, switchMap } from 'rxjs';
import { ApiService } from '../core/api.service';
import type { ImageDetail, PaletteName } from '../core/api.types';
import { NOT_A_VEGETABLE } from '../core/catalog';
import { errorMessage } from '../core/errors';
import { I18nService } from '../core/i18n.service';
import { ImageSequenceService } from '../core/image-sequence.service';
import { LiveEventsService } from '../core/live-events.service';
import { ColourChipComponent } from '../shared/colour-chip.component';
import { KindBadgeComponent } from '../shared/kind-badge.component';
import { ShareBarComponent } from '../shared/share-bar.component';
import { EditPanelComponent } from './edit-panel.component';
import { buildTimeline, type TimelineEntry } from './timeline';

type State = { state: 'loading' } | { state: 'ok'; image: ImageDetail } | { state: 'error'; error: unknown };

@Component({
  selector: 'vv-image-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [NgTemplateOutlet, RouterLink, MatButtonModule, MatProgressBarModule, KindBadgeComponent, ColourChipComponent, ShareBarComponent, EditPanelComponent],
  template: `
    <nav class="pager" [attr.aria-label]="i18n.t('image.position', { position: neighbours()?.position ?? 1, total: neighbours()?.total ?? 1 })">
      @if (neighbours(); as n) {
        <a mat-button [routerLink]="backLink(n.backUrl)" data-testid="back-link">
          ← {{ i18n.t(n.origin === 'review' ? 'image.backToReview' : 'image.back') }}
        </a>
        <span class="spacer"></span>
        <a mat-stroked-button data-testid="previous-image" [routerLink]="['/images', n.previous]" [class.hidden]="!n.previous" [attr.aria-disabled]="!n.previous" [attr.tabindex]="n.previous ? null : -1">
          ‹ {{ i18n.t('image.previous') }}
        </a>
        <span class="muted position" data-testid="image-position">{{ i18n.t('image.position', { position: n.position, total: n.total }) }}</span>
        <a mat-stroked-button data-testid="next-image" [routerLink]="['/images', n.next]" [class.hidden]="!n.next" [attr.aria-disabled]="!n.next" [attr.tabindex]="n.next ? null : -1">
          {{ i18n.t('image.next') }} ›
        </a>
      } @else {
        <a mat-button routerLink="/browse" data-testid="back-link">← {{ i18n.t('image.back') }}</a>
      }
    </nav>
    @switch (view().state) {
      @case ('loading') {
        <mat-progress-bar mode="indeterminate" [attr.aria-label]="i18n.t('common.loading')" />
      }
      @case ('error') {
        <div class="error-box" role="alert" data-testid="image-error">
          {{ errorText() }}
          <button mat-button type="button" (click)="reload$.next()">{{ i18n.t('common.retry') }}</button>
        </div>
      }
      @case ('ok') {
        @if (image(); as img) {
          <h1>{{ img.kind ? i18n.kind(img.kind) : i18n.t('image.processing') }}</h1>
          <div class="layout">
            <figure class="photo">
              <button type="button" class="zoom" data-testid="open-lightbox" [attr.aria-label]="i18n.t('image.zoom')" (click)="lightbox.set(true)">
                <img [src]="img.url" [alt]="img.kind ? i18n.t('image.photo', { kind: i18n.kind(img.kind) }) : i18n.t('image.photoUnlabelled')" />
              </button>
              <figcaption class="muted">
                {{ img.originalName ?? img.imageId }} · {{ i18n.t('image.size', { width: img.width, height: img.height }) }} ·
                <a [href]="img.url" target="_blank" rel="noopener" data-testid="original-link">{{ i18n.t('image.openOriginal') }}</a>
              </figcaption>
            </figure>
            @if (lightbox()) {
              <div
                class="lightbox"
                role="dialog"
                aria-modal="true"
                [attr.aria-label]="i18n.t('image.original')"
                data-testid="lightbox"
                tabindex="-1"
                (keydown.escape)="lightbox.set(false)"
                (click)="lightbox.set(false)"
                #box
              >
                <img
                  [src]="img.url"
                  [alt]="img.kind ? i18n.t('image.photo', { kind: i18n.kind(img.kind) }) : i18n.t('image.photoUnlabelled')"
                  [class.actual]="actualSize()"
                  data-testid="lightbox-image"
                  (click)="$event.stopPropagation(); actualSize.set(!actualSize())"
                />
                <div class="lightbox-bar" (click)="$event.stopPropagation()">
                  <span>{{ actualSize() ? i18n.t('image.actualSize') : i18n.t('image.fitted') }} · {{ i18n.t('image.zoomHint') }}</span>
                  <a mat-button [href]="img.url" target="_blank" rel="noopener">{{ i18n.t('image.openOriginal') }}</a>
                  <button mat-button type="button" data-testid="close-lightbox" (click)="lightbox.set(false)">{{ i18n.t('image.close') }}</button>
                </div>
              </div>
            }
            <div class="side">
              <section class="panel" [attr.aria-label]="i18n.t('image.kind')">
                <h2>{{ i18n.t('image.kind') }}</h2>
                @if (img.kind && img.labelSource === 'person' && img.correction) {
                  <vv-kind-badge [kind]="img.kind" [byPerson]="true" />
                  <p class="person" data-testid="person-label">
                    {{
                      img.modelKind
                        ? i18n.t('image.personLabel', { by: img.correction.by, kind: i18n.kind(img.modelKind) })
                        : i18n.t('image.personLabelNoModel', { by: img.correction.by })
                    }}
                  </p>
                  @if (img.correction.note) {
                    <blockquote class="muted">{{ img.correction.note }}</blockquote>
                  }
                } @else if (img.kind) {
                  <vv-kind-badge [kind]="img.kind" [confidence]="img.confidence" [top]="img.top" />
                  @if (img.kind === notAVegetable) {
                    <p class="muted">{{ i18n.t('upload.notVegetableHint') }}</p>
                  }
                  <ol class="top" [attr.aria-label]="i18n.t('image.top3')">
                    @for (s of img.top.slice(0, 3); track s.kind) {
                      <li>{{ i18n.kind(s.kind) }} — {{ i18n.percent(s.confidence) }}%</li>
                    }
                  </ol>
                } @else {
                  <p class="muted">{{ i18n.t('image.processing') }}</p>
                }
                @if (img.groundTruthKind) {
                  <p class="muted">{{ i18n.t('image.groundTruth', { kind: i18n.kind(img.groundTruthKind) }) }}</p>
                }
              </section>
              <section class="panel" [attr.aria-label]="i18n.t('image.colours')">
                <h2>{{ i18n.t('image.colours') }}</h2>
                <ng-template #colourRows let-c let-measure="measure">
                  @for (p of palettes; track p) {
                    <div class="colour-row" [attr.data-measure]="measure">
                      <vv-colour-chip [palette]="p" [hex]="p === 'RGB' ? c.rgbHex : c.rybHex" />
                      <vv-share-bar [palette]="p" [shares]="p === 'RGB' ? c.rgbShares : c.rybShares" />
                    </div>
                  }
                </ng-template>
                @if (img.subjectColours; as subject) {
                  <h3 data-testid="measure-subject">{{ i18n.t('image.measureSubject') }}</h3>
                  <ng-container *ngTemplateOutlet="colourRows; context: { $implicit: subject, measure: 'subject' }" />
                }
                @if (img.rgbHex && img.rybHex) {
                  <h3 data-testid="measure-photo">{{ i18n.t('image.measurePhoto') }}</h3>
                  <ng-container *ngTemplateOutlet="colourRows; context: { $implicit: img, measure: 'photo' }" />
                  <p class="muted explain" data-testid="colour-explanation">{{ i18n.t('image.colourExplanation') }}</p>
                } @else {
                  <p class="muted">{{ i18n.t('image.processing') }}</p>
                }
              </section>
              <vv-edit-panel [image]="img" (corrected)="onCorrected(img.imageId)" (deleted)="onDeleted(img.imageId)" />
              <section class="panel" [attr.aria-label]="i18n.t('image.history')">
                <h2>{{ i18n.t('image.history') }}</h2>
                <ol class="timeline" data-testid="timeline">
                  @for (e of timeline(); track $index) {
                    <li [attr.data-type]="e.type">
                      <span class="dot" aria-hidden="true"></span>
                      <div>
                        <div>{{ describe(e) }}</div>
                        <time class="muted" [attr.datetime]="e.at">{{ i18n.date(e.at) }}</time>
                      </div>
                    </li>
                  }
                </ol>
              </section>
            </div>
          </div>
        }
      }
    }
  `,
  host: { '(document:keydown)': 'onKey($event)' },
  styles: `
    .pager { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-bottom: 8px; }
    .pager .spacer { flex: 1 1 auto; }
    .pager .hidden { visibility: hidden; }
    .position { font: var(--mat-sys-label-large); }
    .layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 24px; align-items: start; }
    .photo { margin: 0; }
    .zoom { display: block; width: 100%; padding: 0; border: 0; background: none; cursor: zoom-in; }
    .zoom:focus-visible { outline: 3px solid var(--mat-sys-primary); outline-offset: 2px; border-radius: 16px; }
    .lightbox {
      position: fixed; inset: 0; z-index: 1000; background: rgb(0 0 0 / 88%); display: flex; flex-direction: column;
      align-items: center; justify-content: center; overflow: auto; outline: none;
    }
    .lightbox img { max-width: 96vw; max-height: calc(100vh - 72px); object-fit: contain; cursor: zoom-in; }
    .lightbox img.actual { max-width: none; max-height: none; cursor: zoom-out; }
    .lightbox-bar {
      position: fixed; bottom: 0; left: 0; right: 0; display: flex; gap: 12px; align-items: center; justify-content: center;
      padding: 8px; background: rgb(0 0 0 / 60%); color: #fff;
    }
    .lightbox-bar a, .lightbox-bar button { color: #fff; }
    h3 { margin: 12px 0 6px; font: var(--mat-sys-title-small); }
    .explain { margin: 8px 0 0; font: var(--mat-sys-body-small); }
    .photo img { width: 100%; max-height: 70vh; object-fit: contain; border-radius: 16px; background: var(--mat-sys-surface-container-highest); display: block; }
    .photo figcaption { margin-top: 6px; font: var(--mat-sys-body-small); word-break: break-all; }
    .side { display: flex; flex-direction: column; gap: 16px; }
    .panel { padding: 16px; border-radius: 16px; background: var(--mat-sys-surface-container-low); border: 1px solid var(--mat-sys-outline-variant); }
    .top { margin: 8px 0 0; padding-left: 20px; }
    .colour-row { display: grid; grid-template-columns: minmax(0, 12em) 1fr; gap: 8px; align-items: center; margin-bottom: 8px; }
    .timeline { list-style: none; margin: 0; padding: 0; }
    .timeline li { display: grid; grid-template-columns: 16px 1fr; gap: 10px; padding-bottom: 12px; position: relative; }
    .timeline li:not(:last-child)::before {
      content: ''; position: absolute; left: 6px; top: 16px; bottom: 0; width: 2px; background: var(--mat-sys-outline-variant);
    }
    .dot { width: 14px; height: 14px; margin-top: 2px; border-radius: 50%; background: var(--mat-sys-primary); }
    .timeline li[data-type='coloured'] .dot { background: var(--mat-sys-tertiary); }
    .timeline li[data-type='uploaded'] .dot { background: var(--mat-sys-secondary); }
    .timeline li[data-type='corrected'] .dot { background: var(--mat-sys-error); }
    .person { margin: 8px 0 0; }
    blockquote { margin: 8px 0 0; padding-left: 10px; border-left: 3px solid var(--mat-sys-outline-variant); }
    time { font: var(--mat-sys-body-small); }
    @media (max-width: 839px) { .layout { grid-template-columns: 1fr; } }
  `,
})
export class ImagePageComponent {
  protected readonly i18n = inject(I18nService);
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveEventsService);
  private readonly sequence = inject(ImageSequenceService);
  protected readonly router = inject(Router);

  /** Route parameter :id (component input binding). */
  readonly id = input.required<string>();
  protected readonly palettes: readonly PaletteName[] = ['RGB', 'RYB'];
  protected readonly notAVegetable = NOT_A_VEGETABLE;
  protected readonly reload$ = new Subject<void>();
  protected readonly lightbox = signal(false);
  protected readonly actualSize = signal(false);
  private readonly box = viewChild<ElementRef<HTMLElement>>('box');
  protected readonly view = signal<State>({ state: 'loading' });
  protected readonly image = computed(() => {
    const v = this.view();
    return v.state === 'ok' ? v.image : null;
  });
  protected readonly timeline = computed(() => {
    const img = this.image();
    return img ? buildTimeline(img) : [];
  });
  protected readonly errorText = computed(() => {
    const v = this.view();
    return v.state === 'error' ? errorMessage(v.error, this.i18n) : '';
  });
  /** Previous / next in the list the image was opened from (browse grid, review queue). */
  protected readonly neighbours = computed(() => {
    this.sequence.sequence();
    return this.sequence.neighbours(this.id());
  });

  constructor() {
    // Focus moves into the lightbox when it opens (so Escape closes it); closing it resets the zoom.
    effect(() => {
      const box = this.box();
      if (box) box.nativeElement.focus();
      else if (!this.lightbox()) this.actualSize.set(false);
    });
    toObservable(this.id)
      .pipe(
        switchMap((id) =>
          this.reload$.pipe(
            startWith(undefined),
            switchMap(() => this.load(id)),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((state) => this.view.set(state));
  }

  /** The list's URL (with its filters) as a router link. */
  protected backLink(url: string): UrlTree {
    return this.router.parseUrl(url);
  }

  /** A corrected image leaves the review queue: go on to the next one there; elsewhere show the new label. */
  protected onCorrected(id: string): void {
    const n = this.sequence.neighbours(id);
    if (n?.origin === 'review') {
      this.sequence.remove(id);
      void (n.next ? this.router.navigate(['/images', n.next]) : this.router.navigateByUrl(n.backUrl));
      return;
    }
    this.reload$.next();
  }

  /** After a deletion: the next image of the list, else back to the list. */
  protected onDeleted(id: string): void {
    const n = this.sequence.neighbours(id);
    this.sequence.remove(id);
    if (n?.next) void this.router.navigate(['/images', n.next]);
    else void this.router.navigateByUrl(n?.backUrl ?? '/browse');
  }

  /** ← and → step through the list (not while typing, nor in the lightbox). */
  protected onKey(event: KeyboardEvent): void {
    if (this.lightbox() || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target as HTMLElement | null;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.closest('mat-select, [role="listbox"]'))) return;
    const n = this.neighbours();
    const to = event.key === 'ArrowLeft' ? n?.previous : event.key === 'ArrowRight' ? n?.next : null;
    if (to) {
      event.preventDefault();
      void this.router.navigate(['/images', to]);
    }
  }

  /** Fetches the image; while it is still processing, refetches on each of its live events. */
  private load(id: string) {
    const fetch = () =>
      this.api.image(id).pipe(
        map((image): State => ({ state: 'ok', image })),
        catchError((error: unknown) => of<State>({ state: 'error', error })),
      );
    return fetch().pipe(
      concatMap((first) => {
        const processing =
          first.state === 'ok' ? first.image.status === 'processing' : first.state === 'error' && isNotYet(first.error);
        if (!processing) return of(first);
        const updates = this.live.forImage(id).pipe(
          concatMap(() => fetch()),
          catchError(() => EMPTY),
        );
        return merge(of(first), updates);
      }),
      startWith<State>({ state: 'loading' }),
    );
  }

  protected describe(e: TimelineEntry): string {
    switch (e.type) {
      case 'uploaded':
        return this.i18n.t(e.source === 'catalog' ? 'timeline.imported' : 'timeline.uploaded');
      case 'classified':
      case 'relabelled': {
        // A refusal names the closest kind as closest; a kind is shown with its certainty.
        const text = e.closest
          ? this.i18n.t(e.type === 'classified' ? 'timeline.classifiedRefused' : 'timeline.relabelledRefused', {
              model: e.model,
              kind: this.i18n.kind(e.closest.kind),
              confidence: this.i18n.percent(e.closest.confidence),
            })
          : this.i18n.t(e.type === 'classified' ? 'timeline.classified' : 'timeline.relabelled', {
              model: e.model,
              kind: this.i18n.kind(e.kind),
              confidence: this.i18n.percent(e.confidence),
            });
        return e.current ? `${text} · ${this.i18n.t('timeline.current')}` : text;
      }
      case 'coloured':
        return this.i18n.t(e.measure === 'subject' ? 'timeline.colouredSubject' : 'timeline.coloured', {
          rgb: this.i18n.colour('RGB', e.rgbHex),
          ryb: this.i18n.colour('RYB', e.rybHex),
          algorithm: e.algorithm ?? '',
        });
      case 'corrected': {
        const text = this.i18n.t('timeline.corrected', { by: e.by, kind: this.i18n.kind(e.kind) });
        return e.note ? `${text}: “${e.note}”` : text;
      }
    }
  }
}

function isNotYet(error: unknown): boolean {
  return error instanceof HttpErrorResponse && error.status === 404;
}
