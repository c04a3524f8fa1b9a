"""Sets exported by `vegvision export training-set` -> training input of train_real (--extra-set)."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vegtrainer import extraset as xs
from vegtrainer.real_report import extra_sets_lines, extra_sets_sentence
from vegtrainer.realsplit import LABELS, MANIFEST_FORMAT, RealPhoto
from vegtrainer.train_real import OTHER, parse_args, real_train_items

REAL_MANIFEST = Path(xs.__file__).resolve().parent.parent / "splits" / "real-photos-v1.json"


def image_bytes(seed: int, fmt: str = "JPEG") -> bytes:
    rng = np.random.default_rng(seed)
    img = Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8))
    from io import BytesIO

    b = BytesIO()
    img.save(b, fmt)
    return b.getvalue()


def write_set(root: Path, entries, position: int = 41) -> Path:
    """A set in the layout the TypeScript export writes: <folder>/<sha256>.<ext> + manifest.json.
    entries: (kind, source, bytes, datasetSplit, ext)."""
    items = []
    for n, (kind, source, data, split, ext) in enumerate(entries):
        sha = hashlib.sha256(data).hexdigest()
        folder = "_negative" if kind == "not_a_vegetable" else kind
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / f"{sha}.{ext}").write_bytes(data)
        items.append({"imageId": f"id-{n}", "kind": kind, "source": source, "file": f"{folder}/{sha}.{ext}", "sha256": sha,
                      "contentType": "image/jpeg" if ext == "jpg" else f"image/{ext}", "sizeBytes": len(data),
                      "datasetSplit": split, "revision": 3})
    counts = {k: sum(1 for it in items if it["kind"] == k) for k in LABELS}
    manifest = {"format": "vegvision-training-set/1", "exportedAt": "2026-12-02T19:00:00.000Z",
                "log": {"position": position, "events": position + 1},
                "source": {"mode": "embedded", "eventStore": "file", "storage": "local"}, "total": len(items),
                "counts": counts, "bySource": {"ground_truth": sum(it["source"] == "ground_truth" for it in items),
                                               "correction": sum(it["source"] == "correction" for it in items)},
                "folders": {k: ("_negative" if k == "not_a_vegetable" else k) for k in LABELS}, "skipped": [], "items": items}
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return root


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def test_the_images_of_a_set_become_real_training_photos_with_their_labels(tmp_path):
    carrot, neg, tomato = image_bytes(1), image_bytes(2), image_bytes(3, "PNG")
    root = write_set(tmp_path / "set", [("Carrot", "ground_truth", carrot, "train", "jpg"),
                                       ("not_a_vegetable", "correction", neg, None, "jpg"),
                                       ("Tomato", "correction", tomato, None, "png")])
    [s] = xs.load_extra_sets([root], held_out={}, training=set())
    assert [(im.kind, im.label, im.source) for im in s.images] == [
        ("Carrot", LABELS.index("Carrot"), "ground_truth"), ("not_a_vegetable", OTHER, "correction"),
        ("Tomato", LABELS.index("Tomato"), "correction")]
    assert s.images[1].path.parent.name == "_negative"
    assert s.manifest_sha256 == sha((root / "manifest.json").read_bytes())
    assert not s.skipped

    rtr = [RealPhoto(path=Path("/photos/Bean/x.jpg"), rel="Bean/x.jpg", label=0, split="train", group=0)]
    items, labels = real_train_items(rtr, [s], ["synthetic-image"])
    assert items == [Path("/photos/Bean/x.jpg")] + [im.path for im in s.images] + ["synthetic-image"]
    assert labels == [0, LABELS.index("Carrot"), OTHER, LABELS.index("Tomato"), OTHER]


def test_held_out_and_already_used_images_are_left_out_and_counted(tmp_path):
    real_val, kaggle_val, val_split, test_split, known, dup, kept = (image_bytes(i) for i in range(10, 17))
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32  # Pillow cannot decode it
    a = write_set(tmp_path / "a", [("Carrot", "ground_truth", real_val, None, "jpg"),
                                  ("Carrot", "ground_truth", kaggle_val, None, "jpg"),
                                  ("Potato", "ground_truth", val_split, "validation", "jpg"),
                                  ("Potato", "ground_truth", test_split, "test", "jpg"),
                                  ("Bean", "ground_truth", known, "train", "jpg"),
                                  ("Radish", "correction", dup, None, "jpg"),
                                  ("Radish", "correction", heic, None, "heic")])
    b = write_set(tmp_path / "b", [("Radish", "correction", dup, None, "jpg"), ("Cabbage", "correction", kept, None, "jpg")])
    held_out = {sha(real_val): xs.REAL_VALIDATION, sha(kaggle_val): xs.DATASET_VALIDATION}
    sa, sb = xs.load_extra_sets([a, b], held_out=held_out, training={sha(known)})
    assert [im.kind for im in sa.images] == ["Radish"] and [im.kind for im in sb.images] == ["Cabbage"]
    assert dict(sa.skipped) == {xs.REAL_VALIDATION: 1, xs.DATASET_VALIDATION: 1, xs.HELD_OUT_SPLIT: 2,
                                xs.ALREADY_TRAINING: 1, xs.UNREADABLE: 1}
    assert dict(sb.skipped) == {xs.DUPLICATE: 1}


def test_the_real_photo_validation_side_is_held_out_by_its_committed_hashes(tmp_path):
    m = json.loads(REAL_MANIFEST.read_text())
    val = xs.real_split_hashes(REAL_MANIFEST, "validation")
    assert val == {it["sha256"] for it in m["items"] if it["split"] == "validation"} and len(val) > 500
    assert not val & xs.real_split_hashes(REAL_MANIFEST, "train")
    # A photo of the real validation side exported from the product (same bytes) is not trained on.
    photo = image_bytes(30)
    manifest = {"format": MANIFEST_FORMAT, "items": [
        {"file": "Carrot/v.jpg", "label": "Carrot", "sha256": sha(photo), "phash": "0", "group": 0, "split": "validation"}]}
    (tmp_path / "split.json").write_text(json.dumps(manifest))
    ds_train, ds_val = tmp_path / "t.jpg", tmp_path / "v.jpg"
    ds_train.write_bytes(image_bytes(31))
    ds_val.write_bytes(image_bytes(32))
    held_out, training = xs.exclusions(tmp_path / "split.json", [ds_train], [ds_val])
    assert held_out == {sha(photo): xs.REAL_VALIDATION, sha(ds_val.read_bytes()): xs.DATASET_VALIDATION}
    assert training == {sha(ds_train.read_bytes())}
    root = write_set(tmp_path / "set", [("Carrot", "correction", photo, None, "jpg")])
    [s] = xs.load_extra_sets([root], held_out, training)
    assert s.images == [] and dict(s.skipped) == {xs.REAL_VALIDATION: 1}


@pytest.mark.parametrize("damage, message", [
    ("altered", "1 changed"), ("missing", "1 missing"), ("format", "not an exported training set"),
    ("kind", "unknown kind 'Kiwi'"), ("outside", "outside the set"), ("no-manifest", "no manifest.json")])
def test_a_set_that_differs_from_its_manifest_is_refused_whole(tmp_path, damage, message):
    root = write_set(tmp_path / "set", [("Carrot", "ground_truth", image_bytes(40), None, "jpg"),
                                       ("Bean", "ground_truth", image_bytes(41), None, "jpg")])
    m = json.loads((root / "manifest.json").read_text())
    first = root / m["items"][0]["file"]
    if damage == "altered":
        first.write_bytes(image_bytes(42))
    elif damage == "missing":
        first.unlink()
    elif damage == "format":
        m["format"] = "vegvision-real-photo-split/1"
    elif damage == "kind":
        m["items"][1]["kind"] = "Kiwi"
    elif damage == "outside":
        m["items"][1]["file"] = "../elsewhere.jpg"
    if damage == "no-manifest":
        (root / "manifest.json").unlink()
    else:
        (root / "manifest.json").write_text(json.dumps(m))
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        xs.load_extra_sets([root], {}, set())


def test_the_model_card_records_the_manifest_header_its_sha256_and_what_was_used(tmp_path):
    root = write_set(tmp_path / "set", [("Carrot", "ground_truth", image_bytes(50), None, "jpg"),
                                       ("not_a_vegetable", "correction", image_bytes(51), None, "jpg"),
                                       ("Carrot", "ground_truth", image_bytes(52), "validation", "jpg")], position=1234)
    [s] = xs.load_extra_sets([root], {}, set())
    e = xs.card_entry(s)
    assert e == {"dir": str(root), "manifestSha256": sha((root / "manifest.json").read_bytes()),
                 "format": "vegvision-training-set/1", "exportedAt": "2026-12-02T19:00:00.000Z",
                 "log": {"position": 1234, "events": 1235},
                 "source": {"mode": "embedded", "eventStore": "file", "storage": "local"},
                 "exported": 3, "exportedPerKind": {"Carrot": 2, "not_a_vegetable": 1},
                 "exportedBySource": {"ground_truth": 2, "correction": 1},
                 "used": 2, "usedPerKind": {"Carrot": 1, "not_a_vegetable": 1}, "skipped": {xs.HELD_OUT_SPLIT: 1}}
    json.dumps(e)  # the card is JSON
    assert "log position 1234" in extra_sets_sentence([e]) and "2 of 3 images" in extra_sets_sentence([e])
    table = "\n".join(extra_sets_lines([e]))
    assert e["manifestSha256"] in table and "Carrot 2, not_a_vegetable 1" in table and "2 of 3" in table
    assert extra_sets_sentence([]) == "" and extra_sets_lines(None) == []


def test_extra_set_is_a_repeatable_option():
    base = ["--data", "d", "--photos", "p", "--out", "o"]
    assert parse_args(base).extra_set == []
    assert parse_args(base + ["--extra-set", "a", "--extra-set", "b"]).extra_set == ["a", "b"]


def test_real_train_from_sets_trains_the_folder_train_side_only_through_the_sets(tmp_path):
    base = ["--data", "d", "--photos", "p", "--out", "o", "--extra-set", "s"]
    assert parse_args(base).real_train_from_sets is False
    assert parse_args(base + ["--real-train-from-sets"]).real_train_from_sets is True
    # The folder's train side is training data by default, so an exported copy of it is skipped ...
    train_photo, val_photo = image_bytes(40), image_bytes(41)
    manifest = {"format": MANIFEST_FORMAT, "items": [
        {"file": "Carrot/t.jpg", "label": "Carrot", "sha256": sha(train_photo), "phash": "0", "group": 0, "split": "train"},
        {"file": "Carrot/v.jpg", "label": "Carrot", "sha256": sha(val_photo), "phash": "1", "group": 1, "split": "validation"}]}
    (tmp_path / "split.json").write_text(json.dumps(manifest))
    root = write_set(tmp_path / "set", [("Carrot", "ground_truth", train_photo, None, "jpg"),
                                        ("Carrot", "ground_truth", val_photo, None, "jpg")])
    held_out, training = xs.exclusions(tmp_path / "split.json", [], [])
    [s] = xs.load_extra_sets([root], held_out, training)
    assert s.images == [] and dict(s.skipped) == {xs.ALREADY_TRAINING: 1, xs.REAL_VALIDATION: 1}
    # ... and with the folder's train side not read, the set is where it comes from; validation stays held out.
    held_out, training = xs.exclusions(tmp_path / "split.json", [], [], real_train_in_folder=False)
    [s] = xs.load_extra_sets([root], held_out, training)
    assert [im.sha256 for im in s.images] == [sha(train_photo)] and dict(s.skipped) == {xs.REAL_VALIDATION: 1}
