import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ModelCardError, ModelNotFoundError } from './errors';
import { MODEL_CARD_FILE, loadModelCard, type ModelCard } from './model-card';

/** Name of the file in the models directory that holds the default model's version id. */
export const DEFAULT_MODEL_FILE = 'DEFAULT';

/** Environment variable that overrides where the shipped models live. */
export const MODELS_DIR_ENV = 'VEGVISION_MODELS_DIR';

/** The shipped models directory: $VEGVISION_MODELS_DIR, else `libs/classifier/models`. */
export function defaultModelsDir(): string {
  const fromEnv = process.env[MODELS_DIR_ENV];
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(__dirname, '..', 'models');
}

export interface ModelInfo {
  version: string;
  dir: string;
  sha256: string;
  architecture: string;
  classes: string[];
  metrics: ModelCard['metrics'];
  createdAt: string;
}

/** Every `<modelsDir>/<version>/model-card.json`, validated (not checksummed), oldest first. */
export async function listModels(modelsDir: string = defaultModelsDir()): Promise<ModelInfo[]> {
  const dirs = modelSubdirs(modelsDir);
  const infos: ModelInfo[] = [];
  for (const dir of dirs) {
    const card = await loadModelCard(dir, { verifyChecksum: false });
    if (card.version !== path.basename(dir)) {
      throw new ModelCardError(
        `model card in ${dir} has version "${card.version}", which differs from its directory name`,
        path.join(dir, MODEL_CARD_FILE),
      );
    }
    infos.push({
      version: card.version,
      dir,
      sha256: card.sha256.toLowerCase(),
      architecture: card.architecture,
      classes: [...card.classes],
      metrics: card.metrics,
      createdAt: card.createdAt,
    });
  }
  return infos.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.version.localeCompare(b.version));
}

/**
 * The default model's directory: the version named in `<modelsDir>/DEFAULT`, else the only model
 * subdirectory. Synchronous (startup-time helper). Throws ModelNotFoundError when there is none or the
 * choice is ambiguous, ModelCardError for a malformed DEFAULT file.
 */
export function defaultModelDir(modelsDir: string = defaultModelsDir()): string {
  const defaultFile = path.join(modelsDir, DEFAULT_MODEL_FILE);
  if (existsSync(defaultFile)) {
    const version = readFileSync(defaultFile, 'utf8').trim();
    if (!version || version.includes('/') || version.includes('\\') || version.startsWith('.')) {
      throw new ModelCardError(`${defaultFile} must contain a model version id, got ${JSON.stringify(version)}`, defaultFile);
    }
    const dir = path.join(modelsDir, version);
    if (!existsSync(path.join(dir, MODEL_CARD_FILE))) {
      throw new ModelNotFoundError(`${defaultFile} names "${version}", but ${dir}/${MODEL_CARD_FILE} does not exist`, dir);
    }
    return dir;
  }
  const dirs = modelSubdirs(modelsDir);
  if (dirs.length === 1) return dirs[0];
  if (dirs.length === 0) throw new ModelNotFoundError(`no model (a subdirectory with ${MODEL_CARD_FILE}) in ${modelsDir}`, modelsDir);
  throw new ModelNotFoundError(
    `${modelsDir} holds ${dirs.length} models (${dirs.map((d) => path.basename(d)).join(', ')}) and no ${DEFAULT_MODEL_FILE} file naming one`,
    modelsDir,
  );
}

function modelSubdirs(modelsDir: string): string[] {
  let entries;
  try {
    entries = readdirSync(modelsDir, { withFileTypes: true });
  } catch (err) {
    throw new ModelNotFoundError(`models directory ${modelsDir} does not exist`, modelsDir, { cause: err });
  }
  return entries
    .filter((e) => e.isDirectory() && existsSync(path.join(modelsDir, e.name, MODEL_CARD_FILE)))
    .map((e) => path.join(modelsDir, e.name))
    .sort();
}
