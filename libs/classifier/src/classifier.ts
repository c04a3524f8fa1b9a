import * as path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { KINDS, NOT_A_VEGETABLE, type Kind, type Label } from '@vegvision/domain';
import {
  ClassifierClosedError,
  ClassifierError,
  ClassifierInputError,
  ModelLoadError,
  ModelShapeError,
} from './errors';
import { ConcurrencyLimiter } from './limiter';
import { MODEL_FILE, loadModelCard, type ModelCard } from './model-card';
import { decodeToRgb, normalizeToChw, resizeCover, type DecodedRgbImage } from './preprocess';
import { rejectionRule, softmax, type RejectionRule } from './rejection';

/** An encoded image (JPEG/PNG/WebP/AVIF/HEIC bytes) or already-decoded RGB pixels. */
export type ClassifierInput = Uint8Array | DecodedRgbImage;

export interface ClassifierOptions {
  /** onnxruntime intra-op threads (default: onnxruntime's default, one per core). */
  intraOpNumThreads?: number;
  /** onnxruntime inter-op threads (default: onnxruntime's default). */
  interOpNumThreads?: number;
  /** How many classes `top` lists (1..15, default 3). */
  topK?: number;
  /** At most this many preprocess+inference chunks in flight at once; the rest queue (default 2). */
  maxConcurrentRuns?: number;
  /** classifyBatch() splits larger batches into runs of at most this many images (default 32). */
  maxBatchSize?: number;
  /** Verify model.onnx against the card's sha256 before loading (default true). */
  verifyChecksum?: boolean;
}

export interface KindConfidence {
  kind: Kind;
  confidence: number;
}

export interface Classification {
  /** The predicted kind, or `not_a_vegetable` when the card's rejection rule fires. */
  kind: Label;
  /** Top-1 kind regardless of rejection. */
  predictedKind: Kind;
  /**
   * Probability of the top-1 kind. For a model with a "not a vegetable" output it is the calibrated probability
   * that the photo shows this kind (the 16-way softmax); otherwise the softmax over the 15 kinds.
   */
  confidence: number;
  /** P(not a vegetable), for a model with a "not a vegetable" output; undefined for older models. */
  notVegetableProbability?: number;
  /** Top-k kinds by softmax probability, descending. */
  top: KindConfidence[];
  /** The model's 15 raw logits, in KINDS order. */
  logits: Float32Array;
  rejected: boolean;
  /** The rejection rule's score for this image (see the card's rejection.method). */
  rejectionScore: number;
  modelVersion: string;
}

function optionError(message: string): ClassifierError {
  return new ClassifierError('classifier_option_invalid', message);
}

function positiveInt(name: string, v: number | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 1 || v > max) throw optionError(`${name} must be an integer in 1..${max}, got ${v}`);
  return v;
}

/** Loads one model directory (model.onnx + model-card.json) and classifies images with ONE reused session. */
export class VegetableClassifier {
  private readonly limiter: ConcurrencyLimiter;
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly session: InferenceSession,
    readonly card: ModelCard,
    readonly dir: string,
    private readonly rule: RejectionRule,
    private readonly topK: number,
    private readonly maxBatchSize: number,
    maxConcurrentRuns: number,
  ) {
    this.limiter = new ConcurrencyLimiter(maxConcurrentRuns);
  }

  get modelVersion(): string {
    return this.card.version;
  }

  /** Same as modelVersion. */
  get version(): string {
    return this.card.version;
  }

  get inputSize(): number {
    return this.card.input.size;
  }

  static async load(dir: string, options: ClassifierOptions = {}): Promise<VegetableClassifier> {
    const topK = positiveInt('topK', options.topK, KINDS.length) ?? 3;
    const maxConcurrentRuns = positiveInt('maxConcurrentRuns', options.maxConcurrentRuns, 64) ?? 2;
    const maxBatchSize = positiveInt('maxBatchSize', options.maxBatchSize, 4096) ?? 32;
    const intraOpNumThreads = positiveInt('intraOpNumThreads', options.intraOpNumThreads, 1024);
    const interOpNumThreads = positiveInt('interOpNumThreads', options.interOpNumThreads, 1024);

    const card = await loadModelCard(dir, { verifyChecksum: options.verifyChecksum ?? true });
    const rule = rejectionRule(card);
    const modelPath = path.join(dir, MODEL_FILE);
    const sessionOptions: InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(intraOpNumThreads !== undefined ? { intraOpNumThreads } : {}),
      ...(interOpNumThreads !== undefined ? { interOpNumThreads } : {}),
    };
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(modelPath, sessionOptions);
    } catch (err) {
      throw new ModelLoadError(`onnxruntime could not load ${modelPath}: ${(err as Error).message}`, modelPath, {
        cause: err,
      });
    }
    try {
      checkSessionMetadata(session, card, modelPath);
      await checkDummyRun(session, card, rule, modelPath);
    } catch (err) {
      await session.release().catch(() => undefined);
      throw err;
    }
    return new VegetableClassifier(session, card, dir, rule, topK, maxBatchSize, maxConcurrentRuns);
  }

  /** Classify one image. */
  async classify(input: ClassifierInput): Promise<Classification> {
    const [result] = await this.classifyBatch([input]);
    return result;
  }

  /** Classify several images; they go through onnxruntime as one batch (split at maxBatchSize). */
  async classifyBatch(inputs: readonly ClassifierInput[]): Promise<Classification[]> {
    this.assertOpen();
    if (!Array.isArray(inputs)) throw new ClassifierInputError('classifyBatch expects an array of images');
    const chunks: Array<Promise<Classification[]>> = [];
    for (let i = 0; i < inputs.length; i += this.maxBatchSize) {
      const chunk = inputs.slice(i, i + this.maxBatchSize);
      chunks.push(this.limiter.run(() => this.runChunk(chunk)));
    }
    return (await Promise.all(chunks)).flat();
  }

  /** Release the onnxruntime session (waits for in-flight runs). Idempotent. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = this.limiter.onIdle().then(() => this.session.release());
    }
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClassifierClosedError();
  }

  private async runChunk(inputs: readonly ClassifierInput[]): Promise<Classification[]> {
    this.assertOpen();
    const { size, mean, std, name } = this.card.input;
    const plane = 3 * size * size;
    const tensorData = new Float32Array(inputs.length * plane);
    await Promise.all(
      inputs.map(async (input, i) => {
        const decoded = input instanceof Uint8Array ? await decodeToRgb(input) : input;
        if (!decoded || typeof decoded !== 'object' || !(decoded.data instanceof Uint8Array)) {
          throw new ClassifierInputError(`image ${i} is neither encoded bytes nor a decoded RGB image`);
        }
        normalizeToChw(await resizeCover(decoded, size), size, mean, std, tensorData, i * plane);
      }),
    );
    const n = inputs.length;
    const { logits: logitsName, embedding: embeddingName, other: otherName } = this.card.outputs;
    const wantEmbedding = this.rule.needsEmbedding && embeddingName !== undefined;
    // Every output is fetched and picked by name: onnxruntime-node 1.22 answers a list of fetch names with the
    // graph's first outputs in order, whatever the names (measured), and the outputs are computed anyway.
    const out = await this.session.run({ [name]: new Tensor('float32', tensorData, [n, 3, size, size]) });
    const logits = out[logitsName].data as Float32Array;
    const emb = wantEmbedding ? (out[embeddingName].data as Float32Array) : undefined;
    const other = otherName ? (out[otherName].data as Float32Array) : undefined;
    const k = KINDS.length;
    const embDim = emb ? emb.length / n : 0;
    const results: Classification[] = [];
    for (let i = 0; i < n; i++) {
      const l = logits.slice(i * k, (i + 1) * k);
      results.push(this.interpret(l, emb ? emb.subarray(i * embDim, (i + 1) * embDim) : undefined, other?.[i]));
    }
    return results;
  }

  private interpret(logits: Float32Array, embedding: Float32Array | undefined, other: number | undefined): Classification {
    const all = softmax(logits, other);
    const probs = other === undefined ? all : all.subarray(0, KINDS.length);
    const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
    const top = order.slice(0, this.topK).map((i) => ({ kind: KINDS[i], confidence: probs[i] }));
    const predictedKind = KINDS[order[0]];
    const rejectionScore = this.rule.score(logits, embedding, other);
    const rejected = !this.rule.accepts(rejectionScore);
    return {
      kind: rejected ? NOT_A_VEGETABLE : predictedKind,
      predictedKind,
      confidence: probs[order[0]],
      ...(other === undefined ? {} : { notVegetableProbability: all[KINDS.length] }),
      top,
      logits,
      rejected,
      rejectionScore,
      modelVersion: this.card.version,
    };
  }
}

function describeShape(shape: ReadonlyArray<number | string>): string {
  return `[${shape.join(', ')}]`;
}

function tensorMeta(
  list: readonly InferenceSession.ValueMetadata[] | undefined,
  name: string,
): InferenceSession.TensorValueMetadata | undefined {
  const m = list?.find((v) => v.name === name);
  return m && m.isTensor ? m : undefined;
}

function checkSessionMetadata(session: InferenceSession, card: ModelCard, modelPath: string): void {
  const { name, size } = card.input;
  if (session.inputNames.length !== 1 || session.inputNames[0] !== name) {
    throw new ModelShapeError(
      `${modelPath} has inputs [${session.inputNames.join(', ')}], the card expects exactly one input "${name}"`,
      modelPath,
    );
  }
  const wanted = [
    card.outputs.logits,
    ...(card.outputs.embedding ? [card.outputs.embedding] : []),
    ...(card.outputs.other ? [card.outputs.other] : []),
  ];
  const missing = wanted.filter((o) => !session.outputNames.includes(o));
  if (missing.length) {
    throw new ModelShapeError(
      `${modelPath} lacks output(s) ${missing.map((m) => `"${m}"`).join(', ')} named by the card (it has [${session.outputNames.join(', ')}])`,
      modelPath,
    );
  }
  const inMeta = tensorMeta(session.inputMetadata, name);
  if (inMeta && inMeta.shape.length > 0) {
    const s = inMeta.shape;
    const fits = (d: number | string, want: number) => typeof d === 'string' || d === want || d === -1;
    if (s.length !== 4 || !fits(s[1], 3) || !fits(s[2], size) || !fits(s[3], size)) {
      throw new ModelShapeError(
        `${modelPath} input "${name}" has shape ${describeShape(s)}, expected [N, 3, ${size}, ${size}] (NCHW, size from the card)`,
        modelPath,
      );
    }
    if (inMeta.type !== 'float32') {
      throw new ModelShapeError(`${modelPath} input "${name}" is ${inMeta.type}, expected float32`, modelPath);
    }
  }
  const outMeta = tensorMeta(session.outputMetadata, card.outputs.logits);
  if (outMeta && outMeta.shape.length > 0) {
    const last = outMeta.shape[outMeta.shape.length - 1];
    if (outMeta.shape.length !== 2 || (typeof last === 'number' && last !== KINDS.length && last !== -1)) {
      throw new ModelShapeError(
        `${modelPath} output "${card.outputs.logits}" has shape ${describeShape(outMeta.shape)}, expected [N, ${KINDS.length}]`,
        modelPath,
      );
    }
  }
}

async function checkDummyRun(
  session: InferenceSession,
  card: ModelCard,
  rule: RejectionRule,
  modelPath: string,
): Promise<void> {
  const { name, size } = card.input;
  let out: InferenceSession.ReturnType;
  try {
    out = await session.run({ [name]: new Tensor('float32', new Float32Array(3 * size * size), [1, 3, size, size]) });
  } catch (err) {
    throw new ModelShapeError(
      `${modelPath} does not run on a [1, 3, ${size}, ${size}] float32 input: ${(err as Error).message}`,
      modelPath,
      { cause: err },
    );
  }
  const logits = out[card.outputs.logits] as Tensor;
  if (logits.type !== 'float32' || logits.dims.length !== 2 || logits.dims[0] !== 1 || logits.dims[1] !== KINDS.length) {
    throw new ModelShapeError(
      `${modelPath} output "${card.outputs.logits}" is ${logits.type} ${describeShape(logits.dims)} for a batch of 1, expected float32 [1, ${KINDS.length}]`,
      modelPath,
    );
  }
  if (card.outputs.embedding) {
    const emb = out[card.outputs.embedding] as Tensor;
    if (emb.type !== 'float32' || emb.dims.length !== 2 || emb.dims[0] !== 1) {
      throw new ModelShapeError(
        `${modelPath} output "${card.outputs.embedding}" is ${emb.type} ${describeShape(emb.dims)} for a batch of 1, expected float32 [1, D]`,
        modelPath,
      );
    }
    const centroidDim = card.rejection.centroids?.[0]?.length;
    if (rule.needsEmbedding && centroidDim !== emb.dims[1]) {
      throw new ModelShapeError(
        `${modelPath} embedding has ${emb.dims[1]} values but the card's rejection centroids have ${centroidDim}`,
        modelPath,
      );
    }
  }
  if (card.outputs.other) {
    const other = out[card.outputs.other] as Tensor;
    if (other.type !== 'float32' || other.dims.length !== 2 || other.dims[0] !== 1 || other.dims[1] !== 1) {
      throw new ModelShapeError(
        `${modelPath} output "${card.outputs.other}" is ${other.type} ${describeShape(other.dims)} for a batch of 1, expected float32 [1, 1]`,
        modelPath,
      );
    }
  }
  for (const t of Object.values(out)) (t as Tensor).dispose?.();
}
