"""Canonical inference preprocessing, shared by evaluation, ONNX verification and the
validation reference export. The TypeScript service implements the same steps with
sharp ``resize(S, S, {fit: 'cover', position: 'centre', kernel: 'lanczos3'})``.

Steps:
1. decode to 8-bit RGB (sRGB: an embedded ICC profile is converted to sRGB),
2. apply the EXIF orientation,
3. composite any alpha channel over white,
4. "cover": scale the shorter side to S and centre-crop to S x S, Lanczos-3 resampling,
5. float32 = pixel / 255, subtract MEAN, divide by STD, HWC -> CHW.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageCms, ImageOps

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
RESIZE_NAME = "cover-centre-lanczos3"

_MEAN = np.asarray(MEAN, dtype=np.float32).reshape(3, 1, 1)
_STD = np.asarray(STD, dtype=np.float32).reshape(3, 1, 1)
_SRGB = None


def _srgb_profile():
    global _SRGB
    if _SRGB is None:
        _SRGB = ImageCms.createProfile("sRGB")
    return _SRGB


ImageSource = Union[str, Path, bytes, Image.Image]


def load_rgb(src: ImageSource) -> Image.Image:
    """Decode an image to an 8-bit RGB PIL image (EXIF orientation applied, alpha over white)."""
    if isinstance(src, Image.Image):
        img = src
    elif isinstance(src, (bytes, bytearray)):
        img = Image.open(io.BytesIO(src))
    else:
        img = Image.open(src)
    img.load()
    img = ImageOps.exif_transpose(img)
    icc = img.info.get("icc_profile")
    if icc and img.mode in ("RGB", "RGBA"):
        try:
            src_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            out_mode = img.mode
            img = ImageCms.profileToProfile(img, src_profile, _srgb_profile(), outputMode=out_mode)
        except (ImageCms.PyCMSError, OSError):
            pass  # unreadable profile: treat the pixels as sRGB
    if img.mode == "P" or img.mode == "PA" or img.mode == "LA" or "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode == "RGBA":
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    if img.mode != "RGB":
        img = img.convert("RGB")
    return img


def cover_resize(img: Image.Image, size: int) -> Image.Image:
    """Scale the shorter side to ``size`` and centre-crop to size x size with Lanczos-3."""
    if img.size == (size, size):
        return img.copy()
    return ImageOps.fit(img, (size, size), method=Image.LANCZOS, centering=(0.5, 0.5))


def normalise(img: Image.Image, mean=MEAN, std=STD) -> np.ndarray:
    """RGB uint8 PIL image -> float32 CHW array, (x/255 - mean) / std (ImageNet's by default)."""
    arr = np.asarray(img, dtype=np.uint8)
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(f"expected an RGB image, got array of shape {arr.shape}")
    chw = arr.astype(np.float32).transpose(2, 0, 1) / np.float32(255.0)
    m = _MEAN if mean is MEAN else np.asarray(mean, dtype=np.float32).reshape(3, 1, 1)
    s = _STD if std is STD else np.asarray(std, dtype=np.float32).reshape(3, 1, 1)
    return ((chw - m) / s).astype(np.float32)


def preprocess(src: ImageSource, size: int, mean=MEAN, std=STD) -> np.ndarray:
    """The canonical pipeline: returns a float32 array of shape [3, size, size]."""
    return normalise(cover_resize(load_rgb(src), size), mean, std)


def preprocess_batch(sources, size: int, mean=MEAN, std=STD) -> np.ndarray:
    """Stack canonical tensors into a float32 [N, 3, size, size] batch."""
    return np.stack([preprocess(s, size, mean, std) for s in sources], axis=0)
