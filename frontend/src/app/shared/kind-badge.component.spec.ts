import { ComponentFixture, TestBed } from '@angular/core/testing';
import { I18nService } from '../core/i18n.service';
import { KindBadgeComponent } from './kind-badge.component';

describe('KindBadgeComponent', () => {
  let fixture: ComponentFixture<KindBadgeComponent>;

  beforeEach(async () => {
    localStorage.clear();
    await TestBed.configureTestingModule({ imports: [KindBadgeComponent] }).compileComponents();
    fixture = TestBed.createComponent(KindBadgeComponent);
  });

  // What it reads, part by part (the parts are spaced by CSS).
  const text = () =>
    Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('span'))
      .map((s) => s.textContent?.trim())
      .join(' ');
  const testid = (id: string) => (fixture.nativeElement as HTMLElement).querySelector(`[data-testid="${id}"]`);

  async function show(kind: string | null, confidence: number | null, top: { kind: string; confidence: number }[] = []) {
    fixture.componentRef.setInput('kind', kind);
    fixture.componentRef.setInput('confidence', confidence);
    fixture.componentRef.setInput('top', top);
    await fixture.whenStable();
  }

  const refusal = [
    { kind: 'Brinjal', confidence: 0.326 },
    { kind: 'Potato', confidence: 0.2 },
  ];

  it('a refused photo reads "Not a vegetable — closest kind: Brinjal (32.6%)", with no certainty', async () => {
    await show('not_a_vegetable', 0.326, refusal);
    expect(text()).toBe('Not a vegetable — closest kind: Brinjal (32.6%)');
    expect(testid('kind')?.classList).toContain('reject');
    expect(testid('confidence')).toBeNull();
    expect(text()).not.toMatch(/sure/);
  });

  it('in Russian too', async () => {
    TestBed.inject(I18nService).setLang('ru');
    await show('not_a_vegetable', 0.326, refusal);
    expect(text()).toBe('Не овощ — ближайший вид: Баклажан (32,6%)');
    expect(text()).not.toMatch(/уверенность/);
  });

  it('a refusal without top kinds shows the verdict alone', async () => {
    await show('not_a_vegetable', 0.326);
    expect(text()).toBe('Not a vegetable');
  });

  it('a kind keeps its certainty', async () => {
    await show('Tomato', 0.971, [{ kind: 'Tomato', confidence: 0.971 }]);
    expect(text()).toBe('Tomato 97.1% sure');
    expect(testid('closest')).toBeNull();
    TestBed.inject(I18nService).setLang('ru');
    await fixture.whenStable();
    expect(text()).toBe('Помидор уверенность 97,1%');
  });
});
