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
                      <td>{{ m.architecture ?? '–' }}</td>
                      <td>{{ top1(m) }}</td>
                      <td><code [title]="m.sha256">{{ m.sha256.slice(0, 12) }}…</code></td>
                    </tr>
                  }
                </tbody>
              </table>
            </div>
          }
        }
      }
    }
  `,
  styles: `
    .empty { text-align: center; padding: 48px 16px; }
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

  protected top1(m: ModelInfo): string {
    const v = m.metrics?.validationTop1;
    return typeof v === 'number' ? `${this.i18n.percent(v)}%` : '–';
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
