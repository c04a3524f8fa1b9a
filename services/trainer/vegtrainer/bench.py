"""Interleaved latency benchmark of a model directory's model.onnx against InceptionV3@299 (onnxruntime CPU,
batch 1). The machine is shared, so both models are timed in alternating rounds and the minimum and the
median are reported; the speed-up uses the minima (least disturbed by other processes).

    python -m vegtrainer.bench --model ../../libs/classifier/models/mnv2-160-v1 [--inception PATH] [--update]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from .export import INPUT_NAME, export_onnx, ort_session


def interleaved(paths_sizes, threads: int = 2, rounds: int = 15, per_round: int = 3) -> list[dict]:
    sessions = []
    for path, size in paths_sizes:
        sess = ort_session(path, threads)
        x = np.random.default_rng(0).standard_normal((1, 3, size, size)).astype(np.float32)
        names = [o.name for o in sess.get_outputs()]
        for _ in range(3):
            sess.run(names, {INPUT_NAME: x})
        sessions.append((sess, x, names))
    times = [[] for _ in sessions]
    for _ in range(rounds):
        for k, (sess, x, names) in enumerate(sessions):
            for _ in range(per_round):
                t = time.perf_counter()
                sess.run(names, {INPUT_NAME: x})
                times[k].append((time.perf_counter() - t) * 1000.0)
    return [{"minMs": float(np.min(t)), "medianMs": float(np.median(t)), "runs": len(t), "threads": threads}
            for t in times]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--inception", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--update", action="store_true", help="write the numbers into model-card.json/.md")
    a = ap.parse_args(argv)
    model = Path(a.model)
    card = json.loads((model / "model-card.json").read_text())
    size = card["input"]["size"]
    inc = Path(a.inception) if a.inception else None
    if inc is None or not inc.exists():
        from torchvision.models import inception_v3

        inc = export_onnx(inception_v3(weights=None, aux_logits=False, init_weights=True).eval(),
                          Path(tempfile.mkdtemp()) / "inception_v3_299.onnx", 299, output_names=("logits",))
    mine, ref = interleaved([(model / "model.onnx", size), (inc, 299)], a.threads, a.rounds)
    speed_min = ref["minMs"] / mine["minMs"]
    speed_med = ref["medianMs"] / mine["medianMs"]
    print(f"model {mine['minMs']:.1f} ms min / {mine['medianMs']:.1f} ms median; InceptionV3@299 "
          f"{ref['minMs']:.1f} / {ref['medianMs']:.1f} ms; speed-up {speed_min:.1f}x (min) {speed_med:.1f}x (median)")
    if a.update:
        m = card["metrics"]
        m["latencyMs"] = round(mine["minMs"], 2)
        m["inceptionV3LatencyMs"] = round(ref["minMs"], 2)
        m["speedupVsInceptionV3"] = round(speed_min, 2)
        m["latencyMedianMs"] = round(mine["medianMs"], 2)
        m["inceptionV3LatencyMedianMs"] = round(ref["medianMs"], 2)
        m["speedupVsInceptionV3Median"] = round(speed_med, 2)
        m["latencyNote"] = (f"onnxruntime CPU, batch 1, {a.threads} threads, minimum of {mine['runs']} runs interleaved "
                            f"with InceptionV3 on a shared, loaded {platform.machine()} machine")
        (model / "model-card.json").write_text(json.dumps(card, indent=2) + "\n")
        from .report import rerender

        rerender(model)
        print("updated model card")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
