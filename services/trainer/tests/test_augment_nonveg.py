import numpy as np
from PIL import Image

from vegtrainer.augment import augment, perturb
from vegtrainer.nonveg import CALIBRATION_NATURAL, REPORT_NATURAL, SEED_BASE, SYNTHETIC_KINDS, make_set, synthetic


def _img():
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, size=(224, 224, 3), dtype=np.uint8))


def test_perturb_is_deterministic():
    a = np.asarray(perturb(_img(), 7))
    b = np.asarray(perturb(_img(), 7))
    assert a.shape == (224, 224, 3)
    assert np.array_equal(a, b)


def test_augment_output():
    out = augment(_img(), np.random.default_rng(3))
    assert out.size == (224, 224) and out.mode == "RGB"


def test_synthetic_kinds():
    for k in SYNTHETIC_KINDS:
        im = synthetic(k, np.random.default_rng(1))
        assert im.size == (224, 224) and im.mode == "RGB"


def test_calibration_and_report_sets_are_disjoint():
    assert not set(CALIBRATION_NATURAL) & set(REPORT_NATURAL)
    bases = sorted(SEED_BASE.values())
    assert all(b - a >= 1_000_000 for a, b in zip(bases, bases[1:]))
    cal = make_set("calibration", 8)
    rep = make_set("report", 8)
    assert not any(np.array_equal(np.asarray(a), np.asarray(b)) for (_, a), (_, b) in zip(cal, rep))
