// `vegvision import` while `vegvision serve` holds the embedded event store: the files go to the
// running server, one by one, through its admin catalog-import endpoint (same idempotent rules as
// an in-process import); with --wait, the server's API is polled until every image is labelled.
import fs from 'node:fs';
import type { CatalogFile, ImportOptions, ImportSummary } from './import';
import { progressBar } from './progress';
import type { ServerFile } from './server-file';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A refusal that makes going on pointless (auth, server gone): the import stops with it. */
class ImportAbortedError extends Error {}

async function problemOf(res: Response): Promise<{ code?: string; detail?: string }> {
  try {
    return (await res.json()) as { code?: string; detail?: string };
  } catch {
    return {};
  }
}

export async function importThroughServer(
  server: ServerFile,
  dataDir: string,
  adminToken: string | undefined,
  files: CatalogFile[],
  options: ImportOptions,
): Promise<ImportSummary> {
  const who = `a vegvision server (process ${server.pid}, ${server.url})`;
  if (!adminToken) {
    throw new ImportAbortedError(
      `${who} holds the event store of ${dataDir}. To import into it, run this command with ` +
        "VEGVISION_ADMIN_TOKEN set to the server's admin token (start the server with one, at least 16 characters, if it has none); " +
        'or stop the server and run the import again.',
    );
  }
  process.stderr.write(`import: ${who} holds the event store of ${dataDir}: importing through it\n`);
  const summary: ImportSummary = { files: files.length, recorded: 0, alreadyRecorded: 0, failed: [] };
  const imageIds = new Set<string>();
  const bar = progressBar('import');
  bar.start(files.length, 0, { detail: '' });
  try {
    for (const f of files) {
      const form = new FormData();
      form.append('file', new Blob([fs.readFileSync(f.absolutePath)]), f.relativePath.split('/').pop());
      let res: Response;
      try {
        res = await fetch(`${server.url}/api/admin/catalog/images?path=${encodeURIComponent(f.relativePath)}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminToken}` },
          body: form,
        });
      } catch (error) {
        throw new ImportAbortedError(
          `${who} stopped answering (${error instanceof Error ? error.message : String(error)}); run the import again once it is back (imported files are not recorded twice)`,
        );
      }
      if (res.ok) {
        const r = (await res.json()) as { imageId: string; recorded: boolean };
        imageIds.add(r.imageId);
        if (r.recorded) summary.recorded++;
        else summary.alreadyRecorded++;
      } else {
        const problem = await problemOf(res);
        if (problem.code === 'admin_disabled') {
          throw new ImportAbortedError(
            `${who} runs without an admin token, so it cannot take an import: restart it with VEGVISION_ADMIN_TOKEN set (the same value as here), or stop it and run the import again`,
          );
        }
        if (res.status === 401 || res.status === 403) {
          throw new ImportAbortedError(`${who} refused the admin token (${problem.code ?? res.status}): set VEGVISION_ADMIN_TOKEN to the server's value`);
        }
        summary.failed.push({ file: f.relativePath, message: problem.detail ?? `HTTP ${res.status}` });
      }
      bar.increment(1, { detail: f.relativePath });
    }
  } finally {
    bar.stop();
  }
  if (options.wait) await waitUntilLabelled(server, imageIds, options.pollMs ?? 500);
  return summary;
}

/** Polls GET /api/images/:id until every image is `ready` (classified and coloured). */
async function waitUntilLabelled(server: ServerFile, imageIds: Set<string>, pollMs: number): Promise<void> {
  const pending = new Set(imageIds);
  const bar = progressBar('labelling');
  bar.start(Math.max(imageIds.size, 1), 0, { detail: 'classified and coloured' });
  let lastAnswer = Date.now();
  try {
    while (pending.size > 0) {
      if (Date.now() - lastAnswer > 30_000) {
        throw new ImportAbortedError(`${server.url} stopped answering while waiting for labels (${pending.size} image(s) pending); the import itself is recorded`);
      }
      const ids = [...pending];
      for (let i = 0; i < ids.length; i += 16) {
        const batch = ids.slice(i, i + 16);
        await Promise.all(
          batch.map(async (id) => {
            const res = await fetch(`${server.url}/api/images/${id}`).catch(() => null);
            if (res) lastAnswer = Date.now();
            if (res?.ok && ((await res.json()) as { status?: string }).status === 'ready') pending.delete(id);
          }),
        );
      }
      bar.update(imageIds.size - pending.size);
      if (pending.size > 0) await sleep(pollMs);
    }
  } finally {
    bar.stop();
  }
}
