// Debian's Chromium through playwright-core (no browser download), plus screenshots and axe.
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { ROOT } from './product';

// The page callback below runs in the browser (the repository's tsconfig has no DOM lib).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;

export const CHROMIUM = process.env['VEGVISION_CHROMIUM'] ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'test-output/screenshots');
export const DOC_SCREENSHOTS = path.join(ROOT, 'docs/screenshots');

/**
 * Why the suite is skipped, or null when it runs. Skipped only on a dev machine: when asked
 * (VEGVISION_SKIP_BROWSER=1) or when Chromium is not installed. In CI (CI=true) a missing
 * Chromium is an error, raised by launchChromium().
 */
export function browserSkipReason(): string | null {
  if (process.env['VEGVISION_SKIP_BROWSER'] === '1') return 'VEGVISION_SKIP_BROWSER=1';
  if (!fs.existsSync(CHROMIUM) && process.env['CI'] !== 'true') {
    return `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set VEGVISION_CHROMIUM)`;
  }
  return null;
}

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it with "apt-get install -y chromium" ` +
        '(or point VEGVISION_CHROMIUM at a Chromium binary); on a dev machine without it, ' +
        'set VEGVISION_SKIP_BROWSER=1 to skip the browser suite.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * Saves a screenshot under test-output/screenshots (and docs/screenshots when asked): the full page,
 * or with `{ fullPage: false }` what the viewport shows (long, scrolled pages).
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // Let images finish loading so the screenshot shows them (lazy ones below the fold too: it is a full-page shot).
  await page.evaluate(() => {
    for (const img of Array.from(document.images as ArrayLike<{ loading: string }>)) if (img.loading === 'lazy') img.loading = 'eager';
  });
  await page.waitForFunction(() => Array.from(document.images as ArrayLike<{ complete: boolean }>).every((img) => img.complete), undefined, { timeout: 30_000 });
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true, animations: 'disabled' });
  if (process.env['VEGVISION_DOC_SCREENSHOTS'] === '1') {
    // A commit-sized copy for the README: at most 1280 px wide (phones 390), 256-colour palette.
    fs.mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    const viewport = page.viewportSize();
    const width = viewport && viewport.width < 600 ? viewport.width : Math.min(1280, viewport?.width ?? 1280);
    await sharp(file)
      .resize({ width, withoutEnlargement: true })
      .png({ palette: true, quality: 85, effort: 8, compressionLevel: 9 })
      .toFile(path.join(DOC_SCREENSHOTS, `${name}.png`));
  }
}

/** Serious and critical accessibility violations of the page (axe-core, WCAG 2 A/AA rules). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
