from pathlib import Path

import pytest
from PIL import Image

from vegtrainer.classes import CLASSES, NUM_CLASSES
from vegtrainer.data import ForbiddenSplitError, list_split, split_dir

EXPECTED = ["Bean", "Bitter_Gourd", "Bottle_Gourd", "Brinjal", "Broccoli", "Cabbage", "Capsicum", "Carrot",
            "Cauliflower", "Cucumber", "Papaya", "Potato", "Pumpkin", "Radish", "Tomato"]


def test_class_order_is_fixed():
    assert list(CLASSES) == EXPECTED
    assert NUM_CLASSES == 15


def _tiny_dataset(root: Path, split: str, per_class: int = 1) -> None:
    for c in CLASSES:
        d = root / split / c
        d.mkdir(parents=True)
        for i in range(per_class):
            Image.new("RGB", (8, 8), (i, 0, 0)).save(d / f"{i:04d}.jpg")


def test_list_split_sorted_by_class_index(tmp_path):
    _tiny_dataset(tmp_path, "train", 2)
    samples = list_split(tmp_path, "train")
    assert len(samples) == 30
    assert [s.label for s in samples] == sorted(s.label for s in samples)
    assert samples[0].rel == "Bean/0000.jpg"
    assert samples[-1].rel == "Tomato/0001.jpg"


@pytest.mark.parametrize("split", ["test", "Test", "testing", "../test", "holdout"])
def test_refuses_test_split(tmp_path, split):
    _tiny_dataset(tmp_path, "test")
    with pytest.raises(ForbiddenSplitError):
        list_split(tmp_path, split)


def test_refuses_root_inside_test_folder(tmp_path):
    root = tmp_path / "test"
    _tiny_dataset(root, "train")
    with pytest.raises(ForbiddenSplitError):
        split_dir(root, "train")


def test_unknown_class_folder_rejected(tmp_path):
    _tiny_dataset(tmp_path, "validation")
    (tmp_path / "validation" / "Onion").mkdir()
    with pytest.raises(ValueError):
        list_split(tmp_path, "validation")
