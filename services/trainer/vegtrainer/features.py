"""Datasets of views (clean / augmented / perturbed) and cached trunk feature maps."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from .augment import augment, perturb
from .preprocess import cover_resize, load_rgb, normalise


def view_seed(base: int, view: int, index: int) -> int:
    return (base * 1_000_003 + view * 100_003 + index) & 0x7FFFFFFF


class ViewDataset(Dataset):
    """Images as normalised CHW tensors of side ``size``.

    mode ``clean``: canonical preprocessing only; ``augment``: random training augmentation
    (seeded per view and index); ``perturb``: the fixed-seed test-time perturbation.
    ``images`` may be paths or PIL images.
    """

    def __init__(self, images, size: int, mode: str = "clean", seed: int = 0, view: int = 0):
        if mode not in ("clean", "augment", "perturb"):
            raise ValueError(mode)
        self.images = images
        self.size = size
        self.mode = mode
        self.seed = seed
        self.view = view

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> torch.Tensor:
        img = load_rgb(self.images[i])
        if self.mode == "augment":
            img = augment(img, np.random.default_rng(view_seed(self.seed, self.view, i)), out_size=self.size)
        elif self.mode == "perturb":
            img = perturb(img, view_seed(self.seed, 10_000 + self.view, i))
        return torch.from_numpy(normalise(cover_resize(img, self.size)))


class Progress:
    """Minimal tqdm-like progress line on stderr."""

    def __init__(self, total: int, desc: str):
        self.total, self.desc, self.n = total, desc, 0
        self.t0 = time.time()
        self.last = 0.0

    def update(self, k: int) -> None:
        self.n += k
        now = time.time()
        if now - self.last > 2 or self.n >= self.total:
            self.last = now
            el = now - self.t0
            rate = self.n / max(el, 1e-9)
            eta = (self.total - self.n) / max(rate, 1e-9)
            width = 30
            fill = int(width * self.n / max(1, self.total))
            end = "\n" if self.n >= self.total else "\r"
            sys.stderr.write(
                f"{self.desc}: [{'#' * fill}{'.' * (width - fill)}] {self.n}/{self.total} "
                f"{el:5.0f}s elapsed, {rate:6.1f} img/s, eta {eta:4.0f}s{end}"
            )
            sys.stderr.flush()


@torch.no_grad()
def run_trunk(trunk: torch.nn.Module, dataset: Dataset, device: torch.device, batch: int = 64,
              workers: int = 2, desc: str = "features", dtype=torch.float16) -> torch.Tensor:
    """Apply the frozen trunk to every item; returns a CPU tensor [N, C, H, W] in ``dtype``."""
    trunk.eval().to(device)
    loader = DataLoader(dataset, batch_size=batch, shuffle=False, num_workers=workers,
                        persistent_workers=False, prefetch_factor=4 if workers > 0 else None)
    chunks = []
    prog = Progress(len(dataset), desc)
    sess = None
    if device.type == "cpu":
        # onnxruntime runs MobileNetV2's depthwise convolutions several times faster than PyTorch on CPU
        import tempfile

        from .export import ort_session, export_onnx

        size = dataset[0].shape[-1]
        tmp = Path(tempfile.mkdtemp()) / "trunk.onnx"
        export_onnx(trunk, tmp, size, output_names=("features",))
        sess = ort_session(tmp, threads=torch.get_num_threads())
    for x in loader:
        if sess is not None:
            y = torch.from_numpy(sess.run(["features"], {"input": x.numpy()})[0])
        else:
            y = trunk(x.to(device, non_blocking=True))
        chunks.append(y.to("cpu", dtype))
        prog.update(x.shape[0])
    return torch.cat(chunks, 0)


def cached_trunk(cache_dir: Path | None, key: str, fn) -> torch.Tensor:
    """Load ``key`` from the cache directory or compute it with ``fn()`` and store it."""
    if cache_dir is not None:
        path = Path(cache_dir) / f"{key}.pt"
        if path.exists():
            print(f"[cache] loading {path}", flush=True)
            return torch.load(path, weights_only=True)
    t = fn()
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save(t, tmp)
        tmp.rename(path)
    return t
