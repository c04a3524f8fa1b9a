"""Measure a model version through the product's own TypeScript pipeline, on dataset and real photos.

    python -m vegtrainer.evaluate_ts --model ../../libs/classifier/models/<version> \\
        --data ../../../shared/data/vegetable-images --photos ../../../shared/data/real-photos [--update-card]

Every image goes through ``vegvision label --json --raw`` (the product's decoding, resize, onnxruntime session
and rejection rule). From its answers this computes, for the dataset's validation split and for the
real-photo validation side of the committed split:
- the answer's accuracy (right kind and not refused) overall and per kind, the kind's top-1, the negatives
  refused; AUROC and FPR at 95% TPR of the rejection score (vegetables vs real negatives); the kept/refused
  table at the card's threshold and a trade-off table of other thresholds;
- calibration: expected calibration error (15 bins) of the shown confidence over every answer that names a
  kind, before (temperature 1) and after the card's temperature;
and draws the real-photo confusion matrix with its "not a vegetable" column, and the reliability diagram.
With ``--update-card`` the figures go into model-card.json (``metrics.typescript``) and model-card.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from .classes import CLASSES
from .data import list_split
from .realsplit import LABELS, load_manifest
from .rejection import auroc

K = len(CLASSES)
REPO = Path(__file__).resolve().parents[3]
CLI = REPO / "services" / "vegvision" / "bin" / "vegvision.js"


def label_files(model_dir: Path, files: list[Path], desc: str, chunk: int = 400) -> list[dict]:
    out: list[dict] = []
    for s in range(0, len(files), chunk):
        part = [str(Path(f).resolve()) for f in files[s:s + chunk]]
        r = subprocess.run(["node", str(CLI), "label", "--json", "--raw", "--model", str(model_dir), *part],
                           capture_output=True, text=True, cwd=REPO)
        rows = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
        if len(rows) != len(part) or any("error" in row for row in rows):
            bad = [row for row in rows if "error" in row][:3]
            raise RuntimeError(f"vegvision label failed on {desc} (exit {r.returncode}): {bad or r.stderr[-2000:]}")
        out += rows
        sys.stderr.write(f"{desc}: {len(out)}/{len(files)} through the TypeScript pipeline\r")
    sys.stderr.write("\n")
    return out


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def ece(conf: np.ndarray, right: np.ndarray, bins: int = 15) -> tuple[float, list[dict]]:
    edges = np.linspace(0, 1, bins + 1)
    total, table = 0.0, []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            gap = abs(conf[m].mean() - right[m].mean())
            total += m.mean() * gap
            table.append({"from": round(float(lo), 3), "to": round(float(hi), 3), "n": int(m.sum()),
                          "meanConfidence": round(float(conf[m].mean()), 4), "accuracy": round(float(right[m].mean()), 4)})
    return float(total), table


def answers(rows: list[dict], temperature: float | None) -> dict:
    """Arrays from the CLI rows; ``temperature`` undoes the folded temperature (for 'before calibration')."""
    logits = np.array([r["logits"] for r in rows], dtype=np.float64)
    kind = np.array([CLASSES.index(r["predictedKind"]) for r in rows])
    refused = np.array([r["kind"] == "not_a_vegetable" for r in rows])
    score = np.array([r["rejectionScore"] for r in rows], dtype=np.float64)
    conf = np.array([r["confidence"] for r in rows], dtype=np.float64)
    p_not = np.array([r.get("notVegetableProbability", np.nan) for r in rows], dtype=np.float64)
    raw_conf = conf
    if temperature is not None and not np.isnan(p_not).any():
        # the exported logits are raw / T, so the raw softmax is p ** T renormalised
        p16 = np.concatenate([softmax(logits) * (1 - p_not)[:, None], p_not[:, None]], 1)
        pt = np.power(np.maximum(p16, 1e-300), temperature)
        raw_conf = (pt / pt.sum(1, keepdims=True))[np.arange(len(rows)), kind]
    return {"kind": kind, "refused": refused, "score": score, "conf": conf, "rawConf": raw_conf}


def measure(model_dir: Path, data: Path, photos: Path, manifest: Path, figures: Path | None) -> dict:
    card = json.loads((model_dir / "model-card.json").read_text())
    T = (card.get("calibration") or {}).get("temperature")
    val = list_split(data, "validation")
    real = [r for r in load_manifest(manifest, photos) if r.split == "validation"]
    kag_rows = label_files(model_dir, [s.path for s in val], "dataset validation")
    real_rows = label_files(model_dir, [r.path for r in real], "real validation")
    yk = np.array([s.label for s in val])
    yr = np.array([r.label for r in real])
    ak, ar = answers(kag_rows, T), answers(real_rows, T)
    veg = yr < K
    right_r = (ar["kind"] == yr) & ~ar["refused"]
    right_k = (ak["kind"] == yk) & ~ak["refused"]
    acc_method = card["rejection"]["method"]
    s_veg, s_neg = ar["score"][veg], ar["score"][~veg]
    if card["rejection"].get("acceptWhen", "score >= threshold") == "score <= threshold":
        s_veg, s_neg = -s_veg, -s_neg
    thr95 = np.quantile(s_veg, 0.05)
    per_kind = {}
    for k, name in enumerate(CLASSES):
        m = yr == k
        per_kind[name] = {"n": int(m.sum()), "answerRight": round(float(right_r[m].mean()), 4),
                          "kindTop1": round(float((ar["kind"][m] == k).mean()), 4),
                          "refused": round(float(ar["refused"][m].mean()), 4)}
    # kept/refused at the card's threshold
    table = {"vegetables": {"kept": int((~ar["refused"][veg]).sum()), "refused": int(ar["refused"][veg].sum())},
             "negatives": {"kept": int((~ar["refused"][~veg]).sum()), "refused": int(ar["refused"][~veg].sum())}}
    # trade-off over thresholds on the same score
    trade = []
    sc = ar["score"] if card["rejection"].get("acceptWhen", "score >= threshold") != "score <= threshold" else -ar["score"]
    for q in (0.80, 0.85, 0.90, 0.93, 0.95, 0.97):
        keep = sc > float(np.quantile(s_neg, q))
        trade.append({"negativesRefused": round(float((~keep[~veg]).mean()), 4),
                      "realAnswerRight": round(float(((ar["kind"] == yr) & keep)[veg].mean()), 4)})
    shown = ~ar["refused"]
    right_shown = (ar["kind"] == yr)[shown]
    ece_after, bins_after = ece(ar["conf"][shown], right_shown)
    ece_before, bins_before = ece(ar["rawConf"][shown], right_shown)
    result = {
        "pipeline": "vegvision label --json --raw (libs/imaging decode, libs/classifier resize + onnxruntime + rejection)",
        "datasetValidation": {"photos": "Kaggle validation split (clean close-ups)", "n": int(len(yk)),
                              "answerRight": round(float(right_k.mean()), 5),
                              "kindTop1": round(float((ak["kind"] == yk).mean()), 5),
                              "refused": round(float(ak["refused"].mean()), 5)},
        "realValidation": {
            "photos": "real-photo validation side of splits/real-photos-v1.json (web, shop and market photos)",
            "nVegetables": int(veg.sum()), "nNegatives": int((~veg).sum()),
            "answerRight": round(float(right_r[veg].mean()), 4),
            "kindTop1": round(float((ar["kind"][veg] == yr[veg]).mean()), 4),
            "negativesRefused": round(float(ar["refused"][~veg].mean()), 4),
            "auroc": round(float(auroc(s_veg, s_neg)), 4),
            "fprAt95Tpr": round(float((s_neg >= thr95).mean()), 4),
            "rejectionMethod": acc_method, "threshold": card["rejection"]["threshold"],
            "keptRefused": table, "tradeoff": trade, "perKind": per_kind,
        },
        "calibration": {"what": "expected calibration error (15 bins) of the shown confidence over real-validation "
                                "answers that name a kind (a negative taken for a kind counts as wrong)",
                        "temperature": T, "eceBefore": round(ece_before, 4), "eceAfter": round(ece_after, 4),
                        "bins": bins_after},
    }
    if figures is not None:
        figures.mkdir(parents=True, exist_ok=True)
        plot_real_confusion(ar, yr, figures / "real-confusion-matrix.png", card["version"], result["realValidation"])
        plot_reliability(bins_before, bins_after, figures / "calibration.png", card["version"], ece_before, ece_after)
    answers_doc = {"version": card["version"], "manifest": "services/trainer/splits/real-photos-v1.json",
                   "producedBy": "vegtrainer.evaluate_ts (vegvision label --json --raw)",
                   "items": [{"file": r.rel, "label": LABELS[r.label], "answer": row["kind"]} for r, row in zip(real, real_rows)]}
    return result, answers_doc


def plot_real_confusion(ar: dict, y: np.ndarray, path: Path, version: str, rv: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = K + 1
    answered = np.where(ar["refused"], K, ar["kind"])
    conf = np.zeros((n, n), dtype=int)
    for t, a in zip(y, answered):
        conf[t, a] += 1
    names = list(CLASSES) + ["not a vegetable"]
    fig, ax = plt.subplots(figsize=(10, 8.5))
    rowsum = np.maximum(conf.sum(1, keepdims=True), 1)
    ax.imshow(conf / rowsum, cmap="Greens", vmin=0, vmax=1)
    for i in range(n):
        for j in range(n):
            if conf[i, j]:
                ax.text(j, i, str(conf[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if conf[i, j] / rowsum[i, 0] > 0.6 else "black")
    ax.set_xticks(range(n), names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(n), names, fontsize=8)
    ax.set_xlabel("answer (last column: refused as not a vegetable)")
    ax.set_ylabel("true label (last row: real non-vegetables)")
    ax.set_title(f"{version}: real-photo validation, through the TypeScript pipeline\n"
                 f"answer right {rv['answerRight']:.1%} of {rv['nVegetables']} vegetables, "
                 f"{rv['negativesRefused']:.1%} of {rv['nNegatives']} negatives refused, AUROC {rv['auroc']:.3f}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_reliability(before: list[dict], after: list[dict], path: Path, version: str, e0: float, e1: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect")
    for bins, lab, c in ((before, f"before (T=1): ECE {e0:.3f}", "tab:red"), (after, f"after: ECE {e1:.3f}", "tab:green")):
        ax.plot([b["meanConfidence"] for b in bins], [b["accuracy"] for b in bins], "o-", color=c, label=lab)
    ax.set_xlabel("shown confidence")
    ax.set_ylabel("share right")
    ax.set_title(f"{version}: calibration on real-photo validation", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="model directory (model.onnx + model-card.json)")
    ap.add_argument("--data", required=True)
    ap.add_argument("--photos", required=True)
    ap.add_argument("--manifest", default=str(Path(__file__).resolve().parent.parent / "splits" / "real-photos-v1.json"))
    ap.add_argument("--update-card", action="store_true", help="write the figures into the model card and its pictures")
    ap.add_argument("--out", default=None, help="also write the figures to this JSON file")
    a = ap.parse_args(argv)
    model_dir = Path(a.model).resolve()
    card_path = model_dir / "model-card.json"
    version = json.loads(card_path.read_text())["version"]
    figures = REPO / "docs" / "models" / version if a.update_card else None
    res, answers_doc = measure(model_dir, Path(a.data), Path(a.photos), Path(a.manifest), figures)
    print(json.dumps({k: v for k, v in res.items() if k != "calibration"}, indent=1))
    print(f"calibration: ECE {res['calibration']['eceBefore']:.4f} -> {res['calibration']['eceAfter']:.4f}")
    if a.out:
        Path(a.out).write_text(json.dumps(res, indent=1) + "\n")
    if a.update_card:
        card = json.loads(card_path.read_text())
        card.setdefault("metrics", {})["typescript"] = res
        card["metrics"]["validationTop1"] = res["datasetValidation"]["kindTop1"]  # what the parity test holds it to
        card["metrics"]["validationCount"] = res["datasetValidation"]["n"]
        card_path.write_text(json.dumps(card, indent=2) + "\n")
        (model_dir / "real-validation-answers.json").write_text(
            "{\n" + ",\n".join(f' "{k}": {json.dumps(v)}' for k, v in answers_doc.items() if k != "items")
            + ',\n "items": [\n' + ",\n".join(json.dumps(it) for it in answers_doc["items"]) + "\n ]\n}\n")
        from .real_report import write_markdown

        write_markdown(model_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
