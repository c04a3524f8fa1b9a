// `vegvision import <dir>`: records every image of a labelled folder ([split/]Class/file) as
// ImageUploaded with source "catalog", its split and ground-truth kind. Idempotent: each
// file's event id is derived from its bytes and relative path, so a re-run (or a run resumed
// after a kill) records nothing twice.
import { IngestService, READ_MODEL, RelayWorker } from '@vegvision/application';
import type { VegvisionConfig } from '@vegvision/config';
import { KINDS, importEventId, isKind } from '@vegvision/domain';
import type { ReadModel } from '@vegvision/read-model';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { withContext } from './context';
import { progressBar } from './progress';

export interface CatalogFile {
  absolutePath: string;
  relativePath: string;
  kind: string;
  split?: string;
}

const IMAGE_EXT = /\.(jpe?g|png|webp)$/i;

/** Finds the images of a folder in the Kaggle layout; throws a clear error otherwise. */
export function scanCatalog(root: string): CatalogFile[] {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`${root} is not a folder`);
  const files: CatalogFile[] = [];
  const unknown: string[] = [];
  const addClassDir = (dir: string, kind: string, split?: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (IMAGE_EXT.test(name) && fs.statSync(p).isFile()) {
        files.push({ absolutePath: p, relativePath: path.relative(root, p).split(path.sep).join('/'), kind, split });
      }
    }
  };
  for (const entry of fs.readdirSync(root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(root, entry.name);
    if (isKind(entry.name)) {
      addClassDir(dir, entry.name);
      continue;
    }
    const sub = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
    const classDirs = sub.filter((d) => isKind(d.name));
    if (classDirs.length === 0) {
      unknown.push(entry.name);
      continue;
    }
    for (const c of classDirs.sort((a, b) => a.name.localeCompare(b.name))) addClassDir(path.join(dir, c.name), c.name, entry.name);
  }
  if (files.length === 0) {
    throw new Error(
      `no images found in ${root}: expected [split/]Class/file.jpg with Class one of ${KINDS.join(', ')}` +
        (unknown.length ? ` (unrecognised folders: ${unknown.slice(0, 5).join(', ')})` : ''),
    );
  }
  return files;
}

export interface ImportSummary {
  files: number;
  recorded: number;
  alreadyRecorded: number;
  failed: { file: string; message: string }[];
}

export async function runImport(config: VegvisionConfig, dir: string, options: { wait: boolean }): Promise<ImportSummary> {
  const files = scanCatalog(path.resolve(dir));
  return withContext(config, true, async (app) => {
    const ingest = app.get(IngestService);
    const summary: ImportSummary = { files: files.length, recorded: 0, alreadyRecorded: 0, failed: [] };
    const bar = progressBar('import');
    bar.start(files.length, 0, { detail: '' });
    for (const f of files) {
      try {
        const bytes = fs.readFileSync(f.absolutePath);
        const sha = createHash('sha256').update(bytes).digest('hex');
        const r = await ingest.ingest({
          bytes,
          source: 'catalog',
          originalName: path.basename(f.relativePath),
          datasetSplit: f.split,
          groundTruthKind: f.kind,
          eventId: importEventId(sha, f.relativePath),
        });
        if (r.recorded) summary.recorded++;
        else summary.alreadyRecorded++;
      } catch (error) {
        summary.failed.push({ file: f.relativePath, message: error instanceof Error ? error.message : String(error) });
      }
      bar.increment(1, { detail: f.relativePath });
    }
    bar.stop();
    if (options.wait) {
      const relay = app.get(RelayWorker, { strict: false });
      const readModel = app.get<ReadModel>(READ_MODEL, { strict: false });
      const labelBar = progressBar('labelling');
      const total = (await readModel.facets()).total;
      labelBar.start(Math.max(total, 1), 0, { detail: '' });
      const timer = setInterval(() => {
        void readModel.facets().then((f) => {
          const labelled = Object.values(f.kinds).reduce((a, b) => a + b, 0);
          labelBar.setTotal(Math.max(f.total, 1));
          labelBar.update(labelled, { detail: 'classified and coloured' });
        });
      }, 500);
      try {
        await relay.waitUntilIdle();
      } finally {
        clearInterval(timer);
      }
      const f = await readModel.facets();
      labelBar.setTotal(Math.max(f.total, 1));
      labelBar.update(Object.values(f.kinds).reduce((a, b) => a + b, 0));
      labelBar.stop();
    }
    process.stderr.write(
      `imported ${summary.files} file(s): ${summary.recorded} recorded, ${summary.alreadyRecorded} already recorded, ${summary.failed.length} failed\n`,
    );
    for (const fail of summary.failed.slice(0, 20)) process.stderr.write(`  ${fail.file}: ${fail.message}\n`);
    if (summary.failed.length) process.exitCode = 2;
    return summary;
  });
}
