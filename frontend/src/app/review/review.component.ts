// The review queue: images whose label is doubtful (low confidence, refused as not a vegetable, or
// the two newest model versions disagree) and that no person has corrected, oldest first, page by
// page; each opens on its image page, where it can be corrected (and left by next / previous).
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { Subject, catchError, exhaustMap, map, of, startWith, switchMap } from 'rxjs';
import { REVIEW_CONFIDENCE_THRESHOLD } from '@vegvision/read-model/port';
import { ApiService } from '../core/api.service';
import type { CatalogImage } from '../core/api.types';
import { NOT_A_VEGETABLE } from '../core/catalog';
import { errorMessage } from '../core/errors';
import type { MessageKey } from '../core/i18n.en';
import { I18nService } from '../core/i18n.service';
import { ImageSequenceService } from '../core/image-sequence.service';
import { IllustrationComponent } from '../shared/illustration.component';
import { KindBadgeComponent } from '../shared/kind-badge.component';

export const REVIEW_PAGE_SIZE = 24;

export type ReviewReason = 'refused' | 'lowConfidence' | 'disagree';

/** Why the queue holds an image (the server's rule: see the read model port's `review` filter). */
export function reviewReason(img: Pick<CatalogImage, 'kind' | 'confidence'>): ReviewReason {
  if (img.kind === NOT_A_VEGETABLE) return 'refused';
  if (img.confidence !== null && img.confidence < REVIEW_CONFIDENCE_THRESHOLD) return 'lowConfidence';
  return 'disagree';
}

const REASON_KEYS: Record<ReviewReason, MessageKey> = {
  refused: 'review.reason.refused',
  lowConfidence: 'review.reason.lowConfidence',
  disagree: 'review.reason.disagree',
};

type Queue =
  | { state: 'loading' }
  | { state: 'ok'; items: CatalogImage[]; total: number; nextCursor: string | null; more: 'idle' | 'loading' | 'error' }
  | { state: 'error'; error: unknown };

@Component({
  selector: 'vv-review',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, MatButtonModule, MatProgressBarModule, KindBadgeComponent, IllustrationComponent],
  template: `
    <h1>{{ i18n.t('review.title') }}</h1>
    <p class="muted intro">{{ i18n.t('review.intro', { threshold: threshold }) }}</p>
    @switch (queue().state) {
      @case ('loading') {
        <mat-progress-bar mode="indeterminate" [attr.aria-label]="i18n.t('common.loading')" />
      }
      @case ('error') {
        <div class="error-box" role="alert" data-testid="review-error">
          {{ errorText() }}
          <button mat-button type="button" (click)="reload$.next()">{{ i18n.t('common.retry') }}</button>
        </div>
      }
      @case ('ok') {
        @if (items().length === 0) {
          <div class="empty" data-testid="review-empty" role="status">
            <vv-illustration name="search" />
            <h2>{{ i18n.t('review.empty.title') }}</h2>
            <p class="muted">{{ i18n.t('review.empty.body') }}</p>
          </div>
        } @else {
          <p class="summary" aria-live="polite" data-testid="review-total">
            {{ i18n.t('review.total', { total: total() }) }} · {{ i18n.t('review.showing', { count: items().length }) }}
          </p>
          <ol class="queue" data-testid="review-queue">
            @for (img of items(); track img.imageId) {
              <li class="item" data-testid="review-item" [attr.data-reason]="reason(img)">
                <a class="thumb" [routerLink]="['/images', img.imageId]" [attr.aria-label]="i18n.t('review.open', { kind: i18n.kind(img.kind) })">
                  <img [src]="img.url" [alt]="i18n.t('image.photo', { kind: i18n.kind(img.kind) })" loading="lazy" />
                </a>
                <div class="meta">
                  <vv-kind-badge [kind]="img.kind" [confidence]="img.confidence" [top]="img.top" />
                  <span class="reason" data-testid="review-reason">{{ i18n.t(reasonKey(img)) }}</span>
                  <span class="muted small">
                    {{ img.modelVersion }} · <time [attr.datetime]="img.uploadedAt">{{ i18n.date(img.uploadedAt) }}</time>
                  </span>
                  <a mat-stroked-button [routerLink]="['/images', img.imageId]" data-testid="review-correct">{{ i18n.t('review.correct') }}</a>
                </div>
              </li>
            }
          </ol>
          @if (nextCursor()) {
            <div class="more">
              <button mat-flat-button type="button" data-testid="review-more" [disabled]="moreState() === 'loading'" (click)="more$.next()">
                {{ i18n.t('review.more') }}
              </button>
              @if (moreState() === 'error') {
                <span class="error-text" role="alert">{{ i18n.t('review.moreFailed') }}</span>
              }
            </div>
          }
        }
      }
    }
  `,
  styles: `
    .intro { max-width: 72ch; }
    .summary { font: var(--mat-sys-label-large); }
    .queue {
      list-style: none; margin: 0; padding: 0; display: grid; gap: 12px;
      grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
    }
    .item {
      display: grid; grid-template-columns: 112px 1fr; gap: 12px; padding: 8px; border-radius: 16px;
      background: var(--mat-sys-surface-container); border: 1px solid var(--mat-sys-outline-variant);
    }
    .thumb { display: block; width: 112px; height: 112px; border-radius: 12px; overflow: hidden; background: var(--mat-sys-surface-container-highest); }
    .thumb:focus-visible { outline: 3px solid var(--mat-sys-primary); outline-offset: 2px; }
    .thumb img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .meta { display: flex; flex-direction: column; align-items: flex-start; gap: 6px; min-width: 0; }
    .reason {
      padding: 2px 8px; border-radius: 8px; font: var(--mat-sys-label-medium);
      background: var(--mat-sys-error-container); color: var(--mat-sys-on-error-container);
    }
    .item[data-reason='disagree'] .reason { background: var(--mat-sys-tertiary-container); color: var(--mat-sys-on-tertiary-container); }
    .small { font: var(--mat-sys-body-small); overflow-wrap: anywhere; }
    .more { display: flex; gap: 12px; align-items: center; justify-content: center; margin: 20px 0; }
    .error-text { color: var(--mat-sys-error); }
    .empty { text-align: center; padding: 48px 16px; }
    @media (max-width: 599px) {
      .queue { grid-template-columns: 1fr; }
      .item { grid-template-columns: 88px 1fr; }
      .thumb { width: 88px; height: 88px; }
    }
  `,
})
export class ReviewComponent {
  protected readonly i18n = inject(I18nService);
  private readonly api = inject(ApiService);
  private readonly sequence = inject(ImageSequenceService);

  protected readonly threshold = Math.round(REVIEW_CONFIDENCE_THRESHOLD * 100);
  protected readonly reload$ = new Subject<void>();
  protected readonly more$ = new Subject<void>();
  protected readonly queue = signal<Queue>({ state: 'loading' });

  protected readonly items = computed(() => {
    const q = this.queue();
    return q.state === 'ok' ? q.items : [];
  });
  protected readonly total = computed(() => {
    const q = this.queue();
    return q.state === 'ok' ? q.total : 0;
  });
  protected readonly nextCursor = computed(() => {
    const q = this.queue();
    return q.state === 'ok' ? q.nextCursor : null;
  });
  protected readonly moreState = computed(() => {
    const q = this.queue();
    return q.state === 'ok' ? q.more : 'idle';
  });
  protected readonly errorText = computed(() => {
    const q = this.queue();
    return q.state === 'error' ? errorMessage(q.error, this.i18n) : '';
  });

  constructor() {
    this.reload$
      .pipe(
        startWith(undefined),
        switchMap(() =>
          this.api.list({ review: true, sort: 'oldest', limit: REVIEW_PAGE_SIZE }).pipe(
            map((page): Queue => ({ state: 'ok', items: page.items, total: page.total, nextCursor: page.nextCursor, more: 'idle' })),
            catchError((error: unknown) => of<Queue>({ state: 'error', error })),
            startWith<Queue>({ state: 'loading' }),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((q) => this.setQueue(q));

    // The next page follows the last one's cursor: keyset pages, so corrections meanwhile cause no gaps.
    this.more$
      .pipe(
        exhaustMap(() => {
          const q = this.queue();
          if (q.state !== 'ok' || !q.nextCursor) return of(null);
          this.queue.set({ ...q, more: 'loading' });
          return this.api.list({ review: true, sort: 'oldest', limit: REVIEW_PAGE_SIZE, cursor: q.nextCursor }).pipe(
            map((page): Queue => {
              const seen = new Set(q.items.map((i) => i.imageId));
              return { state: 'ok', items: [...q.items, ...page.items.filter((i) => !seen.has(i.imageId))], total: page.total, nextCursor: page.nextCursor, more: 'idle' };
            }),
            catchError(() => of<Queue>({ ...q, more: 'error' })),
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe((q) => {
        if (q) this.setQueue(q);
      });
  }

  protected reason(img: CatalogImage): ReviewReason {
    return reviewReason(img);
  }

  protected reasonKey(img: CatalogImage): MessageKey {
    return REASON_KEYS[reviewReason(img)];
  }

  private setQueue(q: Queue): void {
    this.queue.set(q);
    if (q.state === 'ok') this.sequence.set('review', q.items.map((i) => i.imageId), '/review');
  }
}
