// A palette colour as a dot with its name.
import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import type { PaletteName } from '../core/api.types';
import { I18nService } from '../core/i18n.service';

@Component({
  selector: 'vv-colour-chip',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span class="chip" [title]="hex() ?? ''">
      <span class="dot" [style.background-color]="hex()" aria-hidden="true"></span>
      <span class="palette">{{ palette() }}</span>
      <span>{{ name() }}</span>
    </span>
  `,
  styles: `
    .chip {
      display: inline-flex; align-items: center; gap: 4px; padding: 2px 8px 2px 4px; border-radius: 999px;
      background: var(--mat-sys-surface-container-high); color: var(--mat-sys-on-surface); font: var(--mat-sys-label-medium);
    }
    .dot { width: 14px; height: 14px; border-radius: 50%; box-shadow: inset 0 0 0 1px rgb(0 0 0 / 30%); }
    .palette { font-weight: 600; color: var(--mat-sys-on-surface-variant); }
  `,
})
export class ColourChipComponent {
  private readonly i18n = inject(I18nService);
  readonly palette = input.required<PaletteName>();
  readonly hex = input.required<string | null>();
  protected readonly name = computed(() => this.i18n.colour(this.palette(), this.hex()));
}
