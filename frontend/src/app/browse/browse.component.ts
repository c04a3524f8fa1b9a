// Browse: filters (count, kind, palette, colour and which colour: the vegetable's or the whole
// photo's) kept in the URL query; a grid of images; counts of each kind and colour under the other filters.
import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { Subject, catchError, combineLatest, distinctUntilChanged, map, of, startWith, switchMap } from 'rxjs';
import { ApiService } from '../core/api.service';
import type { CatalogImage, Facets, PaletteName } from '../core/api.types';
import { LABELS, PALETTE_NAMES } from '../core/catalog';
import { errorMessage } from '../core/errors';
import { chipsOf, colourCounts } from '../core/colour-measure';
import { I18nService } from '../core/i18n.service';
import { ImageSequenceService } from '../core/image-sequence.service';
import { ColourChipComponent } from '../shared/colour-chip.component';
import { IllustrationComponent } from '../shared/illustration.component';
import { KindBadgeComponent } from '../shared/kind-badge.component';
import {
  DEFAULT_FILTERS,
  type BrowseFilters,
  filtersFromQuery,
  hasActiveFilters,
  queryFromFilters,
  updateFilters,
} from './browse-query';
import { PalettePickerComponent } from './palette-picker.component';
import { MEASURES } from './browse-query';

type Results =
  | { state: 'loading' }
  | { state: 'ok'; items: CatalogImage[] }
  | { state: 'error'; error: unknown };

@Component({
  selector: 'vv-browse',
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
    <h1>{{ i18n.t('browse.title') }}</h1>
    @if (compact()) {
      <div class="phone-bar">
        <button mat-stroked-button type="button" data-testid="filters-toggle" [attr.aria-expanded]="filtersOpen()" aria-controls="browse-filters" (click)="filtersOpen.set(!filtersOpen())">
          {{ i18n.t(filtersOpen() ? 'browse.hideFilters' : 'browse.showFilters') }}
          @if (activeCount()) { ({{ activeCount() }}) }
        </button>
        <button mat-flat-button type="button" (click)="shuffle()">{{ i18n.t('browse.shuffle') }}</button>
      </div>
    }
    <section class="filters" id="browse-filters" data-testid="browse-filters" [class.collapsed]="compact() && !filtersOpen()" [attr.aria-label]="i18n.t('browse.filters')">
      <div class="row">
        <mat-form-field class="count" subscriptSizing="dynamic">
          <mat-label>{{ i18n.t('browse.count') }}</mat-label>
          <mat-select data-testid="count-select" [value]="filters().count" (selectionChange)="set({ count: $event.value })">
            @for (n of counts; track n) {
              <mat-option [value]="n">{{ n }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
        <mat-form-field class="kind" subscriptSizing="dynamic">
          <mat-label>{{ i18n.t('browse.kind') }}</mat-label>
          <mat-select data-testid="kind-select" [value]="filters().kind ?? ''" (selectionChange)="set({ kind: $event.value || null })">
            <mat-option value="">{{ i18n.t('browse.anyKind') }}</mat-option>
            @for (k of kindOptions(); track k.kind) {
              <mat-option [value]="k.kind" [disabled]="k.count === 0 && filters().kind !== k.kind" [attr.data-testid]="'kind-option-' + k.kind">
                {{ k.name }} <span class="muted">({{ k.count }})</span>
              </mat-option>
            }
          </mat-select>
        </mat-form-field>
        <div class="palette">
          <span class="group-label" id="measure-label">{{ i18n.t('browse.measure') }}</span>
          <mat-button-toggle-group
            aria-labelledby="measure-label"
            hideSingleSelectionIndicator
            [value]="filters().measure"
            (change)="set({ measure: $event.value })"
          >
            @for (m of measures; track m) {
              <mat-button-toggle [value]="m" [attr.data-testid]="'measure-' + m">{{ i18n.t(m === 'subject' ? 'image.measureSubject' : 'image.measurePhoto') }}</mat-button-toggle>
            }
          </mat-button-toggle-group>
        </div>
        <div class="palette">
          <span class="group-label" id="palette-label">{{ i18n.t('browse.palette') }}</span>
          <mat-button-toggle-group
            aria-labelledby="palette-label"
            hideSingleSelectionIndicator
            [value]="filters().palette"
            (change)="set({ palette: $event.value })"
          >
            @for (p of palettes; track p) {
              <mat-button-toggle [value]="p" [attr.data-testid]="'palette-' + p">{{ i18n.t(p === 'RGB' ? 'palette.RGB' : 'palette.RYB') }}</mat-button-toggle>
            }
          </mat-button-toggle-group>
        </div>
      </div>
      <div class="colour">
        <span class="group-label">{{ i18n.t('browse.colour') }}</span>
        <vv-palette-picker
          [palette]="filters().palette"
          [selected]="filters().colour"
          [counts]="paletteCounts()"
          (selectedChange)="set({ colour: $event })"
        />
      </div>
      <div class="actions">
        <button mat-flat-button type="button" data-testid="shuffle" (click)="shuffle()">{{ i18n.t('browse.shuffle') }}</button>
        @if (active()) {
          <button mat-button type="button" data-testid="clear" (click)="clear()">{{ i18n.t('browse.clear') }}</button>
        }
        <span class="muted summary" aria-live="polite">
          @if (facets(); as f) { {{ active() ? i18n.t('browse.matching', { total: f.total }) : i18n.t('browse.total', { total: f.total }) }} }
          @if (results().state === 'ok') { · {{ i18n.t('browse.showingAll', { count: items().length }) }} }
        </span>
      </div>
    </section>

    @switch (results().state) {
      @case ('loading') {
        <mat-progress-bar mode="indeterminate" [attr.aria-label]="i18n.t('browse.loading')" />
      }
      @case ('error') {
        <div class="error-box" role="alert" data-testid="browse-error">
          {{ errorText() }}
          <button mat-button type="button" (click)="retry$.next()">{{ i18n.t('common.retry') }}</button>
        </div>
      }
      @case ('ok') {
        @if (items().length === 0) {
          <div class="empty" data-testid="empty-state" role="status">
            <vv-illustration name="search" />
            <h2>{{ i18n.t('browse.empty.title') }}</h2>
            <p class="muted">{{ facets()?.total === 0 ? i18n.t('browse.catalogEmpty') : i18n.t('browse.empty.body') }}</p>
            @if (active()) {
              <button mat-flat-button type="button" (click)="clear()">{{ i18n.t('browse.clear') }}</button>
            }
          </div>
        } @else {
          <ul class="grid" data-testid="results">
            @for (img of items(); track img.imageId) {
              <li class="card" data-testid="result-card">
                <a class="thumb" [routerLink]="['/images', img.imageId]" [attr.aria-label]="i18n.t('browse.open', { kind: i18n.kind(img.kind) })">
                  <img [src]="img.url" [alt]="i18n.t('image.photo', { kind: i18n.kind(img.kind) })" loading="lazy" />
                </a>
                <div class="meta">
                  <vv-kind-badge [kind]="img.kind" [confidence]="img.confidence" [top]="img.top" [byPerson]="img.labelSource === 'person'" />
                  <div class="chips" [attr.data-measure]="filters().measure">
                    @if (chipsOf(img); as c) {
                      @if (c.rgb) { <vv-colour-chip palette="RGB" [hex]="c.rgb" /> }
                      @if (c.ryb) { <vv-colour-chip palette="RYB" [hex]="c.ryb" /> }
                    }
                  </div>
                </div>
              </li>
            }
          </ul>
        }
      }
    }
  `,
  styles: `
    .filters {
      display: flex; flex-direction: column; gap: 12px; padding: 16px; margin-bottom: 16px; border-radius: 16px;
      background: var(--mat-sys-surface-container-low);
    }
    .filters.collapsed { display: none; }
    .phone-bar { display: flex; gap: 8px; flex-wrap: wrap; margin-bottom: 12px; }
    .row { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; }
    .count { width: 120px; }
    .kind { width: 260px; max-width: 100%; }
    .palette, .colour { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
    .group-label { font: var(--mat-sys-label-large); color: var(--mat-sys-on-surface-variant); }
    .colour { align-items: flex-start; flex-direction: column; }
    .actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
    .summary { margin-left: auto; }
    .grid {
      list-style: none; margin: 0; padding: 0; display: grid; gap: 16px;
      grid-template-columns: repeat(auto-fill, minmax(220px, 1fr));
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
    .empty { text-align: center; padding: 48px 16px; }
    @media (max-width: 599px) {
      .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
      .count, .kind { width: 100%; }
      .summary { margin-left: 0; }
    }
  `,
})
export class BrowseComponent {
  protected readonly i18n = inject(I18nService);
  private readonly api = inject(ApiService);
  private readonly route = inject(ActivatedRoute);
  private readonly router = inject(Router);
  private readonly sequence = inject(ImageSequenceService);

  protected readonly counts = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  protected readonly palettes = PALETTE_NAMES;
  protected readonly retry$ = new Subject<void>();

  protected readonly filters = toSignal(this.route.queryParams.pipe(map(filtersFromQuery)), { initialValue: DEFAULT_FILTERS });
  protected readonly active = computed(() => hasActiveFilters(this.filters()));
  protected readonly facets = signal<Facets | null>(null);
  protected readonly results = signal<Results>({ state: 'loading' });
  protected readonly items = computed(() => {
    const r = this.results();
    return r.state === 'ok' ? r.items : [];
  });
  protected readonly errorText = computed(() => {
    const r = this.results();
    return r.state === 'error' ? errorMessage(r.error, this.i18n) : '';
  });

  protected readonly kindOptions = computed(() => {
    const counts = this.facets()?.kinds ?? {};
    return LABELS.map((kind) => ({ kind, name: this.i18n.kind(kind), count: counts[kind] ?? 0 }));
  });

  protected readonly paletteCounts = computed(() => colourCounts(this.facets(), this.filters().measure, this.filters().palette));

  protected readonly measures = MEASURES;
  /** On a phone the filters fold away behind a button, so the photos are on the first screen. */
  protected readonly compact = toSignal(inject(BreakpointObserver).observe('(max-width: 599.98px)').pipe(map((s) => s.matches)), { initialValue: false });
  protected readonly filtersOpen = signal(false);
  protected readonly activeCount = computed(() => [this.filters().kind, this.filters().colour].filter((v) => v !== null).length);

  constructor() {
    // Counts follow the filters: each kind's under the colour filter, each colour's under the kind.
    this.route.queryParams
      .pipe(
        map(filtersFromQuery),
        distinctUntilChanged((a, b) => a.kind === b.kind && a.palette === b.palette && a.colour === b.colour && a.measure === b.measure),
        switchMap((f) => this.api.facets(f).pipe(catchError(() => of(null)))),
        takeUntilDestroyed(),
      )
      .subscribe((f) => this.facets.set(f));

    combineLatest([this.route.queryParams.pipe(map(filtersFromQuery)), this.retry$.pipe(startWith(undefined))])
      .pipe(
        switchMap(([f]) =>
          this.api.browse(f).pipe(
            map((r): Results => ({ state: 'ok', items: r.items })),
            catchError((error: unknown) => of<Results>({ state: 'error', error })),
            startWith<Results>({ state: 'loading' }),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((r) => {
        this.results.set(r);
        if (r.state === 'ok') this.sequence.set('browse', r.items.map((i) => i.imageId), this.router.url);
      });
  }

  /** The colour chips of the measure the filters use. */
  protected chipsOf(img: CatalogImage): { rgb: string | null; ryb: string | null } {
    return chipsOf(img, this.filters().measure);
  }

  protected set(change: Partial<BrowseFilters> & { palette?: PaletteName }): void {
    this.navigate(updateFilters(this.filters(), change));
  }

  protected shuffle(): void {
    // The API answers a fresh random sample for the same filters.
    this.retry$.next();
  }

  protected clear(): void {
    this.navigate({ ...DEFAULT_FILTERS, count: this.filters().count, palette: this.filters().palette, measure: this.filters().measure });
  }

  private navigate(filters: BrowseFilters): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: queryFromFilters(filters), queryParamsHandling: 'merge' });
  }
}
