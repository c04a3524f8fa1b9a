import numpy as np
from PIL import Image

from vegtrainer.scenes import photo_view, scene


def items(n=4):
    return [Image.new("RGB", (224, 224), (200, 30 * k, 20)) for k in range(n)]


def test_scene_is_deterministic_and_of_the_asked_size():
    a = scene(items(), np.random.default_rng(7), 160)
    b = scene(items(), np.random.default_rng(7), 160)
    assert a.size == (160, 160) and a.mode == "RGB"
    assert np.array_equal(np.asarray(a), np.asarray(b))


def test_scenes_vary_and_keep_some_of_the_subject():
    outs = [np.asarray(scene(items(), np.random.default_rng(s), 128)) for s in range(12)]
    assert len({o.tobytes() for o in outs}) == 12
    # the red-ish subject is visible in every scene (not covered by background or bag)
    for o in outs:
        red = (o[..., 0].astype(int) - o[..., 2].astype(int)) > 60
        assert red.mean() > 0.01


def test_photo_view_size_and_variety():
    img = Image.new("RGB", (288, 200), (30, 160, 40))
    vs = [photo_view(img, np.random.default_rng(s), 224) for s in range(5)]
    assert all(v.size == (224, 224) for v in vs)
    assert len({np.asarray(v).tobytes() for v in vs}) > 1
