/** Base class of every error thrown by @vegvision/classifier; `code` is stable, `message` is for humans. */
export class ClassifierError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClassifierError';
  }
}

/** The model directory, `model-card.json` or `model.onnx` does not exist. */
export class ModelNotFoundError extends ClassifierError {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super('model_not_found', message, options);
    this.name = 'ModelNotFoundError';
  }
}

/** `model-card.json` is malformed JSON, misses keys, has a wrong class list or an unknown rejection rule. */
export class ModelCardError extends ClassifierError {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super('model_card_invalid', message, options);
    this.name = 'ModelCardError';
  }
}

/** The ONNX graph's inputs/outputs do not match the card (names, rank, channels, size, 15 logits). */
export class ModelShapeError extends ClassifierError {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super('model_shape_mismatch', message, options);
    this.name = 'ModelShapeError';
  }
}

/** The sha256 of `model.onnx` differs from the card's `sha256`. */
export class ModelChecksumError extends ClassifierError {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'model_checksum_mismatch',
      `sha256 of ${path} is ${actual}, but model-card.json says ${expected}: the model file and its card do not belong together`,
    );
    this.name = 'ModelChecksumError';
  }
}

/** onnxruntime could not open the model file (corrupt or unsupported ONNX). */
export class ModelLoadError extends ClassifierError {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super('model_load_failed', message, options);
    this.name = 'ModelLoadError';
  }
}

/** The image handed to classify()/preprocess() is not usable (undecodable bytes, wrong channel count, bad size). */
export class ClassifierInputError extends ClassifierError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('classifier_input_invalid', message, options);
    this.name = 'ClassifierInputError';
  }
}

/** classify() was called after close(). */
export class ClassifierClosedError extends ClassifierError {
  constructor() {
    super('classifier_closed', 'the classifier has been closed');
    this.name = 'ClassifierClosedError';
  }
}
