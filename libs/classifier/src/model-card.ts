import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { KINDS } from '@vegvision/domain';
import { ModelCardError, ModelChecksumError, ModelNotFoundError } from './errors';

export const MODEL_FILE = 'model.onnx';
export const MODEL_CARD_FILE = 'model-card.json';
export const VALIDATION_REFERENCE_FILE = 'validation-reference.json';

/** Rejection ("not a vegetable") methods this library implements. */
export const REJECTION_METHODS = ['max_softmax', 'energy', 'centroid_cosine', 'centroid_distance', 'other_class'] as const;
export type RejectionMethod = (typeof REJECTION_METHODS)[number];

const finite = z.number().finite();
const triple = z.tuple([finite, finite, finite]);

const rejectionSchema = z
  .object({
    method: z.string().min(1),
    threshold: finite,
    /** "score >= threshold" (default; every method but centroid_distance) or "score <= threshold". */
    acceptWhen: z.enum(['score >= threshold', 'score <= threshold']).optional(),
    /** energy: T in T*logsumexp(logits/T); default 1. */
    temperature: z.number().positive().finite().optional(),
    /** centroid_*: one L2-normalised (or not: normalised here) centroid per class, in class order. */
    centroids: z.array(z.array(finite).min(1)).optional(),
  })
  .passthrough();

const cardSchema = z
  .object({
    version: z.string().min(1),
    createdAt: z.string().min(1),
    architecture: z.string(),
    classes: z.array(z.string()),
    input: z
      .object({
        name: z.string().min(1),
        size: z.number().int().positive().max(4096),
        layout: z.literal('NCHW'),
        channels: z.literal('RGB'),
        mean: triple,
        std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
        scale: z.literal('1/255'),
        resize: z.literal('cover-centre-lanczos3'),
      })
      .passthrough(),
    outputs: z
      .object({
        logits: z.string().min(1),
        embedding: z.string().min(1).optional(),
        /** [N, 1] logit of "not a vegetable", in the same softmax as the 15 kinds' logits. */
        other: z.string().min(1).optional(),
      })
      .passthrough(),
    rejection: rejectionSchema,
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits'),
    metrics: z.object({ validationTop1: z.number().min(0).max(1).optional() }).passthrough().default({}),
    training: z.unknown().optional(),
  })
  .passthrough();

export type ModelCard = z.infer<typeof cardSchema> & { rejection: { method: RejectionMethod } };

export interface LoadModelCardOptions {
  /** Hash model.onnx and compare with the card's sha256 (default true). */
  verifyChecksum?: boolean;
}

/** Read, validate and (by default) checksum-verify `<dir>/model-card.json` against `<dir>/model.onnx`. */
export async function loadModelCard(dir: string, options: LoadModelCardOptions = {}): Promise<ModelCard> {
  const verifyChecksum = options.verifyChecksum ?? true;
  const cardPath = path.join(dir, MODEL_CARD_FILE);
  const modelPath = path.join(dir, MODEL_FILE);
  await mustExist(dir, `model directory ${dir} does not exist`, true);
  await mustExist(cardPath, `model card ${cardPath} does not exist`);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(cardPath, 'utf8'));
  } catch (err) {
    throw new ModelCardError(`model card ${cardPath} is not valid JSON: ${(err as Error).message}`, cardPath, {
      cause: err,
    });
  }
  const card = parseModelCard(raw, cardPath);
  await mustExist(modelPath, `model file ${modelPath} does not exist (card ${card.version})`);
  if (verifyChecksum) {
    const actual = await sha256File(modelPath);
    if (actual !== card.sha256.toLowerCase()) throw new ModelChecksumError(modelPath, card.sha256.toLowerCase(), actual);
  }
  return card;
}

/** Validate an already-parsed card object (`where` names it in error messages). */
export function parseModelCard(raw: unknown, where = MODEL_CARD_FILE): ModelCard {
  const parsed = cardSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
      .join('; ');
    throw new ModelCardError(`model card ${where} is invalid: ${issues}`, where);
  }
  const card = parsed.data;
  checkClasses(card.classes, where);
  checkRejection(card, where);
  return card as ModelCard;
}

function checkClasses(classes: readonly string[], where: string): void {
  const same = classes.length === KINDS.length && classes.every((c, i) => c === KINDS[i]);
  if (same) return;
  const firstDiff = KINDS.findIndex((k, i) => classes[i] !== k);
  const detail =
    classes.length !== KINDS.length
      ? `it has ${classes.length} classes`
      : `index ${firstDiff} is ${JSON.stringify(classes[firstDiff])}, expected ${JSON.stringify(KINDS[firstDiff])}`;
  throw new ModelCardError(
    `model card ${where} has a wrong class list (${detail}); expected exactly these 15 in order: ${KINDS.join(', ')}`,
    where,
  );
}

function checkRejection(card: z.infer<typeof cardSchema>, where: string): void {
  const r = card.rejection;
  if (!(REJECTION_METHODS as readonly string[]).includes(r.method)) {
    throw new ModelCardError(
      `model card ${where} uses unknown rejection method ${JSON.stringify(r.method)}; supported: ${REJECTION_METHODS.join(', ')}`,
      where,
    );
  }
  if (r.method === 'other_class' && !card.outputs.other) {
    throw new ModelCardError(`model card ${where}: rejection other_class needs outputs.other`, where);
  }
  if (r.method === 'centroid_cosine' || r.method === 'centroid_distance') {
    if (!card.outputs.embedding) {
      throw new ModelCardError(`model card ${where}: rejection ${r.method} needs outputs.embedding`, where);
    }
    const c = r.centroids;
    if (!c || c.length !== KINDS.length) {
      throw new ModelCardError(
        `model card ${where}: rejection ${r.method} needs rejection.centroids with ${KINDS.length} rows, got ${c ? c.length : 'none'}`,
        where,
      );
    }
    const dim = c[0].length;
    if (c.some((row) => row.length !== dim)) {
      throw new ModelCardError(`model card ${where}: rejection.centroids rows differ in length`, where);
    }
  }
}

async function mustExist(p: string, message: string, directory = false): Promise<void> {
  try {
    const s = await stat(p);
    if (directory ? !s.isDirectory() : !s.isFile()) {
      throw new ModelNotFoundError(`${message} (not a ${directory ? 'directory' : 'file'})`, p);
    }
  } catch (err) {
    if (err instanceof ModelNotFoundError) throw err;
    throw new ModelNotFoundError(message, p, { cause: err });
  }
}

/** Lower-case hex sha256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
