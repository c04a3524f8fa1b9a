// Light / dark theme (Material 3 tokens use light-dark(); the html class sets color-scheme).
import { DOCUMENT } from '@angular/common';
import { Injectable, effect, inject, signal } from '@angular/core';

export type Theme = 'light' | 'dark';
export const THEME_STORAGE_KEY = 'vegvision.theme';

@Injectable({ providedIn: 'root' })
export class ThemeService {
  private readonly doc = inject(DOCUMENT);
  private readonly themeSignal = signal<Theme>(this.initial());
  readonly theme = this.themeSignal.asReadonly();

  constructor() {
    effect(() => {
      const root = this.doc.documentElement;
      const theme = this.themeSignal();
      root.classList.toggle('dark-theme', theme === 'dark');
      root.classList.toggle('light-theme', theme === 'light');
    });
  }

  toggle(): void {
    const next: Theme = this.themeSignal() === 'dark' ? 'light' : 'dark';
    this.themeSignal.set(next);
    try {
      this.doc.defaultView?.localStorage.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // not persisted
    }
  }

  private initial(): Theme {
    try {
      const stored = this.doc.defaultView?.localStorage.getItem(THEME_STORAGE_KEY);
      if (stored === 'light' || stored === 'dark') return stored;
    } catch {
      // storage blocked
    }
    return this.doc.defaultView?.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
}
