import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from vegtrainer import realsplit as rs
from vegtrainer.classes import CLASSES


def picture(seed: int, size=(120, 90)) -> Image.Image:
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", size, tuple(int(v) for v in rng.integers(0, 256, 3)))
    d = ImageDraw.Draw(img)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, size[0] - 20)), int(rng.integers(0, size[1] - 20))
        d.ellipse([x0, y0, x0 + int(rng.integers(15, 60)), y0 + int(rng.integers(15, 60))],
                  fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    return img


def make_tree(root, extra=None):
    """One photo per kind, a few negatives, plus ``extra`` {rel: image}."""
    for k, c in enumerate(CLASSES):
        (root / c).mkdir(parents=True)
        for j in range(2):
            picture(100 * k + j).save(root / c / f"src{j}__{c.lower()}.jpg", quality=92)
    (root / "_negative").mkdir()
    for j in range(4):
        picture(5000 + j).save(root / "_negative" / f"src__thing{j}.jpg", quality=92)
    for rel, img in (extra or {}).items():
        img.save(root / rel, quality=80)


def test_near_copies_share_a_group_even_mirrored_rotated_or_resized(tmp_path):
    base = picture(100 * CLASSES.index("Tomato"))
    make_tree(tmp_path, {
        "Tomato/other-site__tomato-small.jpg": base.resize((60, 45), Image.LANCZOS),
        "Tomato/SAakash001food__mirrored.jpg": base.transpose(Image.FLIP_LEFT_RIGHT),
        "Tomato/SAakash001food__rotated.jpg": base.rotate(90, expand=True),
    })
    m = rs.make_manifest(tmp_path, validation_fraction=0.5, max_distance=8, seed=1)
    by_file = {it["file"]: it for it in m["items"]}
    g = by_file["Tomato/src0__tomato.jpg"]["group"]
    for rel in ("Tomato/other-site__tomato-small.jpg", "Tomato/SAakash001food__mirrored.jpg", "Tomato/SAakash001food__rotated.jpg"):
        assert by_file[rel]["group"] == g, rel
        assert by_file[rel]["split"] == by_file["Tomato/src0__tomato.jpg"]["split"]
    # unrelated pictures stay apart
    assert by_file["Carrot/src0__carrot.jpg"]["group"] != g


def test_every_label_is_on_both_sides_and_no_group_is_split(tmp_path):
    make_tree(tmp_path)
    m = rs.make_manifest(tmp_path, validation_fraction=0.5, seed=3)
    for lab, s in m["summary"].items():
        assert s["train"] >= 1 and s["validation"] >= 1, lab
    sides = {}
    for it in m["items"]:
        sides.setdefault(it["group"], set()).add(it["split"])
    assert all(len(v) == 1 for v in sides.values())


def test_manifest_round_trip_and_changed_files_are_refused(tmp_path):
    make_tree(tmp_path / "photos")
    m = rs.make_manifest(tmp_path / "photos", validation_fraction=0.5, seed=3)
    path = tmp_path / "split.json"
    path.write_text(rs.dump_manifest(m))
    assert json.loads(path.read_text())["items"] == m["items"]
    photos = rs.load_manifest(path, tmp_path / "photos")
    assert len(photos) == len(m["items"])
    assert {p.label for p in photos} == set(range(len(rs.LABELS)))
    picture(1).save(tmp_path / "photos" / "Bean" / "src0__bean.jpg")  # different bytes
    with pytest.raises(ValueError, match="1 changed"):
        rs.load_manifest(path, tmp_path / "photos")


def test_committed_split_is_consistent():
    from pathlib import Path

    m = json.loads((Path(rs.__file__).resolve().parent.parent / "splits" / "real-photos-v1.json").read_text())
    assert m["format"] == rs.MANIFEST_FORMAT
    sides = {}
    for it in m["items"]:
        sides.setdefault(it["group"], set()).add(it["split"])
    assert all(len(v) == 1 for v in sides.values()), "a near-duplicate group is on both sides"
    for lab, s in m["summary"].items():
        assert s["validation"] >= 5 and s["train"] > s["validation"], lab
