// Any route the console does not know: says so, instead of silently showing Browse.
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { Router, RouterLink } from '@angular/router';
import { I18nService } from '../core/i18n.service';
import { IllustrationComponent } from '../shared/illustration.component';

@Component({
  selector: 'vv-not-found',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, MatButtonModule, IllustrationComponent],
  template: `
    <div class="empty" role="status" data-testid="not-found">
      <vv-illustration name="search" />
      <h1>{{ i18n.t('notFound.title') }}</h1>
      <p class="muted">{{ i18n.t('notFound.body', { path: path }) }}</p>
      <a mat-flat-button routerLink="/browse">{{ i18n.t('notFound.browse') }}</a>
    </div>
  `,
  styles: `
    .empty { text-align: center; padding: 48px 16px; }
  `,
})
export class NotFoundComponent {
  protected readonly i18n = inject(I18nService);
  protected readonly path = inject(Router).url;
}
