"""Quick architecture / input-size measurement: accuracy vs inference cost.

For each input size: GMACs, onnxruntime CPU latency (batch 1, 2 threads) of the full MobileNetV2
graph, and the validation accuracy of a linear probe (logistic regression) on the frozen ImageNet
embedding, trained on a class-balanced train subset. InceptionV3@299 latency is the reference.

    python -m vegtrainer.compare --data ../../../shared/data/vegetable-images --out /tmp/vegtrainer-compare.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from .data import list_split
from .bench import interleaved
from .export import export_onnx, ort_predict, ort_session
from .model import VegNet, count_macs


def subset(samples, per_class: int):
    out, seen = [], {}
    for s in samples:
        if seen.get(s.label, 0) < per_class:
            out.append(s)
            seen[s.label] = seen.get(s.label, 0) + 1
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sizes", default="160,192,224")
    ap.add_argument("--train-per-class", type=int, default=60)
    ap.add_argument("--val-per-class", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--inception-onnx", default=None)
    ap.add_argument("--probe-from", default=None, help="reuse linear-probe accuracies from an earlier output JSON (latency only)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    from sklearn.linear_model import LogisticRegression

    train = subset(list_split(args.data, "train"), args.train_per_class)
    val = subset(list_split(args.data, "validation"), args.val_per_class)
    ytr = np.array([s.label for s in train])
    yva = np.array([s.label for s in val])
    tmp = Path(tempfile.mkdtemp())
    previous = json.loads(Path(args.probe_from).read_text()) if args.probe_from else None
    net = VegNet(cut=17).eval()
    rows = []
    for S in [int(v) for v in args.sizes.split(",")]:
        path = export_onnx(net, tmp / f"mnv2_{S}.onnx", S)
        t = time.time()
        if previous is not None:
            acc = next(r["linearProbeValTop1"] for r in previous["rows"] if r["size"] == S)
        else:
            sess = ort_session(path, args.threads)
            etr = ort_predict(sess, [s.path for s in train], S, desc=f"probe train {S}")["embedding"]
            eva = ort_predict(sess, [s.path for s in val], S, desc=f"probe val {S}")["embedding"]
            clf = LogisticRegression(max_iter=2000, C=1.0).fit(etr, ytr)
            acc = float((clf.predict(eva) == yva).mean())
        rows.append({"arch": "MobileNetV2", "size": S, "gmacs": round(count_macs(net, S) / 1e9, 4),
                     "linearProbeValTop1": round(acc, 4), "onnx": str(path), "seconds": round(time.time() - t, 1)})
        print(rows[-1], flush=True)
    inc = Path(args.inception_onnx) if args.inception_onnx else None
    if inc is None or not inc.exists():
        from torchvision.models import inception_v3

        inc = export_onnx(inception_v3(weights=None, aux_logits=False, init_weights=True).eval(), tmp / "inc.onnx", 299,
                          output_names=("logits",))
    # time all candidates and the reference in alternating rounds (the machine is shared); use the minima
    lats = interleaved([(r["onnx"], r["size"]) for r in rows] + [(inc, 299)], threads=args.threads, rounds=10)
    for r, lat in zip(rows, lats):
        r["latencyMs"] = round(lat["minMs"], 2)
        r["latencyMedianMs"] = round(lat["medianMs"], 2)
        del r["onnx"]
    lat_inc = {"medianMs": lats[-1]["minMs"], "median": lats[-1]["medianMs"]}
    md = ["| model | input | GMACs | ORT latency ms (b=1, 2 threads, min) | speed-up vs InceptionV3 | linear-probe val top-1 |",
          "|---|---|---|---|---|---|",
          f"| InceptionV3 (reference, random weights) | 299 | 5.713 | {lat_inc['medianMs']:.1f} | 1.0× | – |"]
    for r in rows:
        md.append(f"| {r['arch']} | {r['size']} | {r['gmacs']:.3f} | {r['latencyMs']:.1f} | "
                  f"{lat_inc['medianMs'] / r['latencyMs']:.1f}× | {100 * r['linearProbeValTop1']:.2f}% |")
    note = (f"Linear probe = logistic regression on the frozen ImageNet 1280-d embedding, {args.train_per_class} train "
            f"images/class, evaluated on {args.val_per_class} validation images/class, canonical preprocessing. "
            "Latencies: minimum of 30 onnxruntime runs per model, all models timed in alternating rounds on the shared "
            "2-core CPU while other jobs were running (medians are in the JSON).")
    doc = {"rows": rows, "inceptionV3LatencyMs": round(lat_inc["medianMs"], 2), "note": note,
           "markdown": "\n".join(md) + "\n\n" + note}
    Path(args.out).write_text(json.dumps(doc, indent=2) + "\n")
    print(doc["markdown"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
