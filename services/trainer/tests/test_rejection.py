import numpy as np
import pytest

from vegtrainer import rejection as rj


def test_threshold_for_acceptance_keeps_target_fraction():
    scores = np.linspace(0, 1, 1000)
    for target in (1.0, 0.995, 0.99, 0.9):
        thr = rj.threshold_for_acceptance(scores, target)
        acc = np.mean(rj.accept(scores, thr))
        assert acc >= target
        assert acc - target < 2 / 1000


def test_rates_and_accept_rule():
    inn = np.array([0.9, 0.95, 0.99, 0.5])
    out = np.array([0.1, 0.6, 0.96])
    acc, rej = rj.rates(inn, out, 0.9)
    assert acc == pytest.approx(0.75)
    assert rej == pytest.approx(2 / 3)
    assert rj.accept(np.array([0.9]), 0.9)[0]  # score == threshold is accepted


def test_scores():
    logits = np.array([[10.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    ms = rj.max_softmax(logits)
    assert ms[0] > 0.99 and ms[1] == pytest.approx(1 / 3)
    en = rj.neg_energy(logits)
    assert en[1] == pytest.approx(1 + np.log(3))
    emb = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    cents = rj.class_centroids(emb[:2], np.array([0, 1]), 2)
    cos = rj.centroid_cosine(emb, cents)
    np.testing.assert_allclose(cos, [1.0, 1.0, np.sqrt(0.5)], atol=1e-9)


def test_auroc():
    assert rj.auroc(np.array([2.0, 3.0]), np.array([0.0, 1.0])) == pytest.approx(1.0)
    assert rj.auroc(np.array([0.0, 1.0]), np.array([2.0, 3.0])) == pytest.approx(0.0)
    assert rj.auroc(np.array([1.0]), np.array([1.0])) == pytest.approx(0.5)


def test_invalid_target():
    with pytest.raises(ValueError):
        rj.threshold_for_acceptance(np.array([0.5]), 0.0)
