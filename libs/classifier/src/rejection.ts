import type { ModelCard, RejectionMethod } from './model-card';

/** Numerically stable softmax in float64 (`extra`, when given, is one more logit after the others). */
export function softmax(logits: ArrayLike<number>, extra?: number): Float64Array {
  if (extra !== undefined) return softmax([...Array.from(logits), extra]);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** T * logsumexp(logits / T) (the negative free energy; higher = more in-distribution). */
export function negEnergy(logits: ArrayLike<number>, temperature = 1): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] / temperature);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] / temperature - max);
  return temperature * (max + Math.log(sum));
}

function l2normalize(v: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  const d = Math.max(Math.sqrt(n), 1e-12);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / d;
  return out;
}

export interface RejectionRule {
  readonly method: RejectionMethod;
  readonly threshold: number;
  readonly needsEmbedding: boolean;
  readonly needsOther: boolean;
  /**
   * Score of one image (higher = more vegetable-like, except centroid_distance). `other` is the
   * "not a vegetable" logit of models that have one (other_class: the score is P(vegetable)).
   */
  score(logits: ArrayLike<number>, embedding?: ArrayLike<number>, other?: number): number;
  accepts(score: number): boolean;
}

/** Build the rejection rule a (validated) model card describes. */
export function rejectionRule(card: ModelCard): RejectionRule {
  const r = card.rejection;
  const method = r.method;
  const threshold = r.threshold;
  const acceptWhen = r.acceptWhen ?? (method === 'centroid_distance' ? 'score <= threshold' : 'score >= threshold');
  const accepts = acceptWhen === 'score >= threshold' ? (s: number) => s >= threshold : (s: number) => s <= threshold;
  const centroids = (r.centroids ?? []).map(l2normalize);
  const needsEmbedding = method === 'centroid_cosine' || method === 'centroid_distance';
  const requireEmbedding = (e: ArrayLike<number> | undefined): Float64Array => {
    if (!e) throw new Error(`rejection ${method} needs the embedding output`);
    if (e.length !== centroids[0].length) {
      throw new Error(`embedding has ${e.length} values, centroids have ${centroids[0].length}`);
    }
    return l2normalize(e);
  };
  const needsOther = method === 'other_class';
  const score = (logits: ArrayLike<number>, embedding?: ArrayLike<number>, other?: number): number => {
    switch (method) {
      case 'other_class': {
        if (other === undefined) throw new Error('rejection other_class needs the "other" output');
        const p = softmax(logits, other);
        return 1 - p[p.length - 1];
      }
      case 'max_softmax': {
        const p = softmax(logits);
        let m = 0;
        for (const v of p) m = Math.max(m, v);
        return m;
      }
      case 'energy':
        return negEnergy(logits, r.temperature ?? 1);
      case 'centroid_cosine': {
        const e = requireEmbedding(embedding);
        let best = -Infinity;
        for (const c of centroids) best = Math.max(best, dot(e, c));
        return best;
      }
      case 'centroid_distance': {
        const e = requireEmbedding(embedding);
        let best = Infinity;
        // |e - c|^2 = 2 - 2 cos for unit vectors
        for (const c of centroids) best = Math.min(best, Math.sqrt(Math.max(0, 2 - 2 * dot(e, c))));
        return best;
      }
    }
  };
  return { method, threshold, needsEmbedding, needsOther, score, accepts };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
