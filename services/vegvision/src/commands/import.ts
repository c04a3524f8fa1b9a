// `vegvision import <dir>`: records every image of a labelled folder ([split/]Class/file) as
// ImageUploaded with source "catalog", its split and ground-truth kind. Idempotent: each
// file's event id is derived from its bytes and relative path, so a re-run (or a run resumed
// after a kill) records nothing twice.
//
// Embedded mode: the import opens the whole product in-process (every role) and, with --wait,
// waits until the relay and the workers are idle. Distributed mode: the relay, classifier,
// colour-detector and projector run as services, so the import only records the uploads (no
// worker in this process) and, with --wait, polls the shared read model until every imported
// image is `ready`.
//
// Embedded mode while `vegvision serve` runs on the same data dir (it holds the file event store
// and says so in <data dir>/server.json): the files go through the server's admin catalog-import
// endpoint (import-through-server.ts), with VEGVISION_ADMIN_TOKEN. When the store is held by a
// process that is not a server (another import), the error says which and what to do.
import { CATALOG_IMAGE_EXT, CatalogImportService, READ_MODEL, RelayWorker } from '@vegvision/application';
import type { VegvisionConfig } from '@vegvision/config';
import { KINDS, isKind } from '@vegvision/domain';
import type { ReadModel } from '@vegvision/read-model';
import fs from 'node:fs';
import path from 'node:path';
import { withContext } from './context';
import { importThroughServer } from './import-through-server';
import { progressBar } from './progress';
import { findRunningServer } from './server-file';

export interface CatalogFile {
  absolutePath: string;
  relativePath: string;
  kind: string;
  split?: string;
}

/** Finds the images of a folder in the Kaggle layout; throws a clear error otherwise. */
export function scanCatalog(root: string): CatalogFile[] {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`${root} is not a folder`);
  const files: CatalogFile[] = [];
  const unknown: string[] = [];
  const addClassDir = (dir: string, kind: string, split?: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (CATALOG_IMAGE_EXT.test(name) && fs.statSync(p).isFile()) {
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

export interface ImportOptions {
  /** Wait until every imported image is labelled (classified and coloured). */
  wait: boolean;
  /** Distributed mode: read-model poll interval while waiting, ms (default 1000). */
  pollMs?: number;
  /** Distributed mode: warn on stderr when no image became ready for this long, ms (default 60000). */
  stallWarningMs?: number;
}

export async function runImport(config: VegvisionConfig, dir: string, options: ImportOptions): Promise<ImportSummary> {
  const files = scanCatalog(path.resolve(dir));
  let summary: ImportSummary;
  const server = config.eventStore.kind === 'file' ? await findRunningServer(config.dataDir) : undefined;
  if (server) {
    summary = await importThroughServer(server, config.dataDir, config.adminToken, files, options);
  } else {
    try {
      summary = await importInProcess(config, files, options);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EVENT_STORE_LOCKED') throw error;
      const pid = (error as { ownerPid?: number }).ownerPid;
      throw new Error(
        `the event store of ${config.dataDir} is in use by ${pid === undefined ? 'another process' : `process ${pid}`} ` +
          '(another `vegvision import`, or a server that did not announce itself): wait for it to finish or stop it, then run the import again. ' +
          'While `vegvision serve` runs, the import goes through it (with VEGVISION_ADMIN_TOKEN).',
      );
    }
  }
  process.stderr.write(
    `imported ${summary.files} file(s): ${summary.recorded} recorded, ${summary.alreadyRecorded} already recorded, ${summary.failed.length} failed\n`,
  );
  for (const fail of summary.failed.slice(0, 20)) process.stderr.write(`  ${fail.file}: ${fail.message}\n`);
  if (summary.failed.length) process.exitCode = 2;
  return summary;
}

async function importInProcess(config: VegvisionConfig, files: CatalogFile[], options: ImportOptions): Promise<ImportSummary> {
  const distributed = config.mode === 'distributed';
  // Distributed: the services run the roles; workers here would duplicate them.
  return withContext(config, !distributed, async (app) => {
    const catalogImport = app.get(CatalogImportService);
    const summary: ImportSummary = { files: files.length, recorded: 0, alreadyRecorded: 0, failed: [] };
    const imageIds = new Set<string>();
    const bar = progressBar('import');
    bar.start(files.length, 0, { detail: '' });
    for (const f of files) {
      try {
        const r = await catalogImport.importFile(fs.readFileSync(f.absolutePath), f.relativePath);
        imageIds.add(r.imageId);
        if (r.recorded) summary.recorded++;
        else summary.alreadyRecorded++;
      } catch (error) {
        summary.failed.push({ file: f.relativePath, message: error instanceof Error ? error.message : String(error) });
      }
      bar.increment(1, { detail: f.relativePath });
    }
    bar.stop();
    if (options.wait && distributed) {
      await waitUntilReady(app.get<ReadModel>(READ_MODEL, { strict: false }), imageIds, options);
    } else if (options.wait) {
      const relay = app.get(RelayWorker, { strict: false });
      const readModel = app.get<ReadModel>(READ_MODEL, { strict: false });
      const labelBar = progressBar('labelling');
      const total = (await readModel.facets()).total;
      labelBar.start(Math.max(total, 1), 0, { detail: '' });
      const timer = setInterval(() => {
        readModel
          .facets()
          .then((f) => {
            const labelled = Object.values(f.kinds).reduce((a, b) => a + b, 0);
            labelBar.setTotal(Math.max(f.total, 1));
            labelBar.update(labelled, { detail: 'classified and coloured' });
          })
          .catch(() => undefined);
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
    return summary;
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Distributed mode: polls the read model until every image of `imageIds` is `ready` (the
 * services classify, colour and project them). Read-model errors while polling (a database
 * restarting) are reported and polled through; a long stall is reported on stderr.
 */
async function waitUntilReady(readModel: ReadModel, imageIds: Set<string>, options: ImportOptions): Promise<void> {
  const pollMs = options.pollMs ?? 1000;
  const stallWarningMs = options.stallWarningMs ?? 60_000;
  const pending = new Set(imageIds);
  const bar = progressBar('labelling');
  bar.start(Math.max(imageIds.size, 1), 0, { detail: 'waiting for the services' });
  let lastProgress = Date.now();
  for (;;) {
    const before = pending.size;
    let detail: string;
    try {
      const ids = [...pending];
      // A few queries at a time: the pool is shared with nothing else here, but stay polite.
      for (let i = 0; i < ids.length; i += 16) {
        const batch = ids.slice(i, i + 16);
        const views = await Promise.all(batch.map((id) => readModel.getImage(id)));
        views.forEach((view, j) => {
          if (view?.status === 'ready') pending.delete(batch[j]);
        });
      }
      const facets = await readModel.facets();
      detail = `classified and coloured (${facets.total} image(s) in the catalog)`;
    } catch (error) {
      detail = `read model unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
    bar.update(imageIds.size - pending.size, { detail });
    if (pending.size === 0) break;
    const now = Date.now();
    if (pending.size < before) {
      lastProgress = now;
    } else if (now - lastProgress >= stallWarningMs) {
      process.stderr.write(
        `import: no image became ready for ${Math.round((now - lastProgress) / 1000)} s (${pending.size} pending): ` +
          'are the relay, classifier, colour-detector and projector services running on this topic?\n',
      );
      lastProgress = now;
    }
    await sleep(pollMs);
  }
  bar.stop();
}
