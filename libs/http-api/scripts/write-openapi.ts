// Writes the HTTP API's OpenAPI document (the one served at /api/docs/openapi.json) to
// libs/http-api/openapi.json, from the controllers and their response schemas, without serving
// anything: the API is built on a throwaway embedded data dir with no workers and closed again.
// `npm run api:gen` runs it and then generates the console's types from the document
// (frontend/src/app/core/api.generated.ts, openapi-typescript); `npm run api:check` fails when
// either is stale (CI runs it, like proto:check).
// Run: node -r ./tools/ts-loader/register libs/http-api/scripts/write-openapi.ts [out.json]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@vegvision/config';
import { createLogger } from '@vegvision/application';
import { createHttpApp } from '../src/http-app';
import { buildOpenApiDocument } from '../src/openapi';

const OUT = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'openapi.json'));

/** Object keys sorted (arrays keep their order), so the file changes only when the API does. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
  }
  return value;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vv-openapi-'));
  try {
    const config = loadConfig({ dataDir, logLevel: 'silent' }, {});
    const app = await createHttpApp({ config, workers: false, logger: createLogger('silent') });
    try {
      await app.init();
      const doc = buildOpenApiDocument(app);
      fs.writeFileSync(OUT, `${JSON.stringify(sorted(doc), null, 2)}\n`);
      console.log(`wrote ${path.relative(process.cwd(), OUT)} (${Object.keys(doc.paths).length} paths)`);
    } finally {
      await app.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`write-openapi: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
