// What the labelling pool's main thread and its worker threads say to each other, and how an
// error thrown in a worker comes back as the same class (and code) the main thread would throw:
// the consumers' failure policy (jobs/failure-policy.ts) tells retried from dead-lettered
// failures by class.
import {
  ClassifierError,
  ClassifierInputError,
  ModelCardError,
  ModelChecksumError,
  ModelLoadError,
  ModelNotFoundError,
  ModelShapeError,
  type Classification,
} from '@vegvision/classifier';
import { InvalidPixelsError, type ColourDetection, type ColourVariant } from '@vegvision/colour';
import {
  EmptyImageError,
  ImageDecodeError,
  ImageTooLargeError,
  UnsupportedImageTypeError,
  type ImageLimits,
  type ImageTooLargeReason,
} from '@vegvision/imaging';

/** One image to analyse: its encoded bytes and the parts wanted. */
export interface AnalysisJob {
  /** The encoded original (JPEG, PNG, WebP, AVIF, HEIC). */
  bytes: ArrayBuffer;
  limits?: Partial<ImageLimits>;
  /** Classify with the model in this folder (model.onnx + model-card.json). */
  modelDir?: string;
  /** Colour measures wanted, one per variant. */
  colours?: readonly ColourVariant[];
}

/** What analysing one image gave: only small results travel back, never pixels. */
export interface Analysis {
  classification?: Classification;
  colours: Partial<Record<ColourVariant, ColourDetection>>;
}

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  fields: Record<string, unknown>;
}

export type WorkerRequest =
  | { type: 'analyse'; batch: number; jobs: AnalysisJob[] }
  | { type: 'load'; batch: number; modelDir?: string }
  | { type: 'close' };

export type JobReply = { ok: true; analysis: Analysis } | { ok: false; error: SerializedError };

export type WorkerReply =
  | { type: 'analysed'; batch: number; replies: JobReply[] }
  | { type: 'loaded'; batch: number; error?: SerializedError }
  | { type: 'closed' };

/** An error as plain data (structured clone keeps no class). */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(error)) {
    if (k === 'cause') continue;
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v;
  }
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, code: typeof code === 'string' ? code : undefined, stack: error.stack, fields };
}

/** The model errors that carry the message and the model file's path. */
const MODEL_FILE_ERRORS = { ModelNotFoundError, ModelCardError, ModelShapeError, ModelLoadError } as const;

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** The error again, as an instance of the class it was thrown as (a plain Error, code kept, for any other). */
export function deserializeError(e: SerializedError): Error {
  const f = e.fields;
  let error: Error;
  switch (e.name) {
    case 'UnsupportedImageTypeError':
      error = new UnsupportedImageTypeError(str(f['detected']), e.message);
      break;
    case 'ImageDecodeError':
      error = new ImageDecodeError(e.message, typeof f['detail'] === 'string' ? f['detail'] : undefined);
      break;
    case 'ImageTooLargeError':
      error = new ImageTooLargeError(str(f['reason']) as ImageTooLargeReason, num(f['actual']), num(f['limit']), e.message);
      break;
    case 'EmptyImageError':
      error = new EmptyImageError();
      break;
    case 'InvalidPixelsError':
      error = new InvalidPixelsError(e.message);
      break;
    case 'ClassifierInputError':
      error = new ClassifierInputError(e.message);
      break;
    case 'ModelNotFoundError':
    case 'ModelCardError':
    case 'ModelShapeError':
    case 'ModelLoadError':
      error = new MODEL_FILE_ERRORS[e.name](e.message, str(f['path']));
      break;
    case 'ModelChecksumError':
      error = new ModelChecksumError(str(f['path']), str(f['expected']), str(f['actual']));
      break;
    case 'ClassifierError':
      error = new ClassifierError(e.code ?? 'classifier_error', e.message);
      break;
    default:
      error = Object.assign(new Error(e.message), e.code === undefined ? {} : { code: e.code });
      error.name = e.name;
  }
  if (e.stack) error.stack = e.stack;
  return error;
}
