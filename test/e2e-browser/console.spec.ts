// The web console end to end: the real embedded product with the seed sample, driven through
// Chromium. Browse with each filter, the empty state, uploads (real photo, several at once,
// live results, an invalid file dropped), the image history, the models page, the language
// and theme switches, a phone screen, the keyboard, and axe on every main screen.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { browserSkipReason, launchChromium, screenshot, seriousViolations } from './browser';
import { EDITOR_TOKEN, SEED, ensureConsoleBuilt, startProduct, type Product } from './product';

// Browser globals used inside page callbacks (the repository's tsconfig has no DOM lib).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
declare const DataTransfer: any;
declare const getComputedStyle: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

interface Facets {
  total: number;
  kinds: Record<string, number>;
  colours: Record<'RGB' | 'RYB', Record<string, number>>;
  subjectColours: Record<'RGB' | 'RYB', Record<string, number>>;
}

const skipReason = browserSkipReason();
const skip = skipReason !== null;
if (skip) console.warn(`SKIPPED: web console browser suite — ${skipReason}`);
const suite = skip ? describe.skip : describe;

jest.setTimeout(600_000);

suite('web console in Chromium', () => {
  let product: Product | undefined;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let facets: Facets;
  const consoleErrors: string[] = [];

  const api = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${url}${p}`);
    if (!res.ok) throw new Error(`${p}: ${res.status}`);
    return (await res.json()) as T;
  };
  const cards = () => page.locator('[data-testid="result-card"]');
  const waitForCards = (n: number) =>
    page.waitForFunction((count) => document.querySelectorAll('[data-testid="result-card"]').length === count, n, { timeout: 60_000 });
  const expectNoSeriousViolations = async () => expect(await seriousViolations(page)).toEqual([]);
  const query = () => Object.fromEntries(new URL(page.url()).searchParams);

  beforeAll(async () => {
    browser = await launchChromium(); // fails first, and plainly, when Chromium is missing
    if (process.env['VEGVISION_E2E_URL']) {
      url = process.env['VEGVISION_E2E_URL'];
    } else {
      ensureConsoleBuilt();
      product = await startProduct();
      url = product.url;
    }
    facets = await api<Facets>('/api/catalog/facets');
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

  it('browses the catalog: a full grid of 9 images with kind, confidence and colour chips', async () => {
    expect(facets.total).toBeGreaterThanOrEqual(270);
    await page.goto(`${url}/`);
    await page.waitForURL(/\/browse/);
    await waitForCards(9);
    const first = cards().first();
    await first.locator('[data-testid="kind"]').waitFor();
    expect(await first.locator('[data-testid="confidence"]').innerText()).toMatch(/\d+\.\d% sure/);
    expect(await first.locator('vv-colour-chip').count()).toBe(2);
    // the thumbnails are the originals behind temporary signed links, and they load
    const src = await first.locator('img').getAttribute('src');
    expect(src).toMatch(/^\/api\/objects\/|^https?:/);
    await page.waitForFunction(
      () => {
        const imgs = Array.from(document.querySelectorAll('[data-testid="result-card"] img') as ArrayLike<{ complete: boolean; naturalWidth: number }>);
        return imgs.length === 9 && imgs.every((img) => img.complete && img.naturalWidth > 0);
      },
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.locator('h1').innerText()).toBe('Browse the catalog');
    await screenshot(page, 'browse');
    await expectNoSeriousViolations();
  });

  it('filters by count, and keeps the filter in the URL across a reload', async () => {
    await page.locator('[data-testid="count-select"]').click();
    await page.getByRole('option', { name: '3', exact: true }).click();
    await waitForCards(3);
    expect(query()).toMatchObject({ count: '3' });
    await page.reload();
    await waitForCards(3);
  });

  it('filters by kind, with the counts of each kind in the menu', async () => {
    const [kind, count] = Object.entries(facets.kinds).sort((a, b) => b[1] - a[1])[0];
    await page.goto(`${url}/browse?count=9`);
    await waitForCards(9);
    await page.locator('[data-testid="kind-select"]').click();
    const option = page.locator(`[data-testid="kind-option-${kind}"]`);
    const optionText = await option.innerText();
    expect(optionText).toContain(`(${count})`);
    await option.click();
    await page.waitForURL((u) => u.searchParams.get('kind') === kind);
    await waitForCards(Math.min(9, count));
    const shown = await page.locator('[data-testid="result-card"] [data-testid="kind"]').allInnerTexts();
    expect(new Set(shown).size).toBe(1);
    expect(optionText).toContain(shown[0]);
    expect(await page.locator('[data-testid="kind-select"]').innerText()).toContain(shown[0]);
  });

  it('filters by palette and colour with the swatch picker, showing counts per swatch', async () => {
    // The default measure is the vegetable's colour (its pixels only).
    const [hex, count] = Object.entries(facets.subjectColours.RYB).sort((a, b) => b[1] - a[1])[0];
    await page.goto(`${url}/browse`);
    await waitForCards(9);
    await page.locator('[data-testid="palette-RYB"]').click();
    await page.waitForURL((u) => u.searchParams.get('palette') === 'RYB');
    const swatch = page.locator(`[data-testid="swatch-${hex.slice(1)}"]`);
    expect((await swatch.innerText()).trim()).toBe(String(count));
    await swatch.click();
    await page.waitForURL((u) => u.searchParams.get('colour') === hex.slice(1));
    await waitForCards(Math.min(9, count));
    expect(await swatch.getAttribute('aria-pressed')).toBe('true');
    const colourChips = await page.locator('[data-testid="result-card"] vv-colour-chip').allInnerTexts();
    const rybChips = colourChips.filter((t) => t.startsWith('RYB'));
    expect(rybChips).toHaveLength(Math.min(9, count));
    expect(new Set(rybChips).size).toBe(1);
    await screenshot(page, 'browse-filtered');
  });

  it('filters by either colour measure, with counts under the other filters and empty swatches disabled', async () => {
    await page.goto(`${url}/browse`);
    await waitForCards(9);
    await page.locator('[data-testid="measure-photo"]').click();
    await page.waitForURL((u) => u.searchParams.get('measure') === 'photo');
    const [hex, count] = Object.entries(facets.colours.RGB).sort((a, b) => b[1] - a[1])[0];
    expect((await page.locator(`[data-testid="swatch-${hex.slice(1)}"]`).innerText()).trim()).toBe(String(count));
    const chips = await page.locator('[data-testid="result-card"] .chips').first().getAttribute('data-measure');
    expect(chips).toBe('photo');

    // A kind narrows the colour counts to that kind, and a colour no image of that kind has is disabled.
    const kind = 'Carrot';
    const conditional = await api<Facets>(`/api/catalog/facets?kind=${kind}`);
    await page.goto(`${url}/browse?kind=${kind}&measure=photo`);
    await waitForCards(Math.min(9, facets.kinds[kind]));
    for (const [h, n] of Object.entries(conditional.colours.RGB)) {
      await page.waitForFunction(
        ([id, text]) => document.querySelector(`[data-testid="swatch-${id}"]`)?.textContent?.trim() === text,
        [h.slice(1), String(n)] as const,
      );
    }
    const empty = ['#0000FF', '#FF00FF', '#8000FF', '#00FFFF'].find((h) => !conditional.colours.RGB[h]);
    expect(empty).toBeDefined();
    expect(await page.locator(`[data-testid="swatch-${empty!.slice(1)}"]`).isDisabled()).toBe(true);
    expect(await page.locator('.summary').innerText()).toContain(`${conditional.total} image`);
    await screenshot(page, 'browse-conditional-counts');

    // The vegetable's measure again: the counts are the subject colours'.
    await page.locator('[data-testid="measure-subject"]').click();
    await page.waitForURL((u) => !u.searchParams.has('measure'));
    const [shex, scount] = Object.entries(conditional.subjectColours.RGB).sort((a, b) => b[1] - a[1])[0];
    await page.waitForFunction(
      ([id, text]) => document.querySelector(`[data-testid="swatch-${id}"]`)?.textContent?.trim() === text,
      [shex.slice(1), String(scount)] as const,
    );
  });

  it('shows a clear empty state when nothing matches, and clears the filters from it', async () => {
    // A kind and an RGB colour that no image has together.
    let empty: { kind: string; hex: string } | undefined;
    for (const kind of ['Tomato', 'Carrot', 'Broccoli', 'not_a_vegetable']) {
      for (const hex of ['#0000FF', '#FF00FF', '#00FFFF', '#8000FF']) {
        const r = await api<{ count: number }>(`/api/images?count=1&kind=${kind}&palette=RGB&colour=${encodeURIComponent(hex)}`);
        if (r.count === 0) {
          empty = { kind, hex };
          break;
        }
      }
      if (empty) break;
    }
    expect(empty).toBeDefined();
    await page.goto(`${url}/browse?kind=${empty!.kind}&colour=${empty!.hex.slice(1)}&measure=photo`);
    const state = page.locator('[data-testid="empty-state"]');
    await state.waitFor();
    expect(await state.innerText()).toContain('Nothing matches these filters');
    await screenshot(page, 'browse-empty');
    await expectNoSeriousViolations();
    await state.getByRole('button', { name: 'Clear filters' }).click();
    await waitForCards(9);
    // Clearing keeps the view's settings (palette, measure), drops the filters.
    expect(query()).toEqual({ measure: 'photo' });
  });

  it('can be driven by keyboard: skip link first, swatches activate with Enter', async () => {
    await page.goto(`${url}/browse`);
    await waitForCards(9);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    const hex = Object.entries(facets.subjectColours.RGB).sort((a, b) => b[1] - a[1])[0][0];
    await page.locator(`[data-testid="swatch-${hex.slice(1)}"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('colour') === hex.slice(1));
  });

  let uploadedImageId: string;

  it('uploads several photos at once: previews, then live labels and colours over SSE', async () => {
    const original = path.join(SEED, 'Tomato/1001.jpg');
    // A photo the catalog has never seen (new bytes each run), so its labels arrive as events.
    const fresh = await sharp(fs.readFileSync(original))
      .resize(320 + Math.floor(Math.random() * 200), 240, { fit: 'fill' })
      .png()
      .toBuffer();
    await page.goto(`${url}/upload`);
    const requests: string[] = [];
    const onRequest = (r: { method(): string; url(): string }) => requests.push(`${r.method()} ${new URL(r.url()).pathname}${new URL(r.url()).search}`);
    page.on('request', onRequest);
    await page.locator('[data-testid="file-input"]').setInputFiles([
      { name: '1001.jpg', mimeType: 'image/jpeg', buffer: fs.readFileSync(original) },
      { name: 'fresh-tomato.png', mimeType: 'image/png', buffer: fresh },
    ]);
    const items = page.locator('[data-testid="upload-item"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="upload-item"]').length === 2);
    expect(await items.locator('.preview img').count()).toBe(2);
    await page.waitForFunction(
      () =>
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        Array.from(document.querySelectorAll('[data-testid="upload-item"]')).every((el: any) => el.getAttribute('data-phase') === 'done'),
      undefined,
      { timeout: 120_000 },
    );
    for (const name of ['1001.jpg', 'fresh-tomato.png']) {
      const item = items.filter({ hasText: name });
      expect(await item.locator('[data-testid="kind"]').innerText()).not.toBe('');
      // A kind shows its certainty; a refusal names the closest kind instead.
      const refused = (await item.locator('[data-testid="kind"]').innerText()) === 'Not a vegetable';
      if (refused) expect(await item.locator('[data-testid="closest"]').innerText()).toMatch(/closest kind: .+ \(\d+\.\d%\)/);
      else expect(await item.locator('[data-testid="confidence"]').innerText()).toMatch(/% sure/);
      expect(await item.locator('[data-testid="top3"] li').count()).toBe(3);
      expect(await item.locator('[data-testid="colours"] vv-share-bar').count()).toBe(2);
      if ((await item.locator('[data-testid="kind"]').innerText()) === 'Not a vegetable') {
        expect(await item.locator('[data-testid="not-vegetable"]').innerText()).toContain('none of the 15 vegetable kinds');
      }
    }
    // The seed photo is already in the catalog: the same bytes are one entry.
    expect(await items.filter({ hasText: '1001.jpg' }).innerText()).toContain('This photo was already in the catalog.');
    const href = await items.filter({ hasText: 'fresh-tomato.png' }).locator('[data-testid="open-image"]').getAttribute('href');
    uploadedImageId = href!.split('/').pop()!;
    page.off('request', onRequest);
    // Live results come over one EventSource per image, with one catch-up fetch: no polling loop.
    expect(requests.filter((r) => r === 'POST /api/images')).toHaveLength(2);
    expect(requests.filter((r) => r === `GET /api/events?imageId=${uploadedImageId}`)).toHaveLength(1);
    expect(requests.filter((r) => r === `GET /api/images/${uploadedImageId}`).length).toBeLessThanOrEqual(1);
    await screenshot(page, 'upload');
    await expectNoSeriousViolations();
  });

  it('lets the user crop a photo before uploading it (optional)', async () => {
    const source = await sharp(fs.readFileSync(path.join(SEED, 'Carrot/1001.jpg')))
      .resize(400 + Math.floor(Math.random() * 100), 300, { fit: 'fill' })
      .png()
      .toBuffer();
    const { width: srcWidth } = await sharp(source).metadata();
    // Still on the upload page of the previous test (its results stay listed).
    await page.locator('[data-testid="crop-toggle"] input').check();
    await page.locator('[data-testid="file-input"]').setInputFiles([{ name: 'carrot.png', mimeType: 'image/png', buffer: source }]);
    const stage = page.locator('[data-testid="crop-stage"] img');
    await stage.waitFor();
    await page.waitForFunction(() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const img: any = document.querySelector('[data-testid="crop-stage"] img');
      return img && img.complete && img.naturalWidth > 0;
    });
    const box = (await stage.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.8, { steps: 5 });
    await page.mouse.up();
    await page.locator('[data-testid="crop-selection"]').waitFor();
    await screenshot(page, 'upload-crop');
    await page.locator('[data-testid="crop-upload"]').click();
    const item = page.locator('[data-testid="upload-item"]', { hasText: 'carrot-cropped.png' });
    await item.waitFor();
    await page.waitForFunction(
      () =>
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        Array.from(document.querySelectorAll('[data-testid="upload-item"]')).some((el: any) => el.textContent.includes('carrot-cropped.png') && el.getAttribute('data-phase') === 'done'),
      undefined,
      { timeout: 120_000 },
    );
    expect(await page.locator('[data-testid="crop-panel"]').count()).toBe(0);
    const href = await item.locator('[data-testid="open-image"]').getAttribute('href');
    const image = (await (await fetch(`${url}/api/images/${href!.split('/').pop()}`)).json()) as { width: number; height: number };
    // About half the width and 60% of the height of the photo were selected.
    expect(Math.abs(image.width - srcWidth! * 0.5)).toBeLessThanOrEqual(4);
    expect(Math.abs(image.height - 300 * 0.6)).toBeLessThanOrEqual(4);
    await page.locator('[data-testid="crop-toggle"] input').uncheck();
  });

  it('explains an invalid file dropped on the drop zone', async () => {
    const dataTransfer = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['just some notes, not a photo'], 'notes.txt', { type: 'text/plain' }));
      return dt;
    });
    await page.locator('[data-testid="dropzone"]').dispatchEvent('drop', { dataTransfer });
    const error = page.locator('[data-testid="upload-item"]', { hasText: 'notes.txt' }).locator('[data-testid="upload-error"]');
    await error.waitFor();
    expect(await error.innerText()).toContain('This file is not a still JPEG, PNG, WebP, AVIF or HEIC image (animations are not accepted).');
    await screenshot(page, 'upload-error');
  });

  it('shows an image page with its labels and its history as a timeline', async () => {
    await page.locator('[data-testid="upload-item"]', { hasText: 'fresh-tomato.png' }).locator('[data-testid="open-image"]').click();
    await page.waitForURL(new RegExp(`/images/${uploadedImageId}$`));
    await page.waitForFunction(() => {
      const img = document.querySelector('figure img') as { complete: boolean; naturalWidth: number } | null;
      return !!img && img.complete && img.naturalWidth > 0;
    });
    const timeline = page.locator('[data-testid="timeline"] li');
    await timeline.first().waitFor();
    const types = await timeline.evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types[0]).toBe('uploaded');
    expect(types).toContain('classified');
    expect(types).toContain('coloured');
    expect(await timeline.allInnerTexts()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Uploaded/),
        expect.stringMatching(/Classified by model \S+ as .+\(\d+\.\d%\)/),
        expect.stringMatching(/^Colours of the whole photo detected \(mean-euclidean-v1\)/),
        expect.stringMatching(/^Colours of the vegetable detected \(subject-oklab-v3\)/),
      ]),
    );
    await screenshot(page, 'image');
    await expectNoSeriousViolations();
    // an imported catalog image says so
    const catalogImage = (await api<{ items: { imageId: string }[] }>('/api/images?count=1')).items[0];
    await page.goto(`${url}/images/${catalogImage.imageId}`);
    await page.locator('[data-testid="timeline"] li[data-type="uploaded"]', { hasText: 'Imported from the dataset' }).waitFor();
    await page.goto(`${url}/images/00000000-0000-4000-8000-000000000000`);
    expect(await page.locator('[data-testid="image-error"]').innerText()).toContain('This image does not exist');
  });

  it('shows both colour measures with what they mean, and the photo full screen with a link to the original', async () => {
    await page.goto(`${url}/images/${uploadedImageId}`);
    await page.locator('[data-testid="measure-subject"]').waitFor();
    expect(await page.locator('.colour-row[data-measure="subject"]').count()).toBe(2);
    expect(await page.locator('.colour-row[data-measure="photo"]').count()).toBe(2);
    expect(await page.locator('[data-testid="colour-explanation"]').innerText()).toContain('nearest on average');
    const original = await page.locator('[data-testid="original-link"]').getAttribute('href');
    expect((await fetch(new URL(original ?? '', url))).status).toBe(200);

    await page.locator('[data-testid="open-lightbox"]').click();
    const box = page.locator('[data-testid="lightbox"]');
    await box.waitFor();
    await screenshot(page, 'image-lightbox');
    const fitted = await page.locator('[data-testid="lightbox-image"]').boundingBox();
    await page.locator('[data-testid="lightbox-image"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="lightbox-image"]')?.classList.contains('actual'));
    expect(fitted).not.toBeNull();
    await page.keyboard.press('Escape');
    await box.waitFor({ state: 'detached' });
  });

  it('corrects the kind and deletes an image from its page, with the editor token', async () => {
    const target = (await api<{ items: { imageId: string; kind: string }[] }>('/api/images?count=1&kind=Carrot')).items[0];
    await page.goto(`${url}/images/${target.imageId}`);
    await page.locator('[data-testid="edit-panel"]').waitFor();
    await page.locator('[data-testid="correct-kind"]').selectOption('Radish');
    await page.locator('[data-testid="correct-note"]').fill('white root, a radish');
    await page.locator('[data-testid="correct-submit"]').click();
    // Without a token the API says so, in words.
    expect(await page.locator('[data-testid="edit-error"]').innerText()).toMatch(/token/i);
    await page.locator('[data-testid="editor-token"]').fill(EDITOR_TOKEN);
    await page.locator('[data-testid="correct-submit"]').click();
    await page.locator('[data-testid="person-label"]').waitFor();
    expect(await page.locator('h1').innerText()).toBe('Radish');
    expect(await page.locator('[data-testid="person-label"]').innerText()).toContain('browser-editor');
    await page.locator('[data-testid="timeline"] li[data-type="corrected"]', { hasText: 'white root, a radish' }).waitFor();
    await screenshot(page, 'image-corrected');
    const detail = await api<{ kind: string; labelSource: string }>(`/api/images/${target.imageId}`);
    expect(detail).toMatchObject({ kind: 'Radish', labelSource: 'person' });

    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('[data-testid="delete-image"]').click();
    await page.waitForURL(/\/browse/);
    expect((await fetch(`${url}/api/images/${target.imageId}`)).status).toBe(404);
  });

  it('pages through the catalog in a chosen order, with recent uploads one click away', async () => {
    interface Page {
      items: { imageId: string; uploadedAt: string; confidence: number | null; source: string }[];
      total: number;
      nextCursor: string | null;
    }
    await page.goto(`${url}/browse`);
    await page.getByRole('link', { name: 'Catalog' }).first().click();
    await page.waitForURL(/\/catalog$/);
    const first = await api<Page>('/api/catalog/images?sort=newest&limit=24');
    const catalogCards = page.locator('[data-testid="catalog-card"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="catalog-card"]').length >= 24);
    expect(await page.locator('[data-testid="catalog-total"]').innerText()).toContain(`${first.total} images in the catalog`);
    const hrefs = () => catalogCards.locator('a.thumb').evaluateAll((as: { getAttribute(n: string): string }[]) => as.map((a) => a.getAttribute('href')));
    expect((await hrefs()).slice(0, 24)).toEqual(first.items.map((i) => `/images/${i.imageId}`));
    // More pages as the end of the grid scrolls into view: no duplicates, no gaps.
    await page.locator('[data-testid="catalog-more"]').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="catalog-card"]').length >= 48);
    const second = await api<Page>(`/api/catalog/images?sort=newest&limit=24&cursor=${encodeURIComponent(first.nextCursor!)}`);
    const shown = await hrefs();
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown.slice(24, 48)).toEqual(second.items.map((i) => `/images/${i.imageId}`));
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'catalog-pages', { fullPage: false });

    // Least confident first: the order the API gives for that sort.
    await page.locator('[data-testid="sort-select"]').click();
    await page.locator('[data-testid="sort-option-confidence_asc"]').click();
    await page.waitForURL((u) => u.searchParams.get('sort') === 'confidence_asc');
    const doubtful = await api<Page>('/api/catalog/images?sort=confidence_asc&limit=24');
    await page.waitForFunction((id) => document.querySelector('[data-testid="catalog-card"] a.thumb')?.getAttribute('href') === `/images/${id}`, doubtful.items[0].imageId);

    // Recent uploads: people's uploads only, newest first (this suite uploaded some earlier).
    await page.locator('[data-testid="recent-uploads"]').click();
    await page.waitForURL((u) => u.searchParams.get('source') === 'upload' && !u.searchParams.has('sort'));
    const uploads = await api<Page>('/api/catalog/images?sort=newest&source=upload&limit=24');
    expect(uploads.total).toBeGreaterThan(0);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="catalog-card"]').length === n, Math.min(24, uploads.total));
    expect(await hrefs()).toEqual(uploads.items.map((i) => `/images/${i.imageId}`));
    expect(await page.locator('[data-testid="recent-uploads"]').getAttribute('aria-pressed')).toBe('true');
    await expectNoSeriousViolations();
    await screenshot(page, 'catalog-recent-uploads');
  });

  it('lists the review queue oldest first, steps through it, and a correction moves on to the next image', async () => {
    interface Page {
      items: { imageId: string; kind: string; confidence: number | null; uploadedAt: string }[];
      total: number;
      nextCursor: string | null;
    }
    // The seed sample's clean close-ups are all labelled with confidence; three photos that are no
    // vegetable (noise of three hues) give the queue doubtful labels to show.
    for (const [i, tint] of [[1, [200, 60, 60]], [2, [60, 160, 220]], [3, [230, 220, 90]]] as const) {
      const raw = Buffer.alloc(160 * 120 * 3);
      for (let p = 0; p < raw.length; p += 3) for (let c = 0; c < 3; c++) raw[p + c] = Math.max(0, Math.min(255, tint[c] + ((p * 7919 + c * 104729 + i * 31) % 97) - 48));
      const bytes = await sharp(raw, { raw: { width: 160, height: 120, channels: 3 } }).png().toBuffer();
      const form = new FormData();
      form.append('file', new Blob([bytes], { type: 'image/png' }), `noise-${i}.png`);
      const res = await fetch(`${url}/api/images`, { method: 'POST', body: form });
      expect(res.status).toBe(202);
      const { imageId } = (await res.json()) as { imageId: string };
      for (let t = 0; (await api<{ status: string }>(`/api/images/${imageId}`).catch(() => ({ status: '' }))).status !== 'ready'; t++) {
        if (t > 300) throw new Error(`${imageId} was not labelled`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const queue = await api<Page>('/api/catalog/images?review=true&sort=oldest&limit=24');
    expect(queue.total).toBeGreaterThanOrEqual(3);
    await page.goto(`${url}/browse`);
    await page.getByRole('link', { name: 'Review' }).first().click();
    await page.waitForURL(/\/review$/);
    const items = page.locator('[data-testid="review-item"]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="review-item"]').length === n, queue.items.length);
    expect(await page.locator('[data-testid="review-total"]').innerText()).toContain(`${queue.total} image`);
    // Oldest first, the server's order; each says why it is there.
    const hrefs = await items.locator('a.thumb').evaluateAll((as: { getAttribute(n: string): string }[]) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(queue.items.map((i) => `/images/${i.imageId}`));
    for (const reason of await items.locator('[data-testid="review-reason"]').allInnerTexts()) {
      expect(['Refused as not a vegetable', 'Low confidence', 'Model versions disagree']).toContain(reason);
    }
    await expectNoSeriousViolations();
    await screenshot(page, 'review-queue');
    if (queue.nextCursor) {
      await page.locator('[data-testid="review-more"]').click();
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="review-item"]').length > n, queue.items.length);
    }

    // Open the first: back goes to the queue; next and previous step through it (buttons and arrow keys).
    const [first, second, third] = queue.items;
    await items.first().locator('[data-testid="review-correct"]').click();
    await page.waitForURL(new RegExp(`/images/${first.imageId}$`));
    await page.locator('[data-testid="edit-panel"]').waitFor();
    expect(await page.locator('[data-testid="back-link"]').innerText()).toContain('Back to the review queue');
    expect(await page.locator('[data-testid="image-position"]').innerText()).toMatch(/^1 of \d+$/);
    await page.locator('[data-testid="next-image"]').click();
    await page.waitForURL(new RegExp(`/images/${second.imageId}$`));
    await page.locator('[data-testid="image-position"]', { hasText: '2 of' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.waitForURL(new RegExp(`/images/${first.imageId}$`));
    await page.locator('[data-testid="image-position"]', { hasText: '1 of' }).waitFor();
    await screenshot(page, 'image-review-navigation');

    // Correct it: it leaves the queue and the page moves on to the next doubtful image.
    await page.locator('[data-testid="editor-token"]').fill(EDITOR_TOKEN);
    await page.locator('[data-testid="correct-kind"]').selectOption(first.kind === 'Tomato' ? 'Capsicum' : 'Tomato');
    await page.locator('[data-testid="correct-submit"]').click();
    await page.waitForURL(new RegExp(`/images/${second.imageId}$`));
    await page.locator('[data-testid="image-position"]', { hasText: '1 of' }).waitFor();
    expect((await api<{ labelSource: string }>(`/api/images/${first.imageId}`)).labelSource).toBe('person');
    const after = await api<Page>('/api/catalog/images?review=true&sort=oldest&limit=24');
    expect(after.total).toBe(queue.total - 1);
    expect(after.items.map((i) => i.imageId)).not.toContain(first.imageId);
    expect(after.items.slice(0, 2).map((i) => i.imageId)).toEqual([second.imageId, third.imageId]);

    await page.locator('[data-testid="back-link"]').click();
    await page.waitForURL(/\/review$/);
    await page.waitForFunction((id) => {
      const links = Array.from(document.querySelectorAll('[data-testid="review-item"] a.thumb') as ArrayLike<{ getAttribute(n: string): string }>);
      return links.length > 0 && links.every((a) => a.getAttribute('href') !== `/images/${id}`);
    }, first.imageId);
  });

  it('steps through the browse grid from an image page', async () => {
    await page.goto(`${url}/browse?count=3`);
    await waitForCards(3);
    const ids = (await cards().locator('a.thumb').evaluateAll((as: { getAttribute(n: string): string }[]) => as.map((a) => a.getAttribute('href')))).map((h) => h.split('/').pop());
    await cards().nth(1).locator('a.thumb').click();
    await page.waitForURL(new RegExp(`/images/${ids[1]}$`));
    await page.locator('[data-testid="image-position"]', { hasText: '2 of 3' }).waitFor();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(new RegExp(`/images/${ids[2]}$`));
    expect(await page.locator('[data-testid="next-image"]').getAttribute('aria-disabled')).toBe('true');
    await page.locator('[data-testid="back-link"]').click();
    await page.waitForURL((u) => u.pathname === '/browse' && u.searchParams.get('count') === '3');
  });

  it('says so on a page that does not exist, instead of showing Browse', async () => {
    await page.goto(`${url}/no-such-page`);
    await page.locator('[data-testid="not-found"]').waitFor();
    expect(await page.locator('[data-testid="not-found"] h1').innerText()).toBe('There is no such page');
    await page.locator('[data-testid="not-found"] a').click();
    await page.waitForURL(/\/browse/);
  });

  it('lists the model versions, or says the list is not available', async () => {
    await page.goto(`${url}/models`);
    await page.locator('[data-testid="models-table"]').waitFor();
    const models = await api<{ active: string; models: { version: string }[] }>('/api/models');
    const active = page.locator('[data-testid="models-table"] tr.active');
    // Each version's card figures, saying which photos; the active one links its card.
    expect(await active.locator('[data-testid="figure-dataset"]').innerText()).toMatch(/^\d+\.\d%$/);
    expect(await page.locator('[data-testid="models-note"]').innerText()).toContain('real-photo validation split');
    const card = await active.locator('[data-testid="model-card-link"]').getAttribute('href');
    expect(card).toBe(`/api/models/${models.active}/card`);
    const text = await fetch(`${url}${card}`);
    expect(text.status).toBe(200);
    expect(await text.text()).toContain(models.active);
    await screenshot(page, 'models');
    await expectNoSeriousViolations();
  });

  it('switches every string to Russian and remembers the choice', async () => {
    await page.goto(`${url}/browse?palette=RYB`);
    await waitForCards(9);
    await page.locator('[data-testid="lang-toggle"]').click();
    await page.locator('h1', { hasText: 'Каталог' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ru');
    await page.reload();
    await waitForCards(9);
    expect(await page.locator('h1').innerText()).toBe('Каталог');
    const text = await page.locator('body').innerText();
    for (const english of ['Browse', 'Upload', 'Models', 'Any colour', 'Show others', 'sure', 'images in the catalog']) {
      expect(text).not.toContain(english);
    }
    await screenshot(page, 'browse-ru');
    await page.goto(`${url}/upload`);
    await page.locator('[data-testid="file-input"]').setInputFiles({ name: 'empty.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) });
    const error = page.locator('[data-testid="upload-error"]');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/Не удалось загрузить: (Файл пустой\.|Файл не отправлен)/);
    await page.locator('[data-testid="lang-toggle"]').click();
    await page.locator('h1', { hasText: 'Upload photos' }).waitFor();
  });

  it('has a dark theme without accessibility regressions', async () => {
    await page.goto(`${url}/browse`);
    await waitForCards(9);
    await page.locator('[data-testid="theme-toggle"]').click();
    await page.waitForFunction(() => document.documentElement.classList.contains('dark-theme'));
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(r + g + b).toBeLessThan(150);
    await screenshot(page, 'browse-dark');
    await expectNoSeriousViolations();
    await page.reload();
    await waitForCards(9);
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark-theme'))).toBe(true);
    await page.locator('[data-testid="theme-toggle"]').click();
  });

  it('works on a phone screen: the toolbar collapses into a menu', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    try {
      await p.goto(`${url}/browse?count=4`);
      await p.waitForFunction(() => document.querySelectorAll('[data-testid="result-card"]').length === 4);
      expect(await p.locator('nav a').count()).toBe(0);
      // The filters fold away: the first photo is on the first screen; one tap opens them.
      expect(await p.locator('[data-testid="browse-filters"]').isVisible()).toBe(false);
      const firstCard = await p.locator('[data-testid="result-card"]').first().boundingBox();
      expect(firstCard!.y).toBeLessThan(844);
      await p.locator('[data-testid="filters-toggle"]').click();
      await p.locator('[data-testid="browse-filters"]').waitFor({ state: 'visible' });
      expect(await p.locator('[data-testid="filters-toggle"]').getAttribute('aria-expanded')).toBe('true');
      await screenshot(p, 'browse-phone-filters');
      await p.locator('[data-testid="filters-toggle"]').click();
      await p.locator('[data-testid="browse-filters"]').waitFor({ state: 'hidden' });
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(p, 'browse-phone');
      await p.locator('[data-testid="menu-toggle"]').click();
      await p.getByRole('menuitem', { name: 'Upload' }).click();
      await p.waitForURL(/\/upload$/);
      expect(await seriousViolations(p)).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  it('logged no errors in the browser console other than the expected failed requests', () => {
    const unexpected = consoleErrors.filter((m) => !/Failed to load resource: the server responded with a status of (400|401|404|415)/.test(m));
    expect(unexpected).toEqual([]);
  });
});
