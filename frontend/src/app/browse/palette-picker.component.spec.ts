import { ComponentFixture, TestBed } from '@angular/core/testing';
import { PALETTES } from '../core/catalog';
import { I18nService } from '../core/i18n.service';
import { PalettePickerComponent } from './palette-picker.component';

describe('PalettePickerComponent', () => {
  let fixture: ComponentFixture<PalettePickerComponent>;
  let emitted: (string | null)[];

  beforeEach(async () => {
    localStorage.clear();
    await TestBed.configureTestingModule({ imports: [PalettePickerComponent] }).compileComponents();
    fixture = TestBed.createComponent(PalettePickerComponent);
    emitted = [];
    fixture.componentInstance.selectedChange.subscribe((v) => emitted.push(v));
    fixture.componentRef.setInput('palette', 'RGB');
    fixture.componentRef.setInput('counts', { '#FF0000': 42, '#FF8000': 7 });
    await fixture.whenStable();
  });

  const buttons = () => Array.from(fixture.nativeElement.querySelectorAll('button') as NodeListOf<HTMLButtonElement>);
  const swatch = (hex: string) => fixture.nativeElement.querySelector(`[data-testid="swatch-${hex.slice(1)}"]`) as HTMLButtonElement;

  it('shows "any colour" and the 12 swatches of the palette with their counts', () => {
    expect(buttons()).toHaveLength(13);
    expect(swatch('#FF0000').textContent?.trim()).toBe('42');
    expect(swatch('#FF8000').textContent?.trim()).toBe('7');
    expect(swatch('#0000FF').textContent?.trim()).toBe('0');
    expect(swatch('#0000FF').classList).toContain('empty');
    // A colour no image has under the other filters cannot be clicked into an empty page.
    expect(swatch('#0000FF').disabled).toBe(true);
    expect(swatch('#FF0000').disabled).toBe(false);
    expect(swatch('#FF0000').getAttribute('aria-label')).toBe('red (#FF0000): 42 images');
    const chip = swatch('#FF0000').querySelector('.chip') as HTMLElement;
    expect(chip.style.backgroundColor).toBe('rgb(255, 0, 0)');
  });

  it('marks the selection with aria-pressed', async () => {
    const any = fixture.nativeElement.querySelector('[data-testid="swatch-any"]') as HTMLButtonElement;
    expect(any.getAttribute('aria-pressed')).toBe('true');
    fixture.componentRef.setInput('selected', '#FF8000');
    await fixture.whenStable();
    expect(any.getAttribute('aria-pressed')).toBe('false');
    expect(swatch('#FF8000').getAttribute('aria-pressed')).toBe('true');
    expect(buttons().filter((b) => b.getAttribute('aria-pressed') === 'true')).toHaveLength(1);
  });

  it('emits the picked colour, null to unpick it, and null for "any colour"', async () => {
    swatch('#FF0000').click();
    fixture.componentRef.setInput('selected', '#FF0000');
    await fixture.whenStable();
    swatch('#FF0000').click();
    (fixture.nativeElement.querySelector('[data-testid="swatch-any"]') as HTMLButtonElement).click();
    expect(emitted).toEqual(['#FF0000', null, null]);
  });

  it('follows the palette and the language', async () => {
    fixture.componentRef.setInput('palette', 'RYB');
    await fixture.whenStable();
    const hexes = buttons()
      .slice(1)
      .map((b) => b.getAttribute('data-testid')?.replace('swatch-', '#'));
    expect(hexes).toEqual([...PALETTES.RYB]);
    TestBed.inject(I18nService).setLang('ru');
    await fixture.whenStable();
    expect(swatch('#347C98').getAttribute('aria-label')).toBe('сине-зелёный (#347C98): изображений 0');
    expect(fixture.nativeElement.textContent).toContain('Любой цвет');
  });
});
