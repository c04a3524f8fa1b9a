// A small signal-based translation service: two dictionaries, the choice kept in localStorage.
import { DOCUMENT } from '@angular/common';
import { Injectable, computed, effect, inject, signal } from '@angular/core';
import type { PaletteName } from './api.types';
import { paletteIndex } from './catalog';
import { EN, type MessageKey } from './i18n.en';
import { RU } from './i18n.ru';

export type Lang = 'en' | 'ru';
export const LANGS: readonly Lang[] = ['en', 'ru'];
export const LANG_STORAGE_KEY = 'vegvision.lang';

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { en: EN, ru: RU };

export type Params = Record<string, string | number>;

const PLURAL = /\{(\w+), plural,((?:\s*(?:zero|one|two|few|many|other) \{[^{}]*\})+)\s*\}/g;
const PLURAL_CASE = /(zero|one|two|few|many|other) \{([^{}]*)\}/g;

/**
 * Replaces `{name}` placeholders, and plural forms `{count, plural, one {# image} other {# images}}`
 * chosen by the language's plural rules (`#` is the number; Russian uses one/few/many); unknown
 * placeholders are left as they are.
 */
export function interpolate(template: string, params?: Params, locale = 'en'): string {
  if (!params) return template;
  const has = (name: string) => Object.prototype.hasOwnProperty.call(params, name);
  const withPlurals = template.replace(PLURAL, (whole, name: string, cases: string) => {
    const n = Number(params[name]);
    if (!has(name) || !Number.isFinite(n)) return whole;
    const forms = new Map([...cases.matchAll(PLURAL_CASE)].map((m) => [m[1], m[2]] as const));
    const form = forms.get(new Intl.PluralRules(locale).select(n)) ?? forms.get('other') ?? '';
    return form.replace(/#/g, n.toLocaleString(locale));
  });
  return withPlurals.replace(/\{(\w+)\}/g, (whole, name: string) => (has(name) ? String(params[name]) : whole));
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(EN, key);
}

function readStoredLang(storage: Storage | null, fallback: Lang): Lang {
  try {
    const stored = storage?.getItem(LANG_STORAGE_KEY);
    if (stored === 'en' || stored === 'ru') return stored;
  } catch {
    // storage may be blocked (privacy mode): fall back silently
  }
  return fallback;
}

function browserLang(doc: Document): Lang {
  const nav = doc.defaultView?.navigator;
  return nav?.language?.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

@Injectable({ providedIn: 'root' })
export class I18nService {
  private readonly doc = inject(DOCUMENT);
  private readonly storage: Storage | null = (() => {
    try {
      return this.doc.defaultView?.localStorage ?? null;
    } catch {
      return null;
    }
  })();

  private readonly langSignal = signal<Lang>(readStoredLang(this.storage, browserLang(this.doc)));
  readonly lang = this.langSignal.asReadonly();
  readonly dictionary = computed(() => DICTIONARIES[this.langSignal()]);
  /** Number formatting for the current language. */
  readonly locale = computed(() => (this.langSignal() === 'ru' ? 'ru-RU' : 'en-GB'));

  constructor() {
    effect(() => {
      this.doc.documentElement.lang = this.langSignal();
    });
  }

  setLang(lang: Lang): void {
    this.langSignal.set(lang);
    try {
      this.storage?.setItem(LANG_STORAGE_KEY, lang);
    } catch {
      // not persisted; the choice still applies to this page
    }
  }

  toggle(): void {
    this.setLang(this.langSignal() === 'en' ? 'ru' : 'en');
  }

  /** The message for a key in the current language (reads a signal: templates update on switch). */
  t(key: MessageKey, params?: Params): string {
    return interpolate(this.dictionary()[key], params, this.locale());
  }

  /** Human name of a kind label (`Tomato`, `not_a_vegetable`); unknown labels are shown as they are. */
  kind(kind: string | null | undefined): string {
    if (!kind) return this.t('common.unknown');
    const key = `kind.${kind}`;
    return isMessageKey(key) ? this.t(key) : kind.replace(/_/g, ' ');
  }

  /** Human name of a palette colour (`#FF0000` on RGB → "red"); other hexes are shown as they are. */
  colour(palette: PaletteName, hex: string | null | undefined): string {
    if (!hex) return this.t('common.unknown');
    const index = paletteIndex(palette, hex);
    const key = `colour.${palette}.${index}`;
    return index >= 0 && isMessageKey(key) ? this.t(key) : hex;
  }

  /** Percentage with the language's decimal separator: 0.934 → "93.4". */
  percent(fraction: number | null | undefined, digits = 1): string {
    if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return '–';
    return (fraction * 100).toLocaleString(this.locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  date(iso: string | null | undefined): string {
    if (!iso) return '–';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return d.toLocaleString(this.locale(), { dateStyle: 'medium', timeStyle: 'short' });
  }
}
