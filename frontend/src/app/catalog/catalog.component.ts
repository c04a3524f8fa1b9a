// The catalog page by page: every image matching the filters (kind, source, colour of either
// measure) in a chosen order, more pages as the person scrolls (keyset cursors: uploads meanwhile
// cause no duplicates or gaps), counts under the other filters; "recent uploads" is one click.
import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, ElementRef, computed, effect, inject, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { Subject, catchError, combineLatest, distinctUntilChanged, exhaustMap, map, of, startWith, switchMap } from 'rxjs';
import { ApiService } from '../core/api.service';
import type { CatalogImage, Facets } from '../core/api.types';
import { LABELS, PALETTE_NAMES } from '../core/catalog';
import { errorMessage } from '../core/errors';
import type { MessageKey } from '../core/i18n.en';
import { chipsOf, colourCounts } from '../core/colour-measure';
import { I18nService } from '../core/i18n.service';
import { ImageSequenceService } from '../core/image-sequence.service';
import { MEASURES } from '../browse/browse-query';
import { PalettePickerComponent } from '../browse/palette-picker.component';
import { ColourChipComponent } from '../shared/colour-chip.component';
import { IllustrationComponent } from '../shared/illustration.component';
import { KindBadgeComponent } from '../shared/kind-badge.component';
import {
  DEFAULT_QUERY,
  RECENT_UPLOADS,
  SORTS,
  type CatalogQuery,
  catalogQueryFromParams,
  isRecentUploads,
  listParams,
  paramsFromCatalogQuery,
  updateCatalogQuery,
} from './catalog-query';

export const CATALOG_PAGE_SIZE = 24;

type Pages =
  | { state: 'loading' }
  | { state: 'ok'; items: CatalogImage[]; total: number; nextCursor: string | null; more: 'idle' | 'loading' | 'error' }
  | { state: 'error'; error: unknown };

const SORT_KEYS: Record<(typeof SORTS)[number], MessageKey> = {
  newest: 'catalog.sort.newest',
  oldest: 'catalog.sort.oldest',
  confidence_asc: 'catalog.sort.confidenceAsc',
  confidence_desc: 'catalog.sort.confidenceDesc',
};

@Component({
  selector: 'vv-catalog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterLink,
    MatButtonModule,
    MatButtonToggleModule,
    MatProgressBarModule,
    MatSelectModule,
    PalettePickerComponent,
    KindBadgeComponent,
    ColourChipComponent,
    IllustrationComponent,
  ],
  template: `
    <h1>{{ i18n.t('catalog.title') }}</h1>
    <div class="presets">
      <button mat-stroked-button type="button" data-testid="recent-uploads" [class.on]="recent()" [attr.aria-pressed]="recent()" (click)="showRecentUploads()">
        {{ i18n.t('catalog.recentUploads') }}
      </button>
      @if (compact()) {
        <button mat-stroked-button type="button" data-testid="filters-toggle" [attr.aria-expanded]="filtersOpen()" aria-controls="catalog-filters" (click)="filtersOpen.set(!filtersOpen())">
          {{ i18n.t(filtersOpen() ? 'browse.hideFilters' : 'browse.showFilters') }}
          @if (activeCount()) { ({{ activeCount() }}) }
        </button>
      }
    </div>
    @if (!compact() || filtersOpen()) {
      <section class="filters" id="catalog-filters" [attr.aria-label]="i18n.t('browse.filters')" data-testid="catalog-filters">
        <div class="row">
          <mat-form-field class="sort" subscriptSizing="dynamic">
            <mat-label>{{ i18n.t('catalog.sort') }}</mat-label>
            <mat-select data-testid="sort-select" [value]="query().sort" (selectionChange)="set({ sort: $event.value })">
              @for (s of sorts; track s) {
                <mat-option [value]="s" [attr.data-testid]="'sort-option-' + s">{{ i18n.t(sortKey(s)) }}</mat-option>
              }
            </mat-select>
          </mat-form-field>
          <mat-form-field class="kind" subscriptSizing="dynamic">
            <mat-label>{{ i18n.t('browse.kind') }}</mat-label>
            <mat-select data-testid="kind-select" [value]="query().kind ?? ''" (selectionChange)="set({ kind: $event.value || null })">
              <mat-option value="">{{ i18n.t('browse.anyKind') }}</mat-option>
              @for (k of kindOptions(); track k.kind) {
                <mat-option [value]="k.kind" [disabled]="k.count === 0 && query().kind !== k.kind" [attr.data-testid]="'kind-option-' + k.kind">
                  {{ k.name }} <span class="muted">({{ k.count }})</span>
                </mat-option>
              }
            </mat-select>
          </mat-form-field>
          <mat-form-field class="source" subscriptSizing="dynamic">
            <mat-label>{{ i18n.t('catalog.source') }}</mat-label>
            <mat-select data-testid="source-select" [value]="query().source ?? ''" (selectionChange)="set({ source: $event.value || null })">
              <mat-option value="">{{ i18n.t('catalog.source.any') }}</mat-option>
              <mat-option value="upload" data-testid="source-option-upload">{{ i18n.t('catalog.source.upload') }}</mat-option>
              <mat-option value="catalog" data-testid="source-option-catalog">{{ i18n.t('catalog.source.catalog') }}</mat-option>
            </mat-select>
          </mat-form-field>
        </div>
        <div class="row">
          <span class="group-label" id="catalog-measure-label">{{ i18n.t('browse.measure') }}</span>
          <mat-button-toggle-group aria-labelledby="catalog-measure-label" hideSingleSelectionIndicator [value]="query().measure" (change)="set({ measure: $event.value })">
            @for (m of measures; track m) {
              <mat-button-toggle [value]="m" [attr.data-testid]="'measure-' + m">{{ i18n.t(m === 'subject' ? 'image.measureSubject' : 'image.measurePhoto') }}</mat-button-toggle>
            }
          </mat-button-toggle-group>
          <span class="group-label" id="catalog-palette-label">{{ i18n.t('browse.palette') }}</span>
          <mat-button-toggle-group aria-labelledby="catalog-palette-label" hideSingleSelectionIndicator [value]="query().palette" (change)="set({ palette: $event.value })">
            @for (p of palettes; track p) {
              <mat-button-toggle [value]="p" [attr.data-testid]="'palette-' + p">{{ i18n.t(p === 'RGB' ? 'palette.RGB' : 'palette.RYB') }}</mat-button-toggle>
            }
          </mat-button-toggle-group>
        </div>
        <vv-palette-picker [palette]="query().palette" [selected]="query().colour" [counts]="paletteCounts()" (selectedChange)="set({ colour: $event })" />
        @if (active()) {
          <div><button mat-button type="button" data-testid="clear" (click)="clear()">{{ i18n.t('browse.clear') }}</button></div>
        }
      </section>
    }

    @switch (pages().state) {
      @case ('loading') {
        <mat-progress-bar mode="indeterminate" [attr.aria-label]="i18n.t('browse.loading')" />
      }
      @case ('error') {
        <div class="error-box" role="alert" data-testid="catalog-error">
          {{ errorText() }}
          <button mat-button type="button" (click)="reload$.next()">{{ i18n.t('common.retry') }}</button>
        </div>
      }
      @case ('ok') {
        <p class="summary" aria-live="polite" data-testid="catalog-total">
          {{ active() ? i18n.t('browse.matching', { total: total() }) : i18n.t('browse.total', { total: total() }) }}
          @if (items().length) { · {{ i18n.t('catalog.shown', { count: items().length }) }} }
        </p>
        @if (items().length === 0) {
          <div class="empty" data-testid="empty-state" role="status">
            <vv-illustration name="search" />
            <h2>{{ active() ? i18n.t('browse.empty.title') : i18n.t('catalog.empty.title') }}</h2>
            <p class="muted">{{ active() ? i18n.t('browse.empty.body') : i18n.t('browse.catalogEmpty') }}</p>
            @if (active()) {
              <button mat-flat-button type="button" (click)="clear()">{{ i18n.t('browse.clear') }}</button>
            }
          </div>
        } @else {
          <ul class="grid" data-testid="catalog-grid">
            @for (img of items(); track img.imageId) {
              <li class="card" data-testid="catalog-card">
                <a class="thumb" [routerLink]="['/images', img.imageId]" [attr.aria-label]="i18n.t('browse.open', { kind: i18n.kind(img.kind) })">
                  <img [src]="img.url" [alt]="i18n.t('image.photo', { kind: i18n.kind(img.kind) })" loading="lazy" />
                </a>
                <div class="meta">
                  <vv-kind-badge [kind]="img.kind" [confidence]="img.confidence" [top]="img.top" [byPerson]="img.labelSource === 'person'" />
                  <div class="chips">
                    @if (chipsOf(img); as c) {
                      @if (c.rgb) { <vv-colour-chip palette="RGB" [hex]="c.rgb" /> }
                      @if (c.ryb) { <vv-colour-chip palette="RYB" [hex]="c.ryb" /> }
                    }
                  </div>
                  <time class="muted small" [attr.datetime]="img.uploadedAt">{{ i18n.date(img.uploadedAt) }}</time>
                </div>
              </li>
            }
          </ul>
          <div class="more" #sentinel>
            @if (nextCursor()) {
              <button mat-flat-button type="button" data-testid="catalog-more" [disabled]="moreState() === 'loading'" (click)="more$.next()">
                {{ i18n.t('catalog.more') }}
              </button>
              @if (moreState() === 'error') {
                <span class="error-text" role="alert">{{ i18n.t('review.moreFailed') }}</span>
              }
            } @else {
              <span class="muted" data-testid="catalog-end">{{ i18n.t('catalog.end') }}</span>
            }
          </div>
        }
      }
    }
  `,
  styles: `
    .presets { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 12px; }
    .presets .on { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .filters {
      display: flex; flex-direction: column; gap: 12px; padding: 16px; margin-bottom: 16px; border-radius: 16px;
      background: var(--mat-sys-surface-container-low);
    }
    .row { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
    .sort, .source { width: 220px; max-width: 100%; }
    .kind { width: 260px; max-width: 100%; }
    .group-label { font: var(--mat-sys-label-large); color: var(--mat-sys-on-surface-variant); }
    .summary { font: var(--mat-sys-label-large); }
    .grid {
      list-style: none; margin: 0; padding: 0; display: grid; gap: 16px;
      grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
    }
    .card {
      border-radius: 16px; overflow: hidden; background: var(--mat-sys-surface-container);
      border: 1px solid var(--mat-sys-outline-variant); display: flex; flex-direction: column;
    }
    .thumb { display: block; aspect-ratio: 1 / 1; background: var(--mat-sys-surface-container-highest); }
    .thumb:focus-visible { outline: 3px solid var(--mat-sys-primary); outline-offset: -3px; }
    .thumb img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .meta { padding: 10px 12px 12px; display: flex; flex-direction: column; gap: 8px; }
    .chips { display: flex; flex-wrap: wrap; gap: 6px; }
    .small { font: var(--mat-sys-body-small); }
    .more { display: flex; gap: 12px; align-items: center; justify-content: center; margin: 24px 0; min-height: 40px; }
    .error-text { color: var(--mat-sys-error); }
    .empty { text-align: center; padding: 48px 16px; }
    @media (max-width: 599px) {
      .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
      .sort, .source, .kind { width: 100%; }
    }
  `,
})
export class CatalogComponent {
  protected readonly i18n = inject(I18nService);
  private readonly api = inject(ApiService);
  private readonly route = inject(ActivatedRoute);
  private readonly router = inject(Router);
  private readonly sequence = inject(ImageSequenceService);
  private readonly sentinel = viewChild<ElementRef<HTMLElement>>('sentinel');

  protected readonly sorts = SORTS;
  protected readonly measures = MEASURES;
  protected readonly palettes = PALETTE_NAMES;
  protected readonly reload$ = new Subject<void>();
  protected readonly more$ = new Subject<void>();
  protected readonly filtersOpen = signal(false);
  protected readonly compact = toSignal(inject(BreakpointObserver).observe('(max-width: 599.98px)').pipe(map((s) => s.matches)), { initialValue: false });

  protected readonly query = toSignal(this.route.queryParams.pipe(map(catalogQueryFromParams)), { initialValue: DEFAULT_QUERY });
  protected readonly recent = computed(() => isRecentUploads(this.query()));
  protected readonly active = computed(() => {
    const q = this.query();
    return q.kind !== null || q.colour !== null || q.source !== null;
  });
  protected readonly activeCount = computed(() => {
    const q = this.query();
    return [q.kind, q.colour, q.source].filter((v) => v !== null).length;
  });
  protected readonly facets = signal<Facets | null>(null);
  protected readonly pages = signal<Pages>({ state: 'loading' });
  protected readonly items = computed(() => {
    const p = this.pages();
    return p.state === 'ok' ? p.items : [];
  });
  protected readonly total = computed(() => {
    const p = this.pages();
    return p.state === 'ok' ? p.total : 0;
  });
  protected readonly nextCursor = computed(() => {
    const p = this.pages();
    return p.state === 'ok' ? p.nextCursor : null;
  });
  protected readonly moreState = computed(() => {
    const p = this.pages();
    return p.state === 'ok' ? p.more : 'idle';
  });
  protected readonly errorText = computed(() => {
    const p = this.pages();
    return p.state === 'error' ? errorMessage(p.error, this.i18n) : '';
  });
  protected readonly kindOptions = computed(() => {
    const counts = this.facets()?.kinds ?? {};
    return LABELS.map((kind) => ({ kind, name: this.i18n.kind(kind), count: counts[kind] ?? 0 }));
  });
  protected readonly paletteCounts = computed(() => colourCounts(this.facets(), this.query().measure, this.query().palette));

  constructor() {
    const queries = this.route.queryParams.pipe(map(catalogQueryFromParams));
    queries
      .pipe(
        distinctUntilChanged((a, b) => a.kind === b.kind && a.source === b.source && a.palette === b.palette && a.colour === b.colour && a.measure === b.measure),
        switchMap((q) => this.api.facets({ kind: q.kind, source: q.source, palette: q.palette, colour: q.colour, measure: q.measure }).pipe(catchError(() => of(null)))),
        takeUntilDestroyed(),
      )
      .subscribe((f) => this.facets.set(f));

    combineLatest([queries, this.reload$.pipe(startWith(undefined))])
      .pipe(
        switchMap(([q]) =>
          this.api.list(listParams(q, CATALOG_PAGE_SIZE)).pipe(
            map((page): Pages => ({ state: 'ok', items: page.items, total: page.total, nextCursor: page.nextCursor, more: 'idle' })),
            catchError((error: unknown) => of<Pages>({ state: 'error', error })),
            startWith<Pages>({ state: 'loading' }),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((p) => this.setPages(p));

    this.more$
      .pipe(
        exhaustMap(() => {
          const p = this.pages();
          if (p.state !== 'ok' || !p.nextCursor || p.more === 'loading') return of(null);
          this.pages.set({ ...p, more: 'loading' });
          return this.api.list({ ...listParams(this.query(), CATALOG_PAGE_SIZE), cursor: p.nextCursor }).pipe(
            map((page): Pages => {
              const seen = new Set(p.items.map((i) => i.imageId));
              return { state: 'ok', items: [...p.items, ...page.items.filter((i) => !seen.has(i.imageId))], total: page.total, nextCursor: page.nextCursor, more: 'idle' };
            }),
            catchError(() => of<Pages>({ ...p, more: 'error' })),
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe((p) => {
        if (p) this.setPages(p);
      });

    // Infinite scroll: the next page loads when the end of the grid comes into view (the button stays, for keyboards).
    effect((onCleanup) => {
      const el = this.sentinel()?.nativeElement;
      if (!el || typeof IntersectionObserver === 'undefined') return;
      const observer = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting) && this.moreState() === 'idle' && this.nextCursor()) this.more$.next();
      }, { rootMargin: '400px' });
      observer.observe(el);
      onCleanup(() => observer.disconnect());
    });
  }

  protected sortKey(s: (typeof SORTS)[number]): MessageKey {
    return SORT_KEYS[s];
  }

  protected chipsOf(img: CatalogImage): { rgb: string | null; ryb: string | null } {
    return chipsOf(img, this.query().measure);
  }

  protected set(change: Partial<CatalogQuery>): void {
    this.navigate(updateCatalogQuery(this.query(), change));
  }

  protected showRecentUploads(): void {
    this.navigate(this.recent() ? { ...this.query(), source: null } : { ...this.query(), ...RECENT_UPLOADS, kind: null, colour: null });
  }

  protected clear(): void {
    this.navigate({ ...DEFAULT_QUERY, sort: this.query().sort, palette: this.query().palette, measure: this.query().measure });
  }

  private navigate(q: CatalogQuery): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: paramsFromCatalogQuery(q), queryParamsHandling: 'merge' });
  }

  private setPages(p: Pages): void {
    this.pages.set(p);
    if (p.state === 'ok') this.sequence.set('browse', p.items.map((i) => i.imageId), this.router.url);
  }
}
