"""Export torchvision InceptionV3 (random weights) at 1x3x299x299 with a dynamic batch axis to ONNX,
for the inference-speed benchmark. The file is ~90 MB: never commit it.

    python services/trainer/export_inception.py [OUT_PATH]   (default bench/model/.cache/inception_v3_299.onnx)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from torchvision.models import inception_v3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vegtrainer.export import export_onnx  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", default="bench/model/.cache/inception_v3_299.onnx")
    ap.add_argument("--opset", type=int, default=17)
    args = ap.parse_args(argv)
    torch.manual_seed(0)
    model = inception_v3(weights=None, aux_logits=False, init_weights=True).eval()
    path = export_onnx(model, args.out, 299, output_names=("logits",), opset=args.opset)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
