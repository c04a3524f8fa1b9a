"""The real-photo train/validation split, made once by content and committed as a manifest.

    python -m vegtrainer.realsplit --photos ../../../shared/data/real-photos --out splits/real-photos-v1.json

``real-photos/<Class>/`` and ``real-photos/_negative/`` hold web, shop and market photos in which the same
stock photo recurs on several sites (resized, re-encoded, mirrored or rotated). Splitting file by file would
put near-copies on both sides and flatter every validation figure, so images are grouped first:

1. a 64-bit perceptual hash (DCT of the 32x32 grey image, low 8x8 frequencies against their median) of the
   image and of its 7 other flips/rotations (the dihedral group: one source added mirrored/rotated copies);
2. two images join one group when any transform of one is within ``--max-distance`` bits of the other
   (union-find, so chains of near-copies end in one group), and exact byte copies always do;
3. groups are assigned to validation in a seeded order until each label's validation quota is met, so
   every kind (and the negatives) is represented in the same proportion on both sides.

The manifest lists every file with its sha256, hash, group and side; the images themselves stay in
``../shared`` (never commit them). :func:`load_manifest` checks the files on disk against the manifest.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from scipy.fft import dctn

from .classes import CLASSES
from .data import IMAGE_SUFFIXES
from .model import sha256_file
from .preprocess import load_rgb

NEGATIVE_DIR = "_negative"
OTHER = "not_a_vegetable"
LABELS = tuple(CLASSES) + (OTHER,)
MANIFEST_FORMAT = "vegvision-real-photo-split/1"


@dataclass(frozen=True)
class RealPhoto:
    path: Path
    rel: str          # "<folder>/<file>"
    label: int        # index into LABELS (15 = not a vegetable)
    split: str        # "train" | "validation"
    group: int

    @property
    def is_vegetable(self) -> bool:
        return self.label < len(CLASSES)


def phash_bits(img: Image.Image) -> np.ndarray:
    """64 booleans: the 8x8 lowest DCT frequencies of the 32x32 grey image against their median."""
    g = np.asarray(img.convert("L").resize((32, 32), Image.LANCZOS), dtype=np.float64)
    low = dctn(g, norm="ortho")[:8, :8].ravel()
    return low > np.median(low[1:])


def dihedral_hashes(img: Image.Image) -> np.ndarray:
    """[8, 64] hashes of the image under the 8 flips/rotations (index 0 = the image itself)."""
    views = []
    for k in range(4):
        r = img.rotate(90 * k, expand=True) if k else img
        views.append(r)
        views.append(r.transpose(Image.FLIP_LEFT_RIGHT))
    return np.stack([phash_bits(v) for v in views])


def list_photos(root: Path) -> list[tuple[Path, str, int]]:
    out = []
    for label, folder in enumerate(tuple(CLASSES) + (NEGATIVE_DIR,)):
        d = root / folder
        if not d.is_dir():
            raise FileNotFoundError(f"missing folder {d}")
        for p in sorted(d.iterdir()):
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES:
                out.append((p, f"{folder}/{p.name}", label))
    return out


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group_near_duplicates(hashes: np.ndarray, shas: list[str], max_distance: int) -> list[int]:
    """Group ids (smallest member index) for images whose hashes are within ``max_distance`` bits."""
    n = hashes.shape[0]
    uf = _UnionFind(n)
    canon = hashes[:, 0, :]                                        # [n, 64]
    for i in range(n):
        # distance of every transform of image i to every other image's own hash
        d = (hashes[i][:, None, :] != canon[None, :, :]).sum(-1).min(0)   # [n]
        for j in np.nonzero(d <= max_distance)[0]:
            if j != i:
                uf.union(i, int(j))
    first_of_sha: dict[str, int] = {}
    for i, s in enumerate(shas):
        if s in first_of_sha:
            uf.union(i, first_of_sha[s])
        else:
            first_of_sha[s] = i
    return [uf.find(i) for i in range(n)]


def assign_sides(labels: list[int], groups: list[int], validation_fraction: float, seed: int) -> list[str]:
    """Seeded, label-stratified assignment of whole groups to train/validation."""
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    order = sorted(members)
    random.Random(seed).shuffle(order)
    totals = np.bincount(labels, minlength=len(LABELS))
    quota = np.round(totals * validation_fraction).astype(int)
    taken = np.zeros(len(LABELS), dtype=int)
    side = ["train"] * len(labels)
    for g in order:
        idx = members[g]
        counts = np.bincount([labels[i] for i in idx], minlength=len(LABELS))
        major = int(counts.argmax())
        if taken[major] + counts[major] <= quota[major] or taken[major] == 0:
            for i in idx:
                side[i] = "validation"
            taken += counts
    return side


def make_manifest(root: Path, validation_fraction: float = 0.25, max_distance: int = 8, seed: int = 2026) -> dict:
    photos = list_photos(root)
    hashes, shas = [], []
    for k, (p, rel, _) in enumerate(photos):
        hashes.append(dihedral_hashes(load_rgb(p)))
        shas.append(sha256_file(p))
        if (k + 1) % 200 == 0 or k + 1 == len(photos):
            sys.stderr.write(f"hashing real photos: {k + 1}/{len(photos)}\r")
    sys.stderr.write("\n")
    H = np.stack(hashes)
    groups = group_near_duplicates(H, shas, max_distance)
    labels = [lab for _, _, lab in photos]
    sides = assign_sides(labels, groups, validation_fraction, seed)
    items = []
    for (p, rel, lab), s, g, h, side in zip(photos, shas, groups, H, sides):
        items.append({"file": rel, "label": LABELS[lab], "sha256": s,
                      "phash": "%016x" % int("".join("1" if b else "0" for b in h[0]), 2),
                      "group": g, "split": side})
    summary = {}
    for lab in LABELS:
        summary[lab] = {side: sum(1 for it in items if it["label"] == lab and it["split"] == side)
                        for side in ("train", "validation")}
    multi = sum(1 for g in set(groups) if groups.count(g) > 1)
    return {
        "format": MANIFEST_FORMAT,
        "method": {"hash": "pHash 64-bit (DCT 32x32 grey, 8x8 low frequencies vs median), any of 8 flips/rotations",
                   "maxHammingDistance": max_distance, "exactCopies": "sha256",
                   "validationFraction": validation_fraction, "seed": seed, "stratifiedBy": "label"},
        "groups": len(set(groups)), "groupsWithNearCopies": multi,
        "summary": summary, "items": items,
    }


def dump_manifest(m: dict) -> str:
    """JSON with one photo per line (diffable, compact)."""
    head = {k: v for k, v in m.items() if k != "items"}
    lines = [json.dumps(it, separators=(",", ":")) for it in m["items"]]
    return json.dumps(head, indent=1)[:-2] + ',\n "items": [\n' + ",\n".join(lines) + "\n ]\n}\n"


def load_manifest(manifest: str | Path, root: str | Path, check_hashes: bool = True) -> list[RealPhoto]:
    """The photos of a committed manifest, checked against the files under ``root``."""
    m = json.loads(Path(manifest).read_text())
    if m.get("format") != MANIFEST_FORMAT:
        raise ValueError(f"{manifest}: not a real-photo split manifest (format {m.get('format')!r})")
    root = Path(root)
    out, missing, changed = [], [], []
    for it in m["items"]:
        p = root / it["file"]
        if not p.is_file():
            missing.append(it["file"])
            continue
        if check_hashes and sha256_file(p) != it["sha256"]:
            changed.append(it["file"])
            continue
        out.append(RealPhoto(path=p, rel=it["file"], label=LABELS.index(it["label"]), split=it["split"],
                             group=int(it["group"])))
    if missing or changed:
        raise ValueError(f"real photos under {root} differ from {manifest}: {len(missing)} missing "
                         f"(e.g. {missing[:3]}), {len(changed)} changed (e.g. {changed[:3]})")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", required=True, help="the real-photos folder (<Class>/ and _negative/)")
    ap.add_argument("--out", required=True, help="manifest JSON to write")
    ap.add_argument("--validation-fraction", type=float, default=0.25)
    ap.add_argument("--max-distance", type=int, default=8, help="Hamming distance that makes two images near-copies")
    ap.add_argument("--seed", type=int, default=2026)
    a = ap.parse_args(argv)
    m = make_manifest(Path(a.photos), a.validation_fraction, a.max_distance, a.seed)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(dump_manifest(m))
    print(f"{len(m['items'])} photos in {m['groups']} groups ({m['groupsWithNearCopies']} with near-copies) -> {a.out}")
    for lab, s in m["summary"].items():
        print(f"  {lab:16s} train {s['train']:4d}  validation {s['validation']:4d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
