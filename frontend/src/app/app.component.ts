// The shell: toolbar (collapses into a menu on phones), language and theme switches, pages.
import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, ElementRef, inject, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatMenuModule } from '@angular/material/menu';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { map } from 'rxjs';
import type { MessageKey } from './core/i18n.en';
import { I18nService } from './core/i18n.service';
import { ThemeService } from './core/theme.service';

interface NavLink {
  path: string;
  label: MessageKey;
}

@Component({
  selector: 'vv-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, RouterLink, RouterLinkActive, MatToolbarModule, MatButtonModule, MatMenuModule, MatTooltipModule],
  template: `
    <a class="skip-link" href="#main" (click)="skipToContent($event)">{{ i18n.t('app.skip') }}</a>
    <header>
      <mat-toolbar class="toolbar">
        <a class="brand" routerLink="/browse">
          <span class="logo" aria-hidden="true"></span>{{ i18n.t('app.title') }}
        </a>
        @if (!compact()) {
          <nav class="nav" [attr.aria-label]="i18n.t('nav.main')">
            @for (link of links; track link.path) {
              <a mat-button [routerLink]="link.path" routerLinkActive="active" ariaCurrentWhenActive="page">{{ i18n.t(link.label) }}</a>
            }
          </nav>
        }
        <span class="spacer"></span>
        @if (!compact()) {
          <button
            mat-stroked-button
            type="button"
            data-testid="lang-toggle"
            [attr.lang]="i18n.lang() === 'en' ? 'ru' : 'en'"
            [attr.aria-label]="i18n.t('lang.switchToHint')"
            (click)="i18n.toggle()"
          >
            {{ i18n.t('lang.switchTo') }}
          </button>
          <button
            mat-icon-button
            type="button"
            data-testid="theme-toggle"
            class="theme-toggle"
            [attr.aria-label]="themeLabel()"
            [matTooltip]="themeLabel()"
            (click)="theme.toggle()"
          >
            <span aria-hidden="true">{{ theme.theme() === 'dark' ? '☀' : '☾' }}</span>
          </button>
        } @else {
          <button mat-stroked-button type="button" data-testid="menu-toggle" [matMenuTriggerFor]="menu">
            ☰ {{ i18n.t('nav.menu') }}
          </button>
          <mat-menu #menu="matMenu">
            @for (link of links; track link.path) {
              <a mat-menu-item [routerLink]="link.path">{{ i18n.t(link.label) }}</a>
            }
            <button mat-menu-item type="button" data-testid="lang-toggle" [attr.lang]="i18n.lang() === 'en' ? 'ru' : 'en'" (click)="i18n.toggle()">
              {{ i18n.t('lang.switchTo') }}
            </button>
            <button mat-menu-item type="button" data-testid="theme-toggle" (click)="theme.toggle()">{{ themeLabel() }}</button>
          </mat-menu>
        }
      </mat-toolbar>
    </header>
    <main id="main" #main tabindex="-1">
      <router-outlet />
    </main>
  `,
  styles: `
    :host { display: block; min-height: 100%; }
    .toolbar {
      position: sticky; top: 0; z-index: 10; gap: 8px;
      background: var(--mat-sys-surface-container); color: var(--mat-sys-on-surface);
      border-bottom: 1px solid var(--mat-sys-outline-variant);
    }
    .brand {
      display: inline-flex; align-items: center; gap: 8px; margin-right: 16px;
      color: inherit; text-decoration: none; font: var(--mat-sys-title-large); font-weight: 600;
    }
    .logo {
      width: 22px; height: 22px; border-radius: 50%;
      background: radial-gradient(circle at 35% 35%, #ff8a65, #c62828 70%);
      box-shadow: inset 0 -2px 0 rgb(0 0 0 / 20%);
    }
    .nav { display: flex; gap: 4px; }
    .nav a.active { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .spacer { flex: 1 1 auto; }
    .theme-toggle span { font-size: 20px; line-height: 1; }
    main { display: block; max-width: 1280px; margin: 0 auto; padding: 16px; outline: none; }
    .skip-link {
      position: absolute; left: 8px; top: -48px; z-index: 100; padding: 8px 12px; border-radius: 8px;
      background: var(--mat-sys-primary); color: var(--mat-sys-on-primary);
    }
    .skip-link:focus { top: 8px; }
    @media (max-width: 599px) { main { padding: 12px 8px; } }
  `,
})
export class AppComponent {
  protected readonly i18n = inject(I18nService);
  protected readonly theme = inject(ThemeService);
  private readonly main = viewChild.required<ElementRef<HTMLElement>>('main');

  protected readonly links: NavLink[] = [
    { path: '/browse', label: 'nav.browse' },
    { path: '/catalog', label: 'nav.catalog' },
    { path: '/upload', label: 'nav.upload' },
    { path: '/review', label: 'nav.review' },
    { path: '/models', label: 'nav.models' },
  ];

  protected readonly compact = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 719.98px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );

  protected themeLabel(): string {
    return this.i18n.t(this.theme.theme() === 'dark' ? 'theme.toLight' : 'theme.toDark');
  }

  protected skipToContent(event: Event): void {
    event.preventDefault();
    this.main().nativeElement.focus();
  }
}
