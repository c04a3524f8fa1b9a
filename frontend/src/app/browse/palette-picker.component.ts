// Colour picker over one palette: 12 swatches with their catalog counts, plus "any colour".
import { ChangeDetectionStrategy, Component, computed, inject, input, output } from '@angular/core';
import type { PaletteName } from '../core/api.types';
import { PALETTES, contrastText } from '../core/catalog';
import { I18nService } from '../core/i18n.service';

export interface Swatch {
  hex: string;
  name: string;
  count: number;
  text: string;
  selected: boolean;
  /** No image has this colour under the other filters (and it is not the selected one): nothing to click into. */
  disabled: boolean;
}

@Component({
  selector: 'vv-palette-picker',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="picker" role="group" [attr.aria-label]="i18n.t('palette.pick', { palette: palette() })">
      <button
        type="button"
        class="swatch any"
        data-testid="swatch-any"
        [class.selected]="selected() === null"
        [attr.aria-pressed]="selected() === null"
        (click)="selectedChange.emit(null)"
      >
        <span class="chip any-chip" aria-hidden="true"></span>
        <span class="label">{{ i18n.t('browse.anyColour') }}</span>
      </button>
      @for (s of swatches(); track s.hex) {
        <button
          type="button"
          class="swatch"
          [attr.data-testid]="'swatch-' + s.hex.slice(1)"
          [class.selected]="s.selected"
          [class.empty]="s.count === 0"
          [disabled]="s.disabled"
          [attr.aria-pressed]="s.selected"
          [attr.aria-label]="i18n.t('palette.swatch', { name: s.name, hex: s.hex, count: s.count })"
          [title]="s.name + ' ' + s.hex"
          (click)="selectedChange.emit(s.selected ? null : s.hex)"
        >
          <span class="chip" [style.background-color]="s.hex" [style.color]="s.text" aria-hidden="true">
            @if (s.selected) { ✓ }
          </span>
          <span class="label count">{{ s.count }}</span>
        </button>
      }
    </div>
  `,
  styles: `
    .picker { display: flex; flex-wrap: wrap; gap: 6px; }
    .swatch {
      display: flex; flex-direction: column; align-items: center; gap: 2px;
      min-width: 48px; padding: 4px; border-radius: 10px; cursor: pointer;
      border: 2px solid transparent; background: transparent; color: inherit; font: inherit;
    }
    .swatch:hover { background: var(--mat-sys-surface-container-high); }
    .swatch:focus-visible { outline: 3px solid var(--mat-sys-primary); outline-offset: 1px; }
    .swatch.selected { border-color: var(--mat-sys-primary); background: var(--mat-sys-secondary-container); }
    .swatch.empty .count { color: var(--mat-sys-on-surface-variant); }
    .swatch:disabled { cursor: default; opacity: 0.38; }
    .swatch:disabled:hover { background: transparent; }
    .chip {
      width: 32px; height: 32px; border-radius: 50%; display: grid; place-items: center; font-weight: 700;
      box-shadow: inset 0 0 0 1px rgb(0 0 0 / 25%);
    }
    .any-chip { background: conic-gradient(#f00, #ff0, #0f0, #0ff, #00f, #f0f, #f00); }
    .label { font-size: 12px; line-height: 16px; }
    .any .label { max-width: 72px; text-align: center; }
  `,
})
export class PalettePickerComponent {
  protected readonly i18n = inject(I18nService);

  readonly palette = input.required<PaletteName>();
  readonly selected = input<string | null>(null);
  /** Images per dominant colour hex on this palette under the other filters (from /api/catalog/facets); null while unknown. */
  readonly counts = input<Record<string, number> | null>(null);
  readonly selectedChange = output<string | null>();

  readonly swatches = computed<Swatch[]>(() => {
    const palette = this.palette();
    const known = this.counts();
    const counts = known ?? {};
    const selected = this.selected();
    return PALETTES[palette].map((hex) => ({
      hex,
      name: this.i18n.colour(palette, hex),
      count: counts[hex] ?? 0,
      text: contrastText(hex),
      selected: selected === hex,
      disabled: known !== null && !counts[hex] && selected !== hex,
    }));
  });
}
