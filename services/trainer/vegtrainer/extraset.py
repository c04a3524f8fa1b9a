"""Training sets exported from the product's event log, added to the training data (``--extra-set DIR``).

    npm run vegvision -- export training-set --out ../shared/exports/set-1
    python -m vegtrainer.train_real ... --extra-set ../../../shared/exports/set-1

``vegvision export training-set`` writes the images whose kind a person gave (an import from a
ground-truth folder, or a correction) as ``DIR/<Kind>/<sha256>.<ext>`` (``DIR/_negative/`` for "not a
vegetable") and ``DIR/manifest.json``: a header (export time, the log position it was read up to, counts
per kind) and one item per file (image id, kind, source, sha256, content type, dataset split).

Every file is checked against its sha256 (a set that differs from its manifest is refused whole). An image
that would make a held-out figure optimistic is left out and counted: its bytes are in the real-photo
validation side or the dataset's validation split (both choose the epoch, the temperature and the
threshold), or the import folder named it a validation/test split. So are images that already are training
data (same bytes in the dataset's train split or the real-photo train side), copies across extra sets, and
files Pillow cannot decode (HEIC, say). What was used goes into the model card (:func:`card_entry`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .model import sha256_file
from .realsplit import LABELS, MANIFEST_FORMAT as REAL_SPLIT_FORMAT

FORMAT = "vegvision-training-set/1"
MANIFEST = "manifest.json"
HELD_OUT_SPLITS = ("validation", "test", "testing")

# Why an exported image is not used (the keys of ExtraSet.skipped).
REAL_VALIDATION = "realValidation"
DATASET_VALIDATION = "datasetValidation"
HELD_OUT_SPLIT = "heldOutDatasetSplit"
ALREADY_TRAINING = "alreadyTrainingData"
DUPLICATE = "duplicateAcrossSets"
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class ExtraImage:
    path: Path
    rel: str            # "<folder>/<sha256>.<ext>" as the manifest names it
    label: int          # index into realsplit.LABELS (15 = not a vegetable)
    kind: str
    source: str         # "ground_truth" | "correction"
    sha256: str


@dataclass
class ExtraSet:
    root: Path
    manifest_sha256: str
    header: dict
    images: list[ExtraImage] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    def used_per_kind(self) -> dict[str, int]:
        c = Counter(im.kind for im in self.images)
        return {k: c[k] for k in LABELS if c[k]}


def real_split_hashes(manifest: str | Path, side: str) -> set[str]:
    """sha256 of every photo on one side (train / validation) of the committed real-photo split (no photo is read)."""
    m = json.loads(Path(manifest).read_text())
    if m.get("format") != REAL_SPLIT_FORMAT:
        raise ValueError(f"{manifest}: not a real-photo split manifest (format {m.get('format')!r})")
    return {it["sha256"] for it in m["items"] if it["split"] == side}


def _label_of(kind: str, where: str) -> int:
    if kind not in LABELS:
        raise ValueError(f"{where}: unknown kind {kind!r} (known: {', '.join(LABELS)})")
    return LABELS.index(kind)


def _readable(path: Path) -> bool:
    try:
        with Image.open(path) as im:
            im.verify()
        return True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False


def load_extra_set(root: str | Path, held_out: dict[str, str], training: set[str], seen: set[str] | None = None) -> ExtraSet:
    """The usable images of one exported set.

    ``held_out``: sha256 -> reason (REAL_VALIDATION / DATASET_VALIDATION) of images that must stay out of
    training; ``training``: sha256 of images that already are training data; ``seen``: sha256 taken from
    earlier extra sets (updated).
    """
    root = Path(root)
    mpath = root / MANIFEST
    if not mpath.is_file():
        raise FileNotFoundError(f"{root}: no {MANIFEST} (make the set with `vegvision export training-set --out {root}`)")
    raw = mpath.read_bytes()
    m = json.loads(raw)
    if m.get("format") != FORMAT:
        raise ValueError(f"{mpath}: not an exported training set (format {m.get('format')!r}, expected {FORMAT!r})")
    out = ExtraSet(root=root, manifest_sha256=hashlib.sha256(raw).hexdigest(), header={k: v for k, v in m.items() if k != "items"})
    seen = set() if seen is None else seen
    base = root.resolve()
    missing, changed = [], []
    for it in m["items"]:
        where = f"{mpath} item {it.get('imageId')}"
        label = _label_of(it["kind"], where)
        path = (root / it["file"]).resolve()
        if base not in path.parents:
            raise ValueError(f"{where}: file {it['file']!r} lies outside the set")
        if not path.is_file():
            missing.append(it["file"])
            continue
        if sha256_file(path) != it["sha256"]:
            changed.append(it["file"])
            continue
        sha = it["sha256"]
        split = (it.get("datasetSplit") or "").lower()
        if sha in held_out:
            out.skipped[held_out[sha]] += 1
        elif split in HELD_OUT_SPLITS:
            out.skipped[HELD_OUT_SPLIT] += 1
        elif sha in training:
            out.skipped[ALREADY_TRAINING] += 1
        elif sha in seen:
            out.skipped[DUPLICATE] += 1
        elif not _readable(path):
            out.skipped[UNREADABLE] += 1
        else:
            seen.add(sha)
            out.images.append(ExtraImage(path=path, rel=it["file"], label=label, kind=it["kind"], source=it["source"], sha256=sha))
    if missing or changed:
        raise ValueError(f"{root} differs from its manifest: {len(missing)} missing (e.g. {missing[:3]}), "
                         f"{len(changed)} changed (e.g. {changed[:3]})")
    return out


def load_extra_sets(dirs, held_out: dict[str, str], training: set[str]) -> list[ExtraSet]:
    seen: set[str] = set()
    return [load_extra_set(d, held_out, training, seen) for d in dirs]


def hashes_of(paths) -> set[str]:
    return {sha256_file(p) for p in paths}


def exclusions(real_manifest: str | Path, dataset_train, dataset_validation,
               real_train_in_folder: bool = True) -> tuple[dict[str, str], set[str]]:
    """(held_out, training) for :func:`load_extra_sets`: the real-photo validation side and the dataset's
    validation split are held out; the dataset's train split is training data, and so is the real-photo
    train side unless ``real_train_in_folder`` is false (it then reaches training only through the sets)."""
    held_out = {sha: DATASET_VALIDATION for sha in hashes_of(dataset_validation)}
    held_out.update({sha: REAL_VALIDATION for sha in real_split_hashes(real_manifest, "validation")})
    training = hashes_of(dataset_train)
    if real_train_in_folder:
        training |= real_split_hashes(real_manifest, "train")
    return held_out, training


def extras_tag(sets: list[ExtraSet]) -> str:
    """A short digest of the extra images used, for the feature cache key (same count, other images: other key)."""
    h = hashlib.sha256()
    for s in sets:
        for im in s.images:
            h.update(f"{im.sha256}:{im.label};".encode())
    return h.hexdigest()[:12]


def card_entry(s: ExtraSet) -> dict:
    """What the model card records of an extra set: its manifest header, the manifest's sha256, what was used."""
    h = s.header
    return {
        "dir": str(s.root),
        "manifestSha256": s.manifest_sha256,
        "format": h.get("format"),
        "exportedAt": h.get("exportedAt"),
        "log": h.get("log"),
        "source": h.get("source"),
        "exported": h.get("total"),
        "exportedPerKind": {k: n for k, n in (h.get("counts") or {}).items() if n},
        "exportedBySource": h.get("bySource"),
        "used": len(s.images),
        "usedPerKind": s.used_per_kind(),
        "skipped": dict(sorted(s.skipped.items())),
    }


def describe(s: ExtraSet) -> str:
    log = s.header.get("log") or {}
    skipped = ", ".join(f"{n} {k}" for k, n in sorted(s.skipped.items())) or "none"
    return (f"extra set {s.root}: {len(s.images)} of {s.header.get('total')} exported images used "
            f"(log position {log.get('position')}, manifest sha256 {s.manifest_sha256[:12]}); skipped: {skipped}")

