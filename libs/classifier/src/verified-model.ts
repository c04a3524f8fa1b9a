// A model version checked to load and run, without keeping its ONNX session: what a process
// needs to name, choose and hand a model to the threads that run it (each loads its own session).
import { VegetableClassifier, type ClassifierOptions } from './classifier';
import type { ModelCard } from './model-card';

export interface VerifiedModel {
  readonly version: string;
  /** The model's folder (model.onnx, model-card.json). */
  readonly dir: string;
  readonly card: ModelCard;
}

/**
 * Loads the model in `dir` as VegetableClassifier.load does (card, checksum, session metadata, a
 * dummy run), then releases the session: about 50 MB of native memory for a 14 MB model that this
 * process would otherwise hold without running it. Throws what VegetableClassifier.load throws.
 */
export async function verifyModel(dir: string, options: Pick<ClassifierOptions, 'verifyChecksum'> = {}): Promise<VerifiedModel> {
  const classifier = await VegetableClassifier.load(dir, { ...options, intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    return Object.freeze({ version: classifier.version, dir: classifier.dir, card: classifier.card });
  } finally {
    await classifier.close();
  }
}
