// Model versions (GET /api/models); a friendly "not available" state while the API lacks it.
import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Subject, catchError, map, of, startWith, switchMap } from 'rxjs';
import { ApiService } from '../core/api.service';
import type { ModelInfo, ModelsResponse } from '../core/api.types';
import { errorMessage } from '../core/errors';
import { I18nService } from '../core/i18n.service';
import { IllustrationComponent } from '../shared/illustration.component';

/** The parts of a model card's metrics the page shows (cards may hold more, or less). */
interface CardMetrics {
  validationTop1?: number | null;
  onnxBytes?: number;
  latencyMs?: number;
  typescript?: {
    datasetValidation?: { answerRight?: number };
    realValidation?: { answerRight?: number; negativesRefused?: number };
  };
}

type State =
  | { state: 'loading' }
  | { state: 'ok'; data: ModelsResponse }
  | { state: 'unavailable' }
  | { state: 'error'; error: unknown };

@Component({
  selector: 'vv-models',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatProgressBarModule, IllustrationComponent],
  template: `
    <h1>{{ i18n.t('models.title') }}</h1>
    @switch (view().state) {
      @case ('loading') {
        <mat-progress-bar mode="indeterminate" [attr.aria-label]="i18n.t('common.loading')" />
      }
      @case ('unavailable') {
        <div class="empty" role="status" data-testid="models-unavailable">
          <vv-illustration name="models" />
          <h2>{{ i18n.t('models.unavailable.title') }}</h2>
          <p class="muted">{{ i18n.t('models.unavailable.body') }}</p>
        </div>
      }
      @case ('error') {
        <div class="error-box" role="alert">
          {{ errorText() }}
          <button mat-button type="button" (click)="reload$.next()">{{ i18n.t('common.retry') }}</button>
        </div>
      }
      @case ('ok') {
        @if (data(); as d) {
          <p data-testid="models-active">{{ i18n.t('models.activeLabel', { version: d.active }) }}</p>
          @if (d.models.length === 0) {
            <p class="muted">{{ i18n.t('models.none') }}</p>
          } @else {
            <div class="table-wrap">
              <table data-testid="models-table">
                <thead>
                  <tr>
                    <th scope="col">{{ i18n.t('models.version') }}</th>
                    <th scope="col">{{ i18n.t('models.created') }}</th>
                    <th scope="col">{{ i18n.t('models.architecture') }}</th>
                    <th scope="col">{{ i18n.t('models.accuracy') }}</th>
                    <th scope="col">{{ i18n.t('models.realAccuracy') }}</th>
                    <th scope="col">{{ i18n.t('models.realRefused') }}</th>
                    <th scope="col">{{ i18n.t('models.size') }}</th>
                    <th scope="col">{{ i18n.t('models.latency') }}</th>
                    <th scope="col">{{ i18n.t('models.card') }}</th>
                    <th scope="col">{{ i18n.t('models.sha') }}</th>
                  </tr>
                </thead>
                <tbody>
                  @for (m of d.models; track m.version) {
                    <tr [class.active]="m.version === d.active || m.active">
                      <th scope="row">
                        {{ m.version }}
                        @if (m.version === d.active || m.active) { <span class="badge">{{ i18n.t('models.active') }}</span> }
                      </th>
                      <td>{{ i18n.date(m.createdAt) }}</td>
                      <td>{{ m.architecture }}</td>
                      <td data-testid="figure-dataset">{{ figures(m).dataset }}</td>
                      <td data-testid="figure-real">{{ figures(m).real }}</td>
                      <td data-testid="figure-refused">{{ figures(m).refused }}</td>
                      <td>{{ figures(m).size }}</td>
                      <td>{{ figures(m).latency }}</td>
                      <td>
                        <a [href]="'/api/models/' + m.version + '/card'" target="_blank" rel="noopener" data-testid="model-card-link">{{ i18n.t('models.openCard') }}</a>
                      </td>
                      <td><code [title]="m.sha256">{{ m.sha256.slice(0, 12) }}…</code></td>
                    </tr>
                  }
                </tbody>
              </table>
            </div>
            <p class="muted note" data-testid="models-note">{{ i18n.t('models.note') }}</p>
          }
        }
      }
    }
  `,
  styles: `
    .empty { text-align: center; padding: 48px 16px; }
    .note { margin-top: 12px; font: var(--mat-sys-body-small); max-width: 72em; }
    .table-wrap { overflow-x: auto; border-radius: 16px; border: 1px solid var(--mat-sys-outline-variant); }
    table { border-collapse: collapse; width: 100%; min-width: 560px; }
    th, td { text-align: left; padding: 10px 14px; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    thead th { font: var(--mat-sys-label-large); color: var(--mat-sys-on-surface-variant); background: var(--mat-sys-surface-container); }
    tbody th { font-weight: 600; }
    tr.active { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .badge { margin-left: 6px; padding: 1px 8px; border-radius: 8px; font: var(--mat-sys-label-small); background: var(--mat-sys-primary); color: var(--mat-sys-on-primary); }
  `,
})
export class ModelsComponent {
  protected readonly i18n = inject(I18nService);
  private readonly api = inject(ApiService);
  protected readonly reload$ = new Subject<void>();
  protected readonly view = signal<State>({ state: 'loading' });
  protected readonly data = computed(() => {
    const v = this.view();
    return v.state === 'ok' ? v.data : null;
  });
  protected readonly errorText = computed(() => {
    const v = this.view();
    return v.state === 'error' ? errorMessage(v.error, this.i18n) : '';
  });

  /** The card's figures, each measured through the product's TypeScript pipeline where the card has that; '–' when not measured. */
  protected figures(m: ModelInfo): { dataset: string; real: string; refused: string; size: string; latency: string } {
    const metrics = (m.metrics ?? {}) as CardMetrics;
    const pct = (v: unknown) => (typeof v === 'number' ? `${this.i18n.percent(v)}%` : '–');
    const ts = metrics.typescript;
    return {
      dataset: pct(ts?.datasetValidation?.answerRight ?? metrics.validationTop1),
      real: pct(ts?.realValidation?.answerRight),
      refused: pct(ts?.realValidation?.negativesRefused),
      size: typeof metrics.onnxBytes === 'number' ? this.i18n.t('models.megabytes', { value: (metrics.onnxBytes / 1e6).toLocaleString(this.i18n.locale(), { maximumFractionDigits: 1 }) }) : '–',
      latency: typeof metrics.latencyMs === 'number' ? this.i18n.t('models.milliseconds', { value: metrics.latencyMs.toLocaleString(this.i18n.locale(), { maximumFractionDigits: 1 }) }) : '–',
    };
  }

  constructor() {
    this.reload$
      .pipe(
        startWith(undefined),
        switchMap(() =>
          this.api.models().pipe(
            map((data): State => ({ state: 'ok', data })),
            catchError((error: unknown) =>
              of<State>(
                error instanceof HttpErrorResponse && (error.status === 404 || error.status === 501)
                  ? { state: 'unavailable' }
                  : { state: 'error', error },
              ),
            ),
            startWith<State>({ state: 'loading' }),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((s) => this.view.set(s));
  }
}
