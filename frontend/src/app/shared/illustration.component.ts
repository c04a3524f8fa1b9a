// Small decorative drawings for empty states (inline SVG: no icon font or emoji font needed).
import { ChangeDetectionStrategy, Component, input } from '@angular/core';

@Component({
  selector: 'vv-illustration',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'aria-hidden': 'true' },
  template: `
    @switch (name()) {
      @case ('search') {
        <svg viewBox="0 0 64 64" width="64" height="64">
          <circle cx="27" cy="27" r="17" fill="none" stroke="currentColor" stroke-width="5" />
          <line x1="40" y1="40" x2="56" y2="56" stroke="currentColor" stroke-width="7" stroke-linecap="round" />
          <path d="M20 27h14" stroke="currentColor" stroke-width="4" stroke-linecap="round" />
        </svg>
      }
      @case ('models') {
        <svg viewBox="0 0 64 64" width="64" height="64">
          <rect x="8" y="10" width="48" height="44" rx="8" fill="none" stroke="currentColor" stroke-width="5" />
          <circle cx="22" cy="26" r="5" fill="currentColor" />
          <circle cx="42" cy="26" r="5" fill="currentColor" />
          <path d="M22 42h20" stroke="currentColor" stroke-width="5" stroke-linecap="round" />
        </svg>
      }
    }
  `,
  styles: `
    :host { display: inline-block; color: var(--mat-sys-outline); }
  `,
})
export class IllustrationComponent {
  readonly name = input.required<'search' | 'models'>();
}
