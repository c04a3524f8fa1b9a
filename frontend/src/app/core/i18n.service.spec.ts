import { TestBed } from '@angular/core/testing';
import { EN, type MessageKey } from './i18n.en';
import { RU } from './i18n.ru';
import { I18nService, LANG_STORAGE_KEY, interpolate } from './i18n.service';

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

describe('I18nService', () => {
  beforeEach(() => {
    localStorage.clear();
    document.documentElement.lang = '';
  });

  function create(): I18nService {
    TestBed.resetTestingModule();
    const service = TestBed.inject(I18nService);
    TestBed.tick();
    return service;
  }

  it('starts in English on an English browser and translates with parameters', () => {
    const i18n = create();
    expect(i18n.lang()).toBe('en');
    expect(i18n.t('nav.browse')).toBe('Browse');
    expect(i18n.t('browse.total', { total: 270 })).toBe('270 images in the catalog');
    expect(document.documentElement.lang).toBe('en');
  });

  it('switches to Russian, persists the choice and restores it on the next start', () => {
    const i18n = create();
    i18n.setLang('ru');
    TestBed.tick();
    expect(i18n.t('nav.browse')).toBe('Каталог');
    expect(i18n.t('browse.total', { total: 5 })).toBe('5 изображений в каталоге');
    expect(i18n.t('browse.total', { total: 21 })).toBe('21 изображение в каталоге');
    expect(localStorage.getItem(LANG_STORAGE_KEY)).toBe('ru');
    expect(document.documentElement.lang).toBe('ru');

    const again = create();
    expect(again.lang()).toBe('ru');
    again.toggle();
    expect(again.lang()).toBe('en');
    expect(localStorage.getItem(LANG_STORAGE_KEY)).toBe('en');
  });

  it('ignores a stored value that is not a language', () => {
    localStorage.setItem(LANG_STORAGE_KEY, 'xx');
    expect(create().lang()).toBe('en');
  });

  it('names kinds and palette colours in both languages, and falls back for unknown ones', () => {
    const i18n = create();
    expect(i18n.kind('Bitter_Gourd')).toBe('Bitter gourd');
    expect(i18n.kind('not_a_vegetable')).toBe('Not a vegetable');
    expect(i18n.kind('Space_Potato')).toBe('Space Potato');
    expect(i18n.kind(null)).toBe('unknown');
    expect(i18n.colour('RGB', '#ff0000')).toBe('red');
    expect(i18n.colour('RYB', '#347C98')).toBe('blue-green');
    expect(i18n.colour('RGB', '#123456')).toBe('#123456');
    i18n.setLang('ru');
    expect(i18n.kind('Tomato')).toBe('Помидор');
    expect(i18n.colour('RGB', '#0000FF')).toBe('синий');
    expect(i18n.percent(0.9345)).toBe('93,5');
  });

  it('has every English key in Russian, non-empty and with the same placeholders', () => {
    const keys = Object.keys(EN) as MessageKey[];
    expect(Object.keys(RU).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect(RU[key].trim()).not.toBe('');
      expect([key, placeholders(RU[key])]).toEqual([key, placeholders(EN[key])]);
    }
  });

  it('leaves unknown placeholders as they are', () => {
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(interpolate('plain')).toBe('plain');
  });

  it('chooses plural forms by the language\'s rules', () => {
    const en = '{count, plural, one {# image} other {# images}}';
    expect([1, 2, 0].map((count) => interpolate(en, { count }, 'en-GB'))).toEqual(['1 image', '2 images', '0 images']);
    const ru = '{count, plural, one {# фото} few {# фотографии} many {# фотографий} other {# фотографии}}';
    expect([1, 3, 5, 21, 11, 1.5].map((count) => interpolate(ru, { count }, 'ru-RU'))).toEqual([
      '1 фото',
      '3 фотографии',
      '5 фотографий',
      '21 фото',
      '11 фотографий',
      '1,5 фотографии',
    ]);
    expect(interpolate(en, {})).toBe(en);
  });

  it('says "Showing 1 image" and "Показано 5 изображений"', () => {
    const i18n = TestBed.inject(I18nService);
    i18n.setLang('en');
    expect(i18n.t('browse.showingAll', { count: 1 })).toBe('Showing 1 image');
    i18n.setLang('ru');
    expect(i18n.t('browse.showingAll', { count: 5 })).toBe('Показано 5 изображений');
    expect(i18n.t('browse.showingAll', { count: 2 })).toBe('Показано 2 изображения');
  });
});
