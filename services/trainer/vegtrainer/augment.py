"""Training-time augmentation and the fixed-seed test-time perturbation.

All functions take and return 8-bit RGB PIL images and draw every random choice from a
``numpy.random.Generator`` so that results are reproducible from a seed.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

OUT_SIZE = 224


# ---------------------------------------------------------------- backgrounds
def random_colour(rng: np.random.Generator) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(0, 256, size=3))


def smooth_noise(rng: np.random.Generator, size: int, cells: int, colour: bool = True) -> np.ndarray:
    """Low-frequency value noise: a small random grid upsampled bicubically; uint8 HxWx3."""
    ch = 3 if colour else 1
    small = rng.integers(0, 256, size=(cells, cells, ch), dtype=np.uint8)
    img = Image.fromarray(small.squeeze(-1) if ch == 1 else small)
    img = img.resize((size, size), Image.BICUBIC)
    arr = np.asarray(img.convert("RGB"))
    return arr


def gradient(rng: np.random.Generator, size: int) -> np.ndarray:
    c0 = np.asarray(random_colour(rng), dtype=np.float32)
    c1 = np.asarray(random_colour(rng), dtype=np.float32)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / (size - 1)
    if rng.random() < 0.5:
        theta = rng.uniform(0, 2 * math.pi)
        t = (xx - 0.5) * math.cos(theta) + (yy - 0.5) * math.sin(theta)
        t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
    else:
        cx, cy = rng.uniform(0, 1, size=2)
        t = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
        t = np.clip(t / max(1e-6, float(t.max())), 0, 1)
    out = c0[None, None, :] * (1 - t[..., None]) + c1[None, None, :] * t[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def stripes(rng: np.random.Generator, size: int) -> np.ndarray:
    c0 = np.asarray(random_colour(rng), dtype=np.uint8)
    c1 = np.asarray(random_colour(rng), dtype=np.uint8)
    period = int(rng.integers(6, 48))
    yy, xx = np.mgrid[0:size, 0:size]
    if rng.random() < 0.5:
        theta = rng.uniform(0, math.pi)
        t = ((xx * math.cos(theta) + yy * math.sin(theta)) // period).astype(np.int64) % 2
    else:
        t = ((xx // period) + (yy // period)) % 2
    return np.where(t[..., None] == 1, c1[None, None, :], c0[None, None, :]).astype(np.uint8)


def textured_background(rng: np.random.Generator, size: int = OUT_SIZE) -> Image.Image:
    """A random cluttered/textured background (solid, gradient, noise, stripes, blobs)."""
    kind = rng.integers(0, 5)
    if kind == 0:
        arr = np.empty((size, size, 3), dtype=np.uint8)
        arr[:] = np.asarray(random_colour(rng), dtype=np.uint8)
        arr = np.clip(arr.astype(np.int16) + rng.normal(0, 6, size=arr.shape), 0, 255).astype(np.uint8)
    elif kind == 1:
        arr = gradient(rng, size)
    elif kind == 2:
        arr = smooth_noise(rng, size, int(rng.integers(3, 24)))
    elif kind == 3:
        arr = stripes(rng, size)
    else:
        arr = np.clip(
            0.5 * gradient(rng, size).astype(np.float32) + 0.5 * smooth_noise(rng, size, int(rng.integers(8, 40))),
            0,
            255,
        ).astype(np.uint8)
    img = Image.fromarray(arr, "RGB")
    if rng.random() < 0.5:  # some clutter: random shapes
        draw = ImageDraw.Draw(img)
        for _ in range(int(rng.integers(1, 8))):
            x0, y0 = rng.integers(-size // 4, size, size=2)
            w, h = rng.integers(size // 12, size // 2, size=2)
            box = [int(x0), int(y0), int(x0 + w), int(y0 + h)]
            if rng.random() < 0.5:
                draw.rectangle(box, fill=random_colour(rng))
            else:
                draw.ellipse(box, fill=random_colour(rng))
    return img


# ---------------------------------------------------------------- geometry
def _perspective_coeffs(src: np.ndarray, dst: np.ndarray) -> list[float]:
    """Coefficients for PIL's PERSPECTIVE transform that map output points ``dst`` to input ``src``."""
    rows = []
    rhs = []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.extend([u, v])
    sol = np.linalg.solve(np.asarray(rows, dtype=np.float64), np.asarray(rhs, dtype=np.float64))
    return sol.tolist()


def random_resized_crop(img: Image.Image, rng: np.random.Generator, scale=(0.35, 1.0), ratio=(3 / 4, 4 / 3),
                        out_size: int = OUT_SIZE) -> Image.Image:
    w, h = img.size
    area = w * h
    for _ in range(10):
        target = area * rng.uniform(*scale)
        r = math.exp(rng.uniform(math.log(ratio[0]), math.log(ratio[1])))
        cw = int(round(math.sqrt(target * r)))
        ch = int(round(math.sqrt(target / r)))
        if 0 < cw <= w and 0 < ch <= h:
            x = int(rng.integers(0, w - cw + 1))
            y = int(rng.integers(0, h - ch + 1))
            return img.resize((out_size, out_size), Image.BILINEAR, box=(x, y, x + cw, y + ch))
    return img.resize((out_size, out_size), Image.BILINEAR)


def _geometric_rgba(img: Image.Image, rng: np.random.Generator, rotate_p: float, persp_p: float, max_angle: float, max_persp: float) -> Image.Image:
    """Rotation and/or perspective warp; areas outside the source become transparent."""
    rgba = img.convert("RGBA")
    s = rgba.size[0]
    if rng.random() < persp_p:
        d = max_persp * s
        src = np.array([[0, 0], [s, 0], [s, s], [0, s]], dtype=np.float64)
        dst = src + rng.uniform(-d, d, size=(4, 2))
        rgba = rgba.transform((s, s), Image.PERSPECTIVE, _perspective_coeffs(src, dst), Image.BILINEAR)
    if rng.random() < rotate_p:
        angle = float(rng.uniform(-max_angle, max_angle))
        rgba = rgba.rotate(angle, resample=Image.BILINEAR, expand=False)
    return rgba


def paste_on_background(img: Image.Image, rng: np.random.Generator, shrink=(0.45, 0.9)) -> Image.Image:
    """Shrink (RGBA or RGB) ``img`` and paste it off-centre on a random textured background."""
    size = img.size[0]
    bg = textured_background(rng, size).convert("RGBA")
    f = rng.uniform(*shrink)
    side = max(16, int(size * f))
    small = img.convert("RGBA").resize((side, side), Image.BILINEAR)
    x = int(rng.integers(0, size - side + 1))
    y = int(rng.integers(0, size - side + 1))
    bg.alpha_composite(small, (x, y))
    return bg.convert("RGB")


# ---------------------------------------------------------------- photometric
def colour_jitter(img: Image.Image, rng: np.random.Generator, strength: float = 1.0) -> Image.Image:
    b = 0.4 * strength
    img = ImageEnhance.Brightness(img).enhance(rng.uniform(1 - b, 1 + b))
    img = ImageEnhance.Contrast(img).enhance(rng.uniform(1 - b, 1 + b))
    img = ImageEnhance.Color(img).enhance(rng.uniform(1 - b, 1 + b))
    arr = np.asarray(img).astype(np.float32)
    # lighting: colour cast and gamma
    cast = rng.uniform(1 - 0.12 * strength, 1 + 0.12 * strength, size=3).astype(np.float32)
    gamma = float(rng.uniform(1 - 0.25 * strength, 1 + 0.25 * strength))
    arr = 255.0 * np.power(np.clip(arr * cast / 255.0, 0, 1), gamma)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    if rng.random() < 0.5:
        hsv = np.asarray(img.convert("HSV")).copy()
        shift = int(round(rng.uniform(-0.035, 0.035) * strength * 255))
        hsv[..., 0] = ((hsv[..., 0].astype(np.int16) + shift) % 256).astype(np.uint8)
        img = Image.fromarray(hsv, "HSV").convert("RGB")
    return img


def jpeg_recompress(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    return out.convert("RGB")


def add_noise(img: Image.Image, rng: np.random.Generator, sigma: float) -> Image.Image:
    arr = np.asarray(img).astype(np.float32) + rng.normal(0, sigma, size=(img.size[1], img.size[0], 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


# ---------------------------------------------------------------- pipelines
def augment(img: Image.Image, rng: np.random.Generator, out_size: int = OUT_SIZE) -> Image.Image:
    """Strong random training augmentation. Input: RGB PIL image; output out_size x out_size RGB
    (the trainer asks for the model's input size directly, which halves the cost at 160)."""
    img = img.convert("RGB")
    if rng.random() < 0.5:
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    if rng.random() < 0.25:
        img = img.transpose(Image.FLIP_TOP_BOTTOM)
    img = random_resized_crop(img, rng, scale=(0.3, 1.0), out_size=out_size)
    geo = _geometric_rgba(img, rng, rotate_p=0.5, persp_p=0.35, max_angle=35, max_persp=0.12)
    if rng.random() < 0.35:
        img = paste_on_background(geo, rng, shrink=(0.45, 0.9))
    else:
        bg = textured_background(rng, out_size).convert("RGBA") if rng.random() < 0.5 else Image.new(
            "RGBA", geo.size, random_colour(rng) + (255,)
        )
        bg.alpha_composite(geo)
        img = bg.convert("RGB")
    if rng.random() < 0.85:
        img = colour_jitter(img, rng, strength=1.0)
    if rng.random() < 0.1:
        img = img.convert("L").convert("RGB")
    if rng.random() < 0.25:
        img = img.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.3, 2.0))))
    if rng.random() < 0.2:
        img = add_noise(img, rng, float(rng.uniform(2, 12)))
    if rng.random() < 0.4:
        img = jpeg_recompress(img, int(rng.integers(12, 80)))
    return img


def perturb(img: Image.Image, seed: int) -> Image.Image:
    """The fixed-seed test-time perturbation used for the robustness metric.

    Milder than ``augment`` but of the same families: crop/zoom, rotation, perspective,
    off-centre paste on a textured background, colour/lighting change, blur, noise, JPEG.
    """
    rng = np.random.default_rng(seed)
    img = img.convert("RGB")
    if rng.random() < 0.5:
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    img = random_resized_crop(img, rng, scale=(0.5, 1.0))
    geo = _geometric_rgba(img, rng, rotate_p=0.5, persp_p=0.3, max_angle=25, max_persp=0.08)
    if rng.random() < 0.3:
        img = paste_on_background(geo, rng, shrink=(0.55, 0.9))
    else:
        bg = textured_background(rng, OUT_SIZE).convert("RGBA")
        bg.alpha_composite(geo)
        img = bg.convert("RGB")
    img = colour_jitter(img, rng, strength=0.75)
    if rng.random() < 0.3:
        img = img.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.3, 1.5))))
    if rng.random() < 0.2:
        img = add_noise(img, rng, float(rng.uniform(2, 8)))
    if rng.random() < 0.5:
        img = jpeg_recompress(img, int(rng.integers(20, 70)))
    return img
