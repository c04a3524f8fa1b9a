"""Dataset listing. Only the ``train`` and ``validation`` splits may ever be read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .classes import CLASSES

ALLOWED_SPLITS = ("train", "validation")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


class ForbiddenSplitError(ValueError):
    """Raised when code tries to read a split other than train/validation (e.g. test)."""


@dataclass(frozen=True)
class Sample:
    path: Path
    rel: str  # "<Class>/<file>", always with forward slashes
    label: int


def _check_path(split_dir: Path) -> None:
    for part in split_dir.resolve().parts + split_dir.parts:
        if part.lower() in ("test", "testing"):
            raise ForbiddenSplitError(f"refusing to read a test split: {split_dir}")


def split_dir(root: str | Path, split: str) -> Path:
    if split not in ALLOWED_SPLITS:
        raise ForbiddenSplitError(
            f"split {split!r} is not allowed; only {ALLOWED_SPLITS} may be used for training/selection"
        )
    d = Path(root) / split
    _check_path(d)
    return d


def list_split(root: str | Path, split: str) -> list[Sample]:
    """All images of a split, sorted by class index then file name."""
    d = split_dir(root, split)
    if not d.is_dir():
        raise FileNotFoundError(f"no such split directory: {d}")
    present = sorted(p.name for p in d.iterdir() if p.is_dir())
    unknown = [c for c in present if c not in CLASSES]
    if unknown:
        raise ValueError(f"unknown class folders in {d}: {unknown}")
    samples: list[Sample] = []
    for label, cls in enumerate(CLASSES):
        cdir = d / cls
        if not cdir.is_dir():
            raise FileNotFoundError(f"missing class folder {cdir}")
        for p in sorted(cdir.iterdir()):
            if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file():
                samples.append(Sample(path=p, rel=f"{cls}/{p.name}", label=label))
    return samples
