// Batch upload in the web console, end to end: the real embedded product with the seed sample,
// driven through Chromium. Four files at once (three photos, one text file named .jpg), the
// overall summary, no retry for the invalid file but a remove, then a Retry after a 503.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { browserSkipReason, launchChromium, screenshot, seriousViolations } from './browser';
import { SEED, ensureConsoleBuilt, startProduct, type Product } from './product';

// Browser globals used inside page callbacks (the repository's tsconfig has no DOM lib).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const skipReason = browserSkipReason();
const skip = skipReason !== null;
if (skip) console.warn(`SKIPPED: batch upload browser suite — ${skipReason}`);
const suite = skip ? describe.skip : describe;

jest.setTimeout(600_000);

suite('batch upload in Chromium', () => {
  let product: Product | undefined;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];

  const items = () => page.locator('[data-testid="upload-item"]');
  const item = (name: string) => items().filter({ has: page.locator('.name', { hasText: name }) });
  const summary = () => page.locator('[data-testid="upload-summary"]');
  /** Waits until the summary's text matches, across language-independent whitespace. */
  const waitForSummary = (pattern: RegExp) =>
    page.waitForFunction(
      (source) => new RegExp(source).test((document.querySelector('[data-testid="upload-summary"]')?.textContent ?? '').replace(/\s+/g, ' ')),
      pattern.source,
      { timeout: 120_000 },
    );
  const seedPhoto = (kind: string) => {
    const dir = path.join(SEED, kind);
    const name = fs.readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort()[0];
    return { name: `${kind}-${name}`, mimeType: 'image/jpeg', buffer: fs.readFileSync(path.join(dir, name)) };
  };

  beforeAll(async () => {
    browser = await launchChromium(); // fails first, and plainly, when Chromium is missing
    if (process.env['VEGVISION_E2E_URL']) {
      url = process.env['VEGVISION_E2E_URL'];
    } else {
      ensureConsoleBuilt();
      product = await startProduct();
      url = product.url;
    }
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', colorScheme: 'light' });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await product?.stop();
  });

  it('uploads four files at once and sums up the batch: 3 labelled, 1 failed with no retry', async () => {
    await page.goto(`${url}/upload`);
    await page.locator('[data-testid="file-input"]').setInputFiles([
      seedPhoto('Tomato'),
      seedPhoto('Carrot'),
      seedPhoto('Potato'),
      { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('just some notes, not a photo\n') },
    ]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="upload-item"]').length === 4);
    await summary().waitFor();
    await waitForSummary(/4 of 4 finished/);
    const text = (await summary().innerText()).replace(/\s+/g, ' ');
    expect(text).toContain('3 photos labelled');
    expect(text).toContain('1 upload failed');
    expect(text).not.toContain('uploading');
    expect(text).not.toContain('waiting for labels');
    expect(await page.locator('[data-testid="summary-bar"]').getAttribute('aria-valuenow')).toBe('100');
    expect(await page.locator('[data-testid="upload-summary"] [aria-live="polite"]').count()).toBe(1);

    // The invalid file: the reason in words, no retry (it would fail the same way), but a remove.
    const bad = item('notes.jpg');
    expect(await bad.getAttribute('data-phase')).toBe('error');
    expect(await bad.locator('[data-testid="upload-error"]').innerText()).toContain('This file is not a still JPEG, PNG, WebP, AVIF or HEIC image');
    expect(await bad.locator('[data-testid="upload-retry"]').count()).toBe(0);
    expect(await bad.locator('[data-testid="upload-remove"]').getAttribute('aria-label')).toBe('Remove notes.jpg from this list');
    // A labelled photo: no retry, no cancel; its remove says the photo stays in the catalog.
    const tomato = items().filter({ hasText: 'Tomato-' });
    expect(await tomato.getAttribute('data-phase')).toBe('done');
    expect(await tomato.locator('[data-testid="upload-retry"]').count()).toBe(0);
    expect(await tomato.locator('[data-testid="upload-cancel"]').count()).toBe(0);
    expect(await tomato.locator('[data-testid="upload-remove"]').getAttribute('aria-label')).toMatch(/stays in the catalog/);
    expect(await seriousViolations(page)).toEqual([]);

    await bad.locator('[data-testid="upload-remove"]').click();
    await page.mouse.move(0, 0); // away from the button now under the pointer, and its tooltip
    // The focus went to a neighbour's button, not lost with the removed one.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('upload-remove');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="upload-item"]').length === 3);
    await waitForSummary(/3 of 3 finished/);
    expect(await summary().innerText()).not.toContain('failed');
  });

  it('retries an upload that failed with a 503, and it goes through', async () => {
    // A photo the catalog has never seen (new bytes each run), so it is labelled live.
    const fresh = await sharp(seedPhoto('Cabbage').buffer)
      .resize(320 + Math.floor(Math.random() * 200), 240, { fit: 'fill' })
      .png()
      .toBuffer();
    let posts = 0;
    // The next upload fails once: 503 without the server_busy code (so the console does not retry by itself).
    await page.route(
      '**/api/images',
      async (route) => {
        if (route.request().method() !== 'POST') return route.fallback();
        posts++;
        return route.fulfill({
          status: 503,
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503 }),
        });
      },
      { times: 1 },
    );
    await page.locator('[data-testid="file-input"]').setInputFiles([{ name: 'fresh-cabbage.png', mimeType: 'image/png', buffer: fresh }]);
    const retried = item('fresh-cabbage.png');
    await retried.locator('[data-testid="upload-error"]').waitFor();
    expect(posts).toBe(1);
    expect(await retried.locator('[data-testid="upload-error"]').innerText()).toContain('The service is temporarily unavailable');
    await waitForSummary(/4 of 4 finished/);
    expect(await summary().innerText()).toContain('1 upload failed');
    const retry = retried.locator('[data-testid="upload-retry"]');
    expect(await retry.getAttribute('aria-label')).toBe('Upload fresh-cabbage.png again');
    expect(await retried.locator('[data-testid="upload-remove"]').count()).toBe(1);
    // The picture for the docs: the batch summary with a failure, its Retry and Remove, and the
    // tooltip of an uploaded photo's Remove.
    await items().filter({ hasText: 'Tomato-' }).locator('[data-testid="upload-remove"]').hover();
    await page.locator('.mat-mdc-tooltip-show', { hasText: /Remove Tomato-.* \(the photo stays in the catalog\)/ }).waitFor();
    await screenshot(page, 'upload-batch');
    await page.mouse.move(0, 0);

    const uploads: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/images') uploads.push(r.url());
    });
    await retry.click();
    await page.waitForFunction(
      () =>
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        Array.from(document.querySelectorAll('[data-testid="upload-item"]')).some((el: any) => el.textContent.includes('fresh-cabbage.png') && el.getAttribute('data-phase') === 'done'),
      undefined,
      { timeout: 120_000 },
    );
    expect(uploads).toHaveLength(1);
    expect(posts).toBe(1); // the route answered only the first try
    await waitForSummary(/4 of 4 finished/);
    const text = (await summary().innerText()).replace(/\s+/g, ' ');
    expect(text).toContain('4 photos labelled');
    expect(text).not.toContain('failed');
    // The retried item stayed in its place (newest first) and now links its image page.
    expect(await items().first().locator('.name').innerText()).toBe('fresh-cabbage.png');
    const href = await retried.locator('[data-testid="open-image"]').getAttribute('href');
    expect((await fetch(`${url}/api/images/${href!.split('/').pop()}`)).status).toBe(200);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('clear finished empties a list of finished uploads', async () => {
    await page.locator('[data-testid="clear-finished"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="upload-item"]').length === 0);
    expect(await summary().count()).toBe(0);
  });

  it('logged no errors in the browser console other than the expected failed requests', () => {
    const unexpected = consoleErrors.filter((m) => !/Failed to load resource: the server responded with a status of (404|415|503)/.test(m));
    expect(unexpected).toEqual([]);
  });
});
