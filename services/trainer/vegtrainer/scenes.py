"""Augmentations that turn the dataset's clean close-ups into real-looking photos, and the milder
augmentation of real photos themselves.

The Kaggle images show one vegetable (or a neat pile) filling a 224x224 frame. What users upload is a
shop shelf, a market crate, a bag on a kitchen counter, a phone photo in hard light: several items,
small subjects in a large frame, clutter, plastic bags, shadows, blur and phone JPEG. ``scene`` builds
such a photo from several dataset images of one kind; ``photo_view`` varies a real photo (crop, flip,
small rotation, light, blur, JPEG) without changing what it shows.

All functions take RGB PIL images and draw every random choice from a ``numpy.random.Generator``.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .augment import colour_jitter, jpeg_recompress, add_noise, random_colour, random_resized_crop, textured_background


def _soft_ellipse_mask(w: int, h: int, rng: np.random.Generator) -> Image.Image:
    """An elliptical alpha mask with a blurred edge (an item cut roughly out of its own background)."""
    m = Image.new("L", (w, h), 0)
    inset = rng.uniform(0.0, 0.12)
    ImageDraw.Draw(m).ellipse([w * inset, h * inset, w * (1 - inset), h * (1 - inset)], fill=255)
    return m.filter(ImageFilter.GaussianBlur(radius=max(1.0, 0.04 * min(w, h))))


def _counter_background(rng: np.random.Generator, size: int) -> Image.Image:
    """A plain surface: counter, table, cloth or shelf board (solid colour with a soft gradient and grain)."""
    base = np.asarray(random_colour(rng), dtype=np.float32)
    if rng.random() < 0.5:  # muted, like wood, steel, plastic crates or cloth
        base = 0.45 * base + 0.55 * np.asarray(rng.choice([[200, 170, 130], [180, 180, 185], [230, 230, 225],
                                                            [90, 70, 50], [40, 90, 50], [60, 60, 70]]), np.float32)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    shade = 1.0 + rng.uniform(-0.35, 0.35) * (xx - 0.5) + rng.uniform(-0.35, 0.35) * (yy - 0.5)
    grain = rng.normal(0, rng.uniform(1, 8), size=(size, size, 1))
    arr = base[None, None, :] * shade[..., None] + grain
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    if rng.random() < 0.4:  # shelf edges / crate slats
        d = ImageDraw.Draw(img)
        for _ in range(int(rng.integers(1, 4))):
            y = int(rng.integers(0, size))
            d.rectangle([0, y, size, y + int(rng.integers(3, 14))], fill=random_colour(rng))
    return img


def _bag_overlay(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A clear or mesh plastic bag over the subject: a hazy layer, specular streaks, sometimes a net."""
    w, h = img.size
    layer = Image.new("RGBA", (w, h), (255, 255, 255, 0))
    d = ImageDraw.Draw(layer)
    haze = int(rng.integers(20, 80))
    tint = (255, 255, 255) if rng.random() < 0.7 else random_colour(rng)
    d.rectangle([0, 0, w, h], fill=tint + (haze,))
    for _ in range(int(rng.integers(2, 7))):  # creases and highlights
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        x1, y1 = x0 + int(rng.integers(-w // 2, w // 2)), y0 + int(rng.integers(-h // 2, h // 2))
        d.line([x0, y0, x1, y1], fill=(255, 255, 255, int(rng.integers(60, 160))), width=int(rng.integers(2, 9)))
    if rng.random() < 0.35:  # mesh / net bag
        step = int(rng.integers(6, 16))
        col = random_colour(rng) + (int(rng.integers(90, 200)),)
        for k in range(-h, w, step):
            d.line([k, 0, k + h, h], fill=col, width=1)
            d.line([k + h, 0, k, h], fill=col, width=1)
    layer = layer.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.5, 2.0))))
    out = img.convert("RGBA")
    out.alpha_composite(layer)
    return out.convert("RGB")


def _hard_light(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Directional light and shadow, over- or under-exposure, a colour cast (shop lighting)."""
    arr = np.asarray(img).astype(np.float32) / 255.0
    h, w = arr.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    theta = rng.uniform(0, 2 * np.pi)
    t = ((xx / w - 0.5) * np.cos(theta) + (yy / h - 0.5) * np.sin(theta)) + 0.5
    light = 1.0 + rng.uniform(0.2, 0.8) * (t - 0.5)
    arr = arr * light[..., None]
    arr = np.power(np.clip(arr, 0, 1), rng.uniform(0.6, 1.6))
    arr = arr * np.asarray([rng.uniform(0.85, 1.15) for _ in range(3)], np.float32)[None, None, :]
    return Image.fromarray((np.clip(arr, 0, 1) * 255).astype(np.uint8), "RGB")


def _camera(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Focus blur, sensor noise and phone JPEG."""
    if rng.random() < 0.3:
        img = img.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.4, 2.2))))
    if rng.random() < 0.25:
        img = add_noise(img, rng, float(rng.uniform(2, 10)))
    if rng.random() < 0.6:
        img = jpeg_recompress(img, int(rng.integers(25, 90)))
    return img


def scene(items: list[Image.Image], rng: np.random.Generator, out_size: int) -> Image.Image:
    """A real-looking photo of one kind made from ``items`` (1..n dataset close-ups of that kind).

    Layouts: a pile or crate filling the frame (items overlapping), a few items on a counter or shelf,
    or one small item in a large frame; then sometimes a bag, hard light, and the camera.
    """
    size = out_size
    r = rng.random()
    bg = textured_background(rng, size) if rng.random() < 0.35 else _counter_background(rng, size)
    canvas = bg.convert("RGBA")
    if r < 0.4:      # pile / crate: many overlapping items
        n, scale = int(rng.integers(4, 10)), (0.3, 0.55)
    elif r < 0.8:    # a few items on a surface
        n, scale = int(rng.integers(2, 5)), (0.25, 0.5)
    else:            # one small subject in a large frame
        n, scale = 1, (0.22, 0.45)
    for k in range(n):
        src = items[k % len(items)]
        if rng.random() < 0.5:
            src = src.transpose(Image.FLIP_LEFT_RIGHT)
        s = int(size * rng.uniform(*scale))
        tile = random_resized_crop(src, rng, scale=(0.5, 1.0), out_size=s).convert("RGBA")
        if rng.random() < 0.6:
            tile = tile.rotate(float(rng.uniform(-40, 40)), resample=Image.BICUBIC, expand=True)
        mask = _soft_ellipse_mask(tile.size[0], tile.size[1], rng) if rng.random() < 0.7 else None
        if mask is not None:
            a = np.minimum(np.asarray(tile.getchannel("A")), np.asarray(mask))
            tile.putalpha(Image.fromarray(a))
        x = int(rng.integers(-tile.size[0] // 4, max(1, size - tile.size[0] * 3 // 4)))
        y = int(rng.integers(-tile.size[1] // 4, max(1, size - tile.size[1] * 3 // 4)))
        canvas.alpha_composite(tile, dest=(max(0, x), max(0, y)))
    img = canvas.convert("RGB")
    if rng.random() < 0.25:
        img = _bag_overlay(img, rng)
    if rng.random() < 0.5:
        img = _hard_light(img, rng)
    if rng.random() < 0.6:
        img = colour_jitter(img, rng, strength=0.8)
    return _camera(img, rng)


def photo_view(img: Image.Image, rng: np.random.Generator, out_size: int) -> Image.Image:
    """A variation of a real photo that keeps what it shows: crop/zoom, flip, small rotation, light, camera."""
    img = img.convert("RGB")
    if rng.random() < 0.5:
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    if rng.random() < 0.3:
        img = img.rotate(float(rng.uniform(-20, 20)), resample=Image.BICUBIC, expand=False, fillcolor=random_colour(rng))
    img = random_resized_crop(img, rng, scale=(0.45, 1.0), out_size=out_size)
    if rng.random() < 0.3:
        img = _hard_light(img, rng)
    if rng.random() < 0.7:
        img = colour_jitter(img, rng, strength=0.6)
    if rng.random() < 0.08:
        img = img.convert("L").convert("RGB")
    return _camera(img, rng)
