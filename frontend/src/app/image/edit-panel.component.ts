// "Correct the kind" and "Delete" on the image page: both send the editor token the person
// typed (kept in sessionStorage, this tab only) and report the server's answer in their language.
import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { ApiService } from '../core/api.service';
import type { ImageDetail } from '../core/api.types';
import { LABELS } from '../core/catalog';
import { errorMessage } from '../core/errors';
import { I18nService } from '../core/i18n.service';

export const EDITOR_TOKEN_KEY = 'vegvision.editorToken';
const NOTE_MAX = 1000;

@Component({
  selector: 'vv-edit-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule],
  template: `
    <section class="panel" [attr.aria-label]="i18n.t('edit.title')" data-testid="edit-panel">
      <h2>{{ i18n.t('edit.title') }}</h2>
      <form (submit)="$event.preventDefault(); save()">
        <label class="field">
          <span>{{ i18n.t('edit.kind') }}</span>
          <select data-testid="correct-kind" (change)="kind.set($any($event.target).value || null)">
            <option value="" [selected]="!kind()">—</option>
            @for (k of labels; track k) {
              <option [value]="k" [selected]="kind() === k">{{ i18n.kind(k) }}</option>
            }
          </select>
        </label>
        <label class="field">
          <span>{{ i18n.t('edit.note') }}</span>
          <textarea data-testid="correct-note" rows="2" [maxLength]="noteMax" [value]="note()" (input)="note.set($any($event.target).value)"></textarea>
        </label>
        <label class="field">
          <span>{{ i18n.t('edit.token') }}</span>
          <input data-testid="editor-token" type="password" autocomplete="off" [value]="token()" (input)="setToken($any($event.target).value)" />
          <small class="muted">{{ i18n.t('edit.tokenHint') }}</small>
        </label>
        <div class="actions">
          <button mat-flat-button type="submit" data-testid="correct-submit" [disabled]="busy() || !kind()">{{ i18n.t('edit.submit') }}</button>
          <button mat-button type="button" class="danger" data-testid="delete-image" [disabled]="busy()" (click)="remove()">{{ i18n.t('edit.delete') }}</button>
        </div>
      </form>
      @if (message(); as m) {
        <p role="status" data-testid="edit-message">{{ m }}</p>
      }
      @if (error(); as e) {
        <p class="error-box" role="alert" data-testid="edit-error">{{ e }}</p>
      }
    </section>
  `,
  styles: `
    .panel { padding: 16px; border-radius: 16px; background: var(--mat-sys-surface-container-low); border: 1px solid var(--mat-sys-outline-variant); }
    form { display: flex; flex-direction: column; gap: 12px; }
    .field { display: flex; flex-direction: column; gap: 4px; }
    select, textarea, input { font: inherit; padding: 8px; border-radius: 8px; border: 1px solid var(--mat-sys-outline); background: var(--mat-sys-surface); color: var(--mat-sys-on-surface); }
    .actions { display: flex; gap: 8px; flex-wrap: wrap; }
    .danger { color: var(--mat-sys-error); }
  `,
})
export class EditPanelComponent {
  protected readonly i18n = inject(I18nService);
  private readonly api = inject(ApiService);

  readonly image = input.required<ImageDetail>();
  /** After a correction was recorded: the page reloads the image. */
  readonly corrected = output<void>();
  /** After the image was deleted. */
  readonly deleted = output<void>();

  protected readonly labels = LABELS;
  protected readonly noteMax = NOTE_MAX;
  protected readonly kind = signal<string | null>(null);
  protected readonly note = signal('');
  protected readonly token = signal(sessionStorage.getItem(EDITOR_TOKEN_KEY) ?? '');
  protected readonly busy = signal(false);
  protected readonly message = signal<string | null>(null);
  protected readonly error = signal<string | null>(null);

  protected setToken(value: string): void {
    this.token.set(value);
    sessionStorage.setItem(EDITOR_TOKEN_KEY, value);
  }

  protected save(): void {
    const kind = this.kind();
    if (!kind) return;
    this.start();
    this.api.correct(this.image().imageId, { kind, ...(this.note() ? { note: this.note() } : {}) }, this.token()).subscribe({
      next: (c) => {
        this.busy.set(false);
        this.message.set(this.i18n.t('edit.saved', { kind: this.i18n.kind(c.kind) }));
        this.note.set('');
        this.corrected.emit();
      },
      error: (e: unknown) => this.fail(e),
    });
  }

  protected remove(): void {
    if (!window.confirm(this.i18n.t('edit.confirmDelete'))) return;
    this.start();
    this.api.deleteImage(this.image().imageId, this.token()).subscribe({
      next: () => {
        this.busy.set(false);
        this.deleted.emit();
      },
      error: (e: unknown) => this.fail(e),
    });
  }

  private start(): void {
    this.busy.set(true);
    this.message.set(null);
    this.error.set(null);
  }

  private fail(e: unknown): void {
    this.busy.set(false);
    this.error.set(errorMessage(e, this.i18n));
  }
}
