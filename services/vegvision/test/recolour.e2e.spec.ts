// Recolour by replay on the embedded product: uploads get the whole-photo and the subject
// colour from the colour worker; `recolour --algorithm` records another version over the
// catalog (here the seed-compatible legacy one), once per image, and the read model filters by
// either measure. Skipped, saying why, without the seed sample.
import { loadConfig, type VegvisionConfig } from '@vegvision/config';
import { READ_MODEL, UnknownColourAlgorithmError } from '@vegvision/application';
import type { ReadModel } from '@vegvision/read-model';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runImport } from '../src/commands/import';
import { runRecolour } from '../src/commands/recolour';
import { withContext } from '../src/commands/context';

jest.setTimeout(600_000);

const REPO = path.resolve(__dirname, '../../..');
const SHARED = process.env['VEGVISION_SHARED_DIR'] ?? path.resolve(REPO, '../shared');
const SEED = path.join(SHARED, 'data/seed-sample');
const present = fs.existsSync(path.join(SEED, 'Carrot'));
if (!present) console.log(`recolour e2e: skipped, ${SEED} is absent (set VEGVISION_SHARED_DIR)`);

(present ? describe : describe.skip)('recolour by replay (embedded)', () => {
  let dir: string;
  let config: VegvisionConfig;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-recolour-'));
    const catalog = path.join(dir, 'catalog');
    fs.cpSync(path.join(SEED, 'Carrot'), path.join(catalog, 'Carrot'), { recursive: true });
    config = loadConfig({ dataDir: path.join(dir, 'data'), logLevel: 'warn' }, {});
    expect(await runImport(config, catalog, { wait: true })).toMatchObject({ files: 18, recorded: 18 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('records the subject colour on upload, another version by recolour once per image, and browses by either measure', async () => {
    const result = await runRecolour(config, { algorithm: 'legacy-uint8-wraparound-v1' });
    expect(result).toMatchObject({ state: 'done', total: 18, recoloured: 18, skipped: 0, failed: 0 });
    // Idempotent: nothing is recorded twice; the subject colour was recorded on upload already.
    expect(await runRecolour(config, { algorithm: 'legacy-uint8-wraparound-v1' })).toMatchObject({ recoloured: 0, skipped: 18 });
    expect(await runRecolour(config, { algorithm: 'subject-oklab-v3' })).toMatchObject({ recoloured: 0, skipped: 18 });
    // The earlier subject versions are replayable for comparison; the newest recorded is the one shown.
    expect(await runRecolour(config, { algorithm: 'subject-hue-v2' })).toMatchObject({ recoloured: 18, skipped: 0 });
    expect(await runRecolour(config, { algorithm: 'subject-border-v1' })).toMatchObject({ recoloured: 18, skipped: 0 });
    await expect(runRecolour(config, { algorithm: 'subject-v9' })).rejects.toBeInstanceOf(UnknownColourAlgorithmError);

    const store = config.eventStore.kind === 'file' ? config.eventStore.path : '';
    const events = fs.readFileSync(path.join(store, 'events.jsonl'), 'utf8');
    for (const version of ['mean-euclidean-v1', 'subject-oklab-v3', 'subject-hue-v2', 'subject-border-v1', 'legacy-uint8-wraparound-v1']) {
      expect(events.split('\n').filter((l) => l.includes('"ColourDetected"') && l.includes(`"algorithmVersion":"${version}"`))).toHaveLength(18);
    }

    await withContext(config, false, async (app) => {
      const rm = app.get<ReadModel>(READ_MODEL);
      const all = await rm.sample({ count: 9, kind: 'Carrot' });
      expect(all.every((i) => i.subjectColours?.algorithm === 'subject-border-v1')).toBe(true);
      expect(all.every((i) => i.colourAlgorithm === 'legacy-uint8-wraparound-v1')).toBe(true);
      const facets = await rm.facets();
      const orange = facets.subjectColours.RGB['#FF8000'] ?? 0;
      expect(orange).toBeGreaterThanOrEqual(15);
      const bySubject = await rm.sample({ count: 9, palette: 'RGB', colour: '#FF8000', measure: 'subject' });
      expect(bySubject.length).toBe(Math.min(9, orange));
      expect(bySubject.every((i) => i.subjectColours?.rgbHex === '#FF8000')).toBe(true);
    });
  });
});
