// Palette-share bar: how much of the picture is nearest to each palette colour.
import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import type { PaletteName, PaletteShare } from '../core/api.types';
import { I18nService } from '../core/i18n.service';

@Component({
  selector: 'vv-share-bar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="bar" role="img" [attr.aria-label]="label()">
      @for (s of visible(); track s.hex) {
        <span class="segment" [style.flex-grow]="s.share" [style.background-color]="s.hex" [title]="s.title"></span>
      }
    </div>
  `,
  styles: `
    .bar {
      display: flex; height: 14px; border-radius: 7px; overflow: hidden;
      background: var(--mat-sys-surface-container-highest); box-shadow: inset 0 0 0 1px rgb(0 0 0 / 15%);
    }
    .segment { flex-basis: 0; min-width: 2px; }
  `,
})
export class ShareBarComponent {
  private readonly i18n = inject(I18nService);
  readonly palette = input.required<PaletteName>();
  readonly shares = input.required<readonly PaletteShare[]>();

  protected readonly visible = computed(() =>
    [...this.shares()]
      .filter((s) => s.share > 0.005)
      .sort((a, b) => b.share - a.share)
      .map((s) => ({ ...s, title: `${this.i18n.colour(this.palette(), s.hex)} ${this.i18n.percent(s.share, 0)}%` })),
  );

  protected readonly label = computed(() => {
    const parts = this.visible()
      .slice(0, 4)
      .map((s) => s.title)
      .join(', ');
    return `${this.i18n.t('palette.share', { palette: this.palette() })}: ${parts}`;
  });
}
