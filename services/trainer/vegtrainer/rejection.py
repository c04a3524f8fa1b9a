""""Not a vegetable" rejection: scores computed from the model outputs and threshold selection.

Every score is "higher = more vegetable-like"; an image is accepted as a vegetable when
``score >= threshold``.
"""

from __future__ import annotations

import numpy as np

METHODS = ("max_softmax", "energy", "centroid_cosine")


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def max_softmax(logits: np.ndarray) -> np.ndarray:
    return softmax(np.asarray(logits, dtype=np.float64)).max(axis=1)


def neg_energy(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """-E(x) = T * logsumexp(logits / T)."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    m = z.max(axis=1, keepdims=True)
    return temperature * (m[:, 0] + np.log(np.exp(z - m).sum(axis=1)))


def l2n(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def class_centroids(embeddings: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    e = l2n(embeddings)
    return l2n(np.stack([e[labels == c].mean(axis=0) for c in range(num_classes)]))


def centroid_cosine(embeddings: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    return (l2n(embeddings) @ l2n(centroids).T).max(axis=1)


def score(method: str, logits: np.ndarray, embeddings: np.ndarray | None = None,
          centroids: np.ndarray | None = None) -> np.ndarray:
    if method == "max_softmax":
        return max_softmax(logits)
    if method == "energy":
        return neg_energy(logits)
    if method == "centroid_cosine":
        if embeddings is None or centroids is None:
            raise ValueError("centroid_cosine needs embeddings and centroids")
        return centroid_cosine(embeddings, centroids)
    raise ValueError(f"unknown method {method!r}")


def accept(scores: np.ndarray, threshold: float) -> np.ndarray:
    return np.asarray(scores) >= threshold


def threshold_for_acceptance(in_scores: np.ndarray, target_acceptance: float) -> float:
    """Largest threshold that still accepts at least ``target_acceptance`` of ``in_scores``."""
    s = np.sort(np.asarray(in_scores, dtype=np.float64))
    n = len(s)
    if n == 0:
        raise ValueError("no in-distribution scores")
    if not 0.0 < target_acceptance <= 1.0:
        raise ValueError("target_acceptance must be in (0, 1]")
    k = int(np.floor((1.0 - target_acceptance) * n + 1e-9))  # may reject at most k images
    return float(s[min(k, n - 1)])


def rates(in_scores: np.ndarray, out_scores: np.ndarray, threshold: float) -> tuple[float, float]:
    """(acceptance rate of in-distribution, rejection rate of out-of-distribution)."""
    acc = float(np.mean(accept(in_scores, threshold))) if len(in_scores) else float("nan")
    rej = float(np.mean(~accept(out_scores, threshold))) if len(out_scores) else float("nan")
    return acc, rej


def auroc(in_scores: np.ndarray, out_scores: np.ndarray) -> float:
    """Probability that a random vegetable scores higher than a random non-vegetable (ties count 1/2)."""
    a = np.asarray(in_scores, dtype=np.float64)
    b = np.asarray(out_scores, dtype=np.float64)
    allv = np.concatenate([a, b])
    order = allv.argsort(kind="mergesort")
    ranks = np.empty(len(allv), dtype=np.float64)
    ranks[order] = np.arange(1, len(allv) + 1)
    # average ranks for ties
    sv = allv[order]
    i = 0
    while i < len(sv):
        j = i
        while j + 1 < len(sv) and sv[j + 1] == sv[i]:
            j += 1
        if j > i:
            ranks[order[i : j + 1]] = (i + j + 2) / 2.0
        i = j + 1
    r_in = ranks[: len(a)].sum()
    return float((r_in - len(a) * (len(a) + 1) / 2.0) / (len(a) * len(b)))
