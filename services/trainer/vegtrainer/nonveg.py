""""Not a vegetable" images for calibrating and evaluating the rejection rule.

Two sources, both available offline:
* synthetic images generated here: noise, gradients, geometric shapes, text, solid colours,
  stripes/checkerboards;
* random crops of natural images bundled inside installed wheels (scikit-learn's
  ``load_sample_images`` and the PNG/JPEG files shipped in ``skimage/data``); nothing is fetched.

Calibration, report and training (outlier exposure) sets never share a seed range or a
natural source image.
"""

from __future__ import annotations

import os
import string

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .augment import OUT_SIZE, gradient, random_colour, smooth_noise, stripes, textured_background

SYNTHETIC_KINDS = ("noise", "smooth_noise", "gradient", "shapes", "text", "solid", "stripes", "texture")

# natural images bundled in wheels; disjoint lists for calibration and for the report
CALIBRATION_NATURAL = ("sklearn:china.jpg", "skimage:astronaut.png", "skimage:brick.png", "skimage:camera.png",
                       "skimage:chelsea.png", "skimage:coffee.png", "skimage:coins.png", "skimage:grass.png",
                       "skimage:hubble_deep_field.jpg")
REPORT_NATURAL = ("sklearn:flower.jpg", "skimage:gravel.png", "skimage:horse.png", "skimage:ihc.png",
                  "skimage:logo.png", "skimage:moon.png", "skimage:motorcycle_left.png", "skimage:page.png",
                  "skimage:rocket.jpg", "skimage:text.png", "skimage:color.png", "skimage:clock_motion.png",
                  "skimage:cell.png", "skimage:retina.jpg")

SEED_BASE = {"calibration": 1_000_000, "report": 2_000_000, "train": 3_000_000}


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # very old Pillow
        return ImageFont.load_default()


def synthetic(kind: str, rng: np.random.Generator, size: int = OUT_SIZE) -> Image.Image:
    if kind == "noise":
        arr = rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)
        img = Image.fromarray(arr, "RGB")
    elif kind == "smooth_noise":
        img = Image.fromarray(smooth_noise(rng, size, int(rng.integers(2, 32)), colour=rng.random() < 0.8), "RGB")
    elif kind == "gradient":
        img = Image.fromarray(gradient(rng, size), "RGB")
    elif kind == "stripes":
        img = Image.fromarray(stripes(rng, size), "RGB")
    elif kind == "solid":
        arr = np.empty((size, size, 3), dtype=np.uint8)
        arr[:] = np.asarray(random_colour(rng), dtype=np.uint8)
        if rng.random() < 0.5:
            arr = np.clip(arr + rng.normal(0, 4, size=arr.shape), 0, 255).astype(np.uint8)
        img = Image.fromarray(arr, "RGB")
    elif kind == "shapes":
        img = textured_background(rng, size) if rng.random() < 0.5 else Image.new("RGB", (size, size), random_colour(rng))
        draw = ImageDraw.Draw(img)
        for _ in range(int(rng.integers(1, 12))):
            x0, y0 = (int(v) for v in rng.integers(-size // 4, size, size=2))
            w, h = (int(v) for v in rng.integers(size // 10, size // 1.5, size=2))
            shape = rng.integers(0, 4)
            if shape == 0:
                draw.rectangle([x0, y0, x0 + w, y0 + h], fill=random_colour(rng))
            elif shape == 1:
                draw.ellipse([x0, y0, x0 + w, y0 + h], fill=random_colour(rng))
            elif shape == 2:
                pts = [tuple(int(v) for v in rng.integers(0, size, size=2)) for _ in range(int(rng.integers(3, 7)))]
                draw.polygon(pts, fill=random_colour(rng))
            else:
                pts = [tuple(int(v) for v in rng.integers(0, size, size=2)) for _ in range(2)]
                draw.line(pts, fill=random_colour(rng), width=int(rng.integers(1, 12)))
    elif kind == "text":
        bg = random_colour(rng) if rng.random() < 0.5 else (255, 255, 255)
        img = Image.new("RGB", (size, size), bg)
        draw = ImageDraw.Draw(img)
        alphabet = string.ascii_letters + string.digits + "  .,;:!?-"
        for _ in range(int(rng.integers(1, 10))):
            n = int(rng.integers(3, 24))
            text = "".join(alphabet[int(i)] for i in rng.integers(0, len(alphabet), size=n))
            font = _font(int(rng.integers(10, 56)))
            xy = tuple(int(v) for v in rng.integers(-20, size - 10, size=2))
            draw.text(xy, text, fill=random_colour(rng) if rng.random() < 0.6 else (0, 0, 0), font=font)
    elif kind == "texture":
        img = textured_background(rng, size)
    else:
        raise ValueError(f"unknown synthetic kind {kind!r}")
    return img


_NATURAL_CACHE: dict[str, Image.Image] = {}


def load_natural(name: str) -> Image.Image | None:
    """Load a wheel-bundled natural image by ``package:file`` name; ``None`` if unavailable."""
    if name in _NATURAL_CACHE:
        return _NATURAL_CACHE[name]
    pkg, fname = name.split(":", 1)
    path = None
    try:
        if pkg == "sklearn":
            import sklearn.datasets

            path = os.path.join(os.path.dirname(sklearn.datasets.__file__), "images", fname)
        elif pkg == "skimage":
            import skimage

            path = os.path.join(os.path.dirname(skimage.__file__), "data", fname)
    except ImportError:
        return None
    if path is None or not os.path.isfile(path):
        return None
    img = Image.open(path)
    img.load()
    img = img.convert("RGB")
    _NATURAL_CACHE[name] = img
    return img


def natural_crop(img: Image.Image, rng: np.random.Generator, size: int = OUT_SIZE) -> Image.Image:
    w, h = img.size
    side = int(min(w, h) * rng.uniform(0.25, 1.0))
    side = max(8, side)
    x = int(rng.integers(0, w - side + 1))
    y = int(rng.integers(0, h - side + 1))
    out = img.resize((size, size), Image.BILINEAR, box=(x, y, x + side, y + side))
    if rng.random() < 0.5:
        out = out.transpose(Image.FLIP_LEFT_RIGHT)
    return out


def make_set(purpose: str, n_synthetic: int, n_natural_per_image: int = 0) -> list[tuple[str, Image.Image]]:
    """Deterministic list of (source tag, image) for ``purpose`` in calibration/report/train."""
    base = SEED_BASE[purpose]
    out: list[tuple[str, Image.Image]] = []
    for i in range(n_synthetic):
        kind = SYNTHETIC_KINDS[i % len(SYNTHETIC_KINDS)]
        rng = np.random.default_rng(base + i)
        out.append((f"synthetic:{kind}", synthetic(kind, rng)))
    if n_natural_per_image > 0 and purpose in ("calibration", "report"):
        names = CALIBRATION_NATURAL if purpose == "calibration" else REPORT_NATURAL
        for j, name in enumerate(names):
            img = load_natural(name)
            if img is None:
                continue
            for k in range(n_natural_per_image):
                rng = np.random.default_rng(base + 500_000 + j * 10_000 + k)
                out.append((f"natural:{name}", natural_crop(img, rng)))
    return out
