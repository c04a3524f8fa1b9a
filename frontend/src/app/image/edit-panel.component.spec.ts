import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import type { ImageDetail } from '../core/api.types';
import { I18nService } from '../core/i18n.service';
import { EDITOR_TOKEN_KEY, EditPanelComponent } from './edit-panel.component';

const image = { imageId: '7d5b4c39-0a49-5b7c-9a57-8c1f0d1f0a01', kind: 'Tomato' } as ImageDetail;

describe('EditPanelComponent', () => {
  let fixture: ComponentFixture<EditPanelComponent>;
  let http: HttpTestingController;
  const el = (id: string) => fixture.nativeElement.querySelector(`[data-testid="${id}"]`) as HTMLElement;
  const type = (id: string, value: string) => {
    const input = el(id) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  };

  beforeEach(() => {
    localStorage.clear();
    sessionStorage.clear();
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(EditPanelComponent);
    fixture.componentRef.setInput('image', image);
    fixture.detectChanges();
  });
  afterEach(() => http.verify());

  async function choose(label: string): Promise<void> {
    const select = el('correct-kind') as HTMLSelectElement;
    const option = Array.from(select.options).find((o) => o.textContent?.trim() === label) as HTMLOptionElement;
    select.value = option.value;
    select.dispatchEvent(new Event('change'));
    fixture.detectChanges();
  }

  it('sends the chosen kind, the note and the editor token, then reports it and tells the page', async () => {
    const corrected = jest.fn();
    fixture.componentInstance.corrected.subscribe(corrected);
    await choose('Capsicum');
    type('correct-note', 'a red pepper');
    type('editor-token', 'ana-token-0123456789');
    el('correct-submit').click();
    const req = http.expectOne(`/api/images/${image.imageId}/corrections`);
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({ kind: 'Capsicum', note: 'a red pepper' });
    expect(req.request.headers.get('Authorization')).toBe('Bearer ana-token-0123456789');
    req.flush({ eventId: 'e', imageId: image.imageId, kind: 'Capsicum', note: 'a red pepper', correctedBy: 'ana', correctedAt: '', previousKind: 'Tomato' });
    fixture.detectChanges();
    expect(el('edit-message').textContent).toContain('Capsicum');
    expect(corrected).toHaveBeenCalledTimes(1);
    expect(sessionStorage.getItem(EDITOR_TOKEN_KEY)).toBe('ana-token-0123456789');
  });

  it('says in Russian what went wrong (a missing token)', async () => {
    TestBed.inject(I18nService).setLang('ru');
    fixture.detectChanges();
    await choose('Сладкий перец');
    el('correct-submit').click();
    http.expectOne(`/api/images/${image.imageId}/corrections`).flush({ status: 401, code: 'unauthorized', detail: 'x' }, { status: 401, statusText: 'Unauthorized' });
    fixture.detectChanges();
    expect(el('edit-error').textContent).toContain('Введите токен редактора');
  });

  it('deletes after confirmation only, then tells the page', () => {
    const deleted = jest.fn();
    fixture.componentInstance.deleted.subscribe(deleted);
    const confirm = jest.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    type('editor-token', 'bo-token-0123456789');
    el('delete-image').click();
    http.expectNone(`/api/images/${image.imageId}`);
    el('delete-image').click();
    const req = http.expectOne(`/api/images/${image.imageId}`);
    expect(req.request.method).toBe('DELETE');
    expect(req.request.headers.get('Authorization')).toBe('Bearer bo-token-0123456789');
    req.flush(null, { status: 204, statusText: 'No Content' });
    expect(deleted).toHaveBeenCalledTimes(1);
    confirm.mockRestore();
  });
});
