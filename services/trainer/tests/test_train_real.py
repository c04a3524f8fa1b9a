import numpy as np
import pytest
import torch

from vegtrainer.real_report import choose_threshold
from vegtrainer.train_real import K, fit_temperature, real_scores


def test_fit_temperature_recovers_the_temperature_of_the_data():
    rng = np.random.default_rng(0)
    true = rng.normal(0, 2, size=(4000, K + 1))
    y = np.array([rng.choice(K + 1, p=np.exp(z) / np.exp(z).sum()) for z in true])
    # logits that are 3x too confident: the fitted temperature undoes it
    assert fit_temperature(3 * true, y) == pytest.approx(3.0, rel=0.1)


def test_threshold_refuses_at_least_the_target_share_of_negatives():
    rng = np.random.default_rng(1)
    n_veg, n_neg = 300, 200
    y = np.concatenate([rng.integers(0, K, n_veg), np.full(n_neg, K)])
    logits = rng.normal(0, 1, size=(n_veg + n_neg, K + 1))
    logits[np.arange(n_veg), y[:n_veg]] += 4           # vegetables: their kind stands out
    logits[n_veg:, K] += rng.normal(2.5, 1.5, n_neg)    # negatives: mostly "other"
    kag_y = rng.integers(0, K, 100)
    kag = rng.normal(0, 1, size=(100, K + 1))
    kag[np.arange(100), kag_y] += 6
    t = choose_threshold(logits, y, kag, kag_y, 0.9)
    assert t["realNegativesRefused"] >= 0.9
    s = real_scores(logits, y, 0.9)
    assert 0.9 <= s["negativesRefused"] <= 0.91 and s["auroc"] > 0.8


def test_exported_graph_has_the_three_outputs_with_the_temperature_folded_in():
    from vegtrainer.backbones import load_backbone
    from vegtrainer.train_real import Exported, VegHead

    b = load_backbone("lite0", cut=15)
    head = VegHead(b).eval()
    x = torch.randn(2, 3, 96, 96)
    with torch.no_grad():
        l16, _ = head.forward_from_trunk(b.trunk(x))
        logits, other, emb = Exported(head, 2.0).eval()(x)
    assert logits.shape == (2, K) and other.shape == (2, 1) and emb.shape == (2, 1280)
    torch.testing.assert_close(torch.cat([logits, other], 1), l16 / 2.0)
