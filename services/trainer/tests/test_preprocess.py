import io

import numpy as np
from PIL import Image, ImageOps

from vegtrainer.preprocess import MEAN, STD, load_rgb, preprocess


def _jpeg(w=224, h=224, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def test_shape_dtype_and_determinism():
    data = _jpeg()
    a = preprocess(data, 160)
    b = preprocess(data, 160)
    assert a.shape == (3, 160, 160) and a.dtype == np.float32
    assert np.array_equal(a, b)


def test_matches_reference_definition():
    data = _jpeg(300, 200, seed=1)
    img = Image.open(io.BytesIO(data)).convert("RGB")
    ref = np.asarray(ImageOps.fit(img, (160, 160), method=Image.LANCZOS, centering=(0.5, 0.5)), dtype=np.float32) / 255.0
    ref = ((ref - np.array(MEAN, dtype=np.float32)) / np.array(STD, dtype=np.float32)).transpose(2, 0, 1)
    np.testing.assert_allclose(preprocess(data, 160), ref, rtol=0, atol=1e-6)


def test_cover_crop_keeps_centre():
    # left third red, middle green, right third blue: cover-crop of a 3:1 image keeps the green middle
    arr = np.zeros((100, 300, 3), dtype=np.uint8)
    arr[:, :100, 0] = 255
    arr[:, 100:200, 1] = 255
    arr[:, 200:, 2] = 255
    x = preprocess(Image.fromarray(arr), 64)
    pix = x[:, 32, 32] * np.array(STD, dtype=np.float32) + np.array(MEAN, dtype=np.float32)
    assert pix[1] > 0.95 and pix[0] < 0.05 and pix[2] < 0.05


def test_alpha_composited_over_white():
    img = Image.new("RGBA", (10, 10), (255, 0, 0, 0))  # fully transparent red
    rgb = load_rgb(img)
    assert rgb.mode == "RGB"
    assert rgb.getpixel((5, 5)) == (255, 255, 255)


def test_exif_orientation_applied():
    arr = np.zeros((20, 40, 3), dtype=np.uint8)  # landscape 40x20
    img = Image.fromarray(arr)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW on display
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif.tobytes())
    out = load_rgb(buf.getvalue())
    assert out.size == (20, 40)


def test_grayscale_becomes_rgb():
    img = Image.new("L", (30, 30), 128)
    x = preprocess(img, 16)
    assert x.shape == (3, 16, 16)
