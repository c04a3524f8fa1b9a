// The label of an image: translated kind and confidence. "Not a vegetable" stands out and
// names the closest kind as closest ("— closest kind: Brinjal (32.6%)"), never as a certainty.
import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import type { KindScore } from '../core/api.types';
import { NOT_A_VEGETABLE, closestKind } from '../core/catalog';
import { I18nService } from '../core/i18n.service';

@Component({
  selector: 'vv-kind-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span class="badge" [class.reject]="rejected()" [class.person]="byPerson()" data-testid="kind">{{ i18n.kind(kind()) }}</span>
    @if (byPerson()) {
      <span class="confidence" data-testid="by-person">{{ i18n.t('image.byPerson') }}</span>
    } @else if (rejected()) {
      @if (closest(); as c) {
        <span class="confidence" data-testid="closest">{{
          i18n.t('image.closestKind', { kind: i18n.kind(c.kind), value: i18n.percent(c.confidence) })
        }}</span>
      }
    } @else if (confidence() !== null) {
      <span class="confidence" data-testid="confidence">{{ i18n.t('image.confidenceValue', { value: i18n.percent(confidence()) }) }}</span>
    }
  `,
  styles: `
    :host { display: inline-flex; align-items: center; flex-wrap: wrap; gap: 6px; }
    .badge {
      padding: 2px 10px; border-radius: 8px; font: var(--mat-sys-label-large);
      background: var(--mat-sys-primary-container); color: var(--mat-sys-on-primary-container);
    }
    .badge.person { outline: 2px solid var(--mat-sys-primary); }
    .badge.reject { background: var(--mat-sys-tertiary-container); color: var(--mat-sys-on-tertiary-container); }
    .confidence { font: var(--mat-sys-label-medium); color: var(--mat-sys-on-surface-variant); }
  `,
})
export class KindBadgeComponent {
  protected readonly i18n = inject(I18nService);
  readonly kind = input.required<string | null>();
  /** Softmax of the top kind: shown as certainty for a kind only. */
  readonly confidence = input<number | null>(null);
  /** The label's top kinds, best first: the first is the closest kind of a refused photo. */
  readonly top = input<readonly KindScore[]>([]);
  /** The label is a person's correction: marked as such, with no model confidence. */
  readonly byPerson = input(false);
  protected readonly rejected = computed(() => this.kind() === NOT_A_VEGETABLE);
  protected readonly closest = computed(() => closestKind(this.kind(), this.top()));
}
