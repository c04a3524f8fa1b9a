"""Artefacts of a train_real.py run: threshold, ONNX check, speed, model card (json + md), pictures."""

from __future__ import annotations

import json
import platform
import shlex
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from .classes import CLASSES
from .export import ort_predict, ort_session
from .model import count_macs, sha256_file
from .preprocess import RESIZE_NAME
from .report import ATTRIBUTION, figures_dir, write_reference

K = len(CLASSES)


def _softmax(z):
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def choose_threshold(real_logits16, y_real, kag_logits16, y_kag, refuse_target: float) -> dict:
    """Among thresholds on P(vegetable) that refuse at least ``refuse_target`` of the real negatives, the one
    with the most right answers on real vegetables plus refused negatives (dataset answers as a tie-break)."""
    pr, pk = _softmax(real_logits16), _softmax(kag_logits16)
    veg_r, kind_r = 1 - pr[:, K], pr[:, :K].argmax(1)
    veg_k, kind_k = 1 - pk[:, K], pk[:, :K].argmax(1)
    is_veg = y_real < K
    best = None
    for t in np.unique(np.concatenate([veg_r[~is_veg], [0.5]])):
        refused = float((veg_r[~is_veg] <= t).mean())
        if refused < refuse_target:
            continue
        right = float(((kind_r == y_real) & (veg_r > t))[is_veg].mean())
        kag = float(((kind_k == y_kag) & (veg_k > t)).mean())
        key = (right + refused, kag)
        if best is None or key > best[0]:
            best = (key, {"threshold": float(t), "realAnswerRight": right, "realNegativesRefused": refused,
                          "datasetAnswerRight": kag})
    return best[1]


def plot_curves(history, path: Path, best_epoch: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ep = [h["epoch"] for h in history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    a.plot(ep, [h["trainLoss"] for h in history], "o-", label="train loss (16-way)")
    a.set_xlabel("epoch")
    a.legend()
    for key, lab in (("realAnswerRight", "real validation: answer right"), ("realNegativesRefused", "real validation: negatives refused"),
                     ("realAUROC", "real validation: AUROC"), ("kaggleAnswerRight", "dataset validation: answer right")):
        b.plot(ep, [h[key] for h in history], "o-", label=lab)
    b.axvline(best_epoch, color="grey", ls="--", lw=1)
    b.set_xlabel("epoch (dashed: selected)")
    b.set_ylim(0.7, 1.0)
    b.legend(fontsize=8, loc="lower right")
    fig.suptitle("training on cached trunk features; real-validation figures at the 90%-refusal threshold of each epoch")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def finish(*, out: Path, version, args, spec, size, cut, n_blocks, exported, temperature, history, best_epoch,
           train_seconds, cache_seconds, finetune_seconds, device, counts, val_outputs, extra_sets=()) -> dict:
    onnx_path = out / "model.onnx"
    (lr, yr), (lk, yk) = val_outputs["real"], val_outputs["kaggle"]
    thr = choose_threshold(lr / temperature, yr, lk / temperature, yk, args.refuse_target)
    print(f"threshold P(vegetable) > {thr['threshold']:.4f}: real answer right {thr['realAnswerRight']:.4f}, "
          f"negatives refused {thr['realNegativesRefused']:.4f}, dataset answer right {thr['datasetAnswerRight']:.4f}", flush=True)

    sess = ort_session(onnx_path, threads=args.threads)
    chk = torch.randn(4, 3, size, size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        t_out = exported(chk)
    o = sess.run(["logits", "other"], {"input": chk.numpy()})
    max_diff = float(max(np.abs(o[0] - t_out[0].numpy()).max(), np.abs(o[1] - t_out[1].numpy()).max()))
    if max_diff > 1e-3:
        raise RuntimeError(f"ONNX export does not match PyTorch (max diff {max_diff})")

    from .data import list_split

    val = list_split(args.data, "validation")
    ref = ort_predict(sess, [s.path for s in val], size, desc="validation reference (onnxruntime)", mean=spec.mean, std=spec.std)
    write_reference(out / "validation-reference.json", version, size, val, ref["logits"])

    from torchvision.models import inception_v3

    from .bench import interleaved
    from .export import export_onnx

    inc = Path(tempfile.mkdtemp()) / "inception_v3_299.onnx"
    export_onnx(inception_v3(weights=None, aux_logits=False, init_weights=True).eval(), inc, 299, output_names=("logits",))
    lat, lat_inc = interleaved([(onnx_path, size), (inc, 299)], threads=args.threads)
    macs = count_macs(exported, size)

    figures = figures_dir(version)
    figures.mkdir(parents=True, exist_ok=True)
    plot_curves(history, figures / "training-curves.png", best_epoch)
    argv = ["python", "-m", "vegtrainer.train_real"] + sys.argv[1:]
    card = {
        "version": version,
        "createdAt": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "architecture": f"{spec.description} pretrained; blocks [{cut}:{n_blocks}] + head conv fine-tuned, new 16-way "
                        f"linear head (15 kinds + not a vegetable), input {size}x{size}",
        "classes": list(CLASSES),
        "input": {"name": "input", "size": size, "layout": "NCHW", "channels": "RGB", "mean": list(spec.mean),
                  "std": list(spec.std), "scale": "1/255", "resize": RESIZE_NAME},
        "outputs": {"logits": "logits", "other": "other", "embedding": "embedding"},
        "rejection": {"method": "other_class", "threshold": round(thr["threshold"], 6), "acceptWhen": "score >= threshold",
                      "score": "1 - softmax([logits, other])[other] = P(vegetable)",
                      "chosenOn": f"real-photo validation: at least {args.refuse_target:.0%} of real negatives refused, "
                                  "most right answers + refusals"},
        "calibration": {"method": "temperature scaling, folded into model.onnx (logits and other are divided by it)",
                        "temperature": round(float(temperature), 5), "fittedOn": "real-photo validation, 16-way NLL"},
        "sha256": sha256_file(onnx_path),
        "metrics": {
            "trainSeconds": round(train_seconds, 1),
            "trainSecondsBreakdown": {"trunkFeatures": round(cache_seconds, 1), "fineTuning": round(finetune_seconds, 1)},
            "gflops": round(macs / 1e9, 4),
            "onnxBytes": onnx_path.stat().st_size,
            "latencyMs": round(lat["minMs"], 2), "inceptionV3LatencyMs": round(lat_inc["minMs"], 2),
            "speedupVsInceptionV3": round(lat_inc["minMs"] / lat["minMs"], 2),
            "latencyNote": f"onnxruntime CPU, batch 1, {args.threads} threads, minimum of interleaved runs with "
                           f"InceptionV3@299 on a shared {platform.machine()} machine",
            "onnxVsTorchMaxAbsDiff": max_diff,
            "trainerThreshold": {k: round(v, 5) for k, v in thr.items()},
        },
        "training": {
            "data": (f"../shared/data/vegetable-images train ({counts['datasetTrain']} images, clean + {args.scene_views} "
                     f"scene/photo-like views each); " + real_train_sentence(counts, args) +
                     f"{counts['syntheticNegatives']} synthetic non-vegetable images. "
                     f"Selection, calibration and threshold: dataset validation and real-photo validation "
                     f"({counts['realValidation']}). Test split never read. " + extra_sets_sentence(extra_sets) + ATTRIBUTION),
            "extraSets": list(extra_sets),
            "backbone": spec.name, "size": size, "tailBlocks": args.tail_blocks, "epochs": args.epochs,
            "selectedEpoch": best_epoch, "batch": args.batch, "lr": args.lr, "tailLrMult": args.tail_lr_mult,
            "realWeight": args.real_weight, "labelSmoothing": args.label_smoothing, "seed": args.seed,
            "device": str(device), "command": " ".join(shlex.quote(a) for a in argv),
            "history": [{k: (round(v, 5) if isinstance(v, float) else v) for k, v in h.items()} for h in history],
        },
    }
    (out / "model-card.json").write_text(json.dumps(card, indent=2) + "\n")
    write_markdown(out)
    return card


def real_train_sentence(counts, args) -> str:
    """The card's data sentence about the real train photos: the folder's train side, or none of it (--real-train-from-sets)."""
    if counts.get("realTrainFrom") == "extra sets":
        return (f"no photo of the real-photos folder's train side (--real-train-from-sets: the real photos trained are "
                f"the exported sets' below, clean + {args.photo_views} views each); ")
    return (f"real-photo train side of splits/real-photos-v1.json ({counts['realTrain']} photos, "
            f"{counts['realTrainVegetables']} vegetables, the rest real negatives; clean + {args.photo_views} views each); ")


def extra_sets_sentence(extra_sets) -> str:
    """The card's data sentence about the sets exported from the product's log ('' without any)."""
    if not extra_sets:
        return ""
    parts = [f"{e['used']} of {e['exported']} images of {e['dir']} (log position {e['log']['position']}, manifest sha256 "
             f"{e['manifestSha256'][:12]})" for e in extra_sets]
    return ("Also trained as real photos: the kinds people gave in the product, exported by `vegvision export training-set`: "
            + "; ".join(parts) + " (those of a validation side or already training data left out). ")


def extra_sets_lines(extra_sets) -> list[str]:
    """Markdown: one table row per extra set (what the manifest header says and what was used)."""
    if not extra_sets:
        return []
    L = ["### Exported training sets (`--extra-set`)", "",
         "| set | exported at | log position | manifest sha256 | exported per kind | used | skipped |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for e in extra_sets:
        kinds = ", ".join(f"{k} {n}" for k, n in e["exportedPerKind"].items()) or "none"
        skipped = ", ".join(f"{k} {n}" for k, n in e["skipped"].items()) or "none"
        L.append(f"| `{e['dir']}` | {e['exportedAt']} | {e['log']['position']} | `{e['manifestSha256']}` | {kinds} | "
                 f"{e['used']} of {e['exported']} | {skipped} |")
    return L + [""]


def _pct(x) -> str:
    return f"{100 * x:.2f}%"


def write_markdown(model_dir: Path) -> None:
    """model-card.md from model-card.json (the TypeScript-measured figures when present)."""
    card = json.loads((model_dir / "model-card.json").read_text())
    m, tr = card["metrics"], card["training"]
    v = card["version"]
    L = [f"# Model card: {v}", "", card["architecture"] + ".", ""]
    ts = m.get("typescript")
    if ts:
        rv, dv, cal = ts["realValidation"], ts["datasetValidation"], ts["calibration"]
        L += ["## Results (measured through the product's TypeScript pipeline)", "",
              f"Pipeline: {ts['pipeline']}.", "",
              "| photos | measure | value |", "| --- | --- | --- |",
              f"| real-photo validation ({rv['nVegetables']} vegetables) | answer right (right kind, not refused) | **{_pct(rv['answerRight'])}** |",
              f"| real-photo validation | kind top-1 (ignoring refusal) | {_pct(rv['kindTop1'])} |",
              f"| real-photo validation ({rv['nNegatives']} real non-vegetables) | refused as not a vegetable | **{_pct(rv['negativesRefused'])}** |",
              f"| real-photo validation | AUROC of P(vegetable), vegetables vs real negatives | {rv['auroc']:.4f} |",
              f"| real-photo validation | false-positive rate at 95% true-positive rate | {_pct(rv['fprAt95Tpr'])} |",
              f"| dataset validation ({dv['n']}, Kaggle close-ups) | answer right | **{_pct(dv['answerRight'])}** |",
              f"| dataset validation | kind top-1 / refused | {_pct(dv['kindTop1'])} / {_pct(dv['refused'])} |",
              f"| real-photo validation | calibration error (ECE, 15 bins) before → after temperature {cal['temperature']} | "
              f"{cal['eceBefore']:.4f} → {cal['eceAfter']:.4f} |", "",
              ]
        prev = m.get("previousModelOnTheSamePhotos")
        if prev:
            pr, pd = prev["realValidation"], prev["datasetValidation"]
            L += ["The same photos through the same pipeline, previous default and this model:", "",
                  f"| | {prev['version']} | {v} |", "| --- | --- | --- |",
                  f"| real: answer right | {_pct(pr['answerRight'])} | {_pct(rv['answerRight'])} |",
                  f"| real: kind top-1 | {_pct(pr['kindTop1'])} | {_pct(rv['kindTop1'])} |",
                  f"| real: negatives refused | {_pct(pr['negativesRefused'])} | {_pct(rv['negativesRefused'])} |",
                  f"| real: AUROC | {pr['auroc']:.4f} | {rv['auroc']:.4f} |",
                  f"| real: FPR at 95% TPR | {_pct(pr['fprAt95Tpr'])} | {_pct(rv['fprAt95Tpr'])} |",
                  f"| real: calibration error (ECE) | {prev['calibration']['ece']:.4f} | {cal['eceAfter']:.4f} |",
                  f"| dataset: answer right | {_pct(pd['answerRight'])} | {_pct(dv['answerRight'])} |", ""]
        L += [f"Rejection: `{card['rejection']['method']}`, accept when P(vegetable) ≥ {card['rejection']['threshold']} "
              f"({card['rejection'].get('chosenOn', '')}). The threshold and the temperature were chosen on the real-photo "
              "validation side, so its figures are slightly optimistic; the dataset figures are not tuned on.", "",
              "Kept / refused at that threshold (real-photo validation):", "",
              "| | kept | refused |", "| --- | --- | --- |",
              f"| vegetables | {rv['keptRefused']['vegetables']['kept']} | {rv['keptRefused']['vegetables']['refused']} |",
              f"| real non-vegetables | {rv['keptRefused']['negatives']['kept']} | {rv['keptRefused']['negatives']['refused']} |", "",
              "Trade-off (other thresholds on the same score):", "", "| negatives refused | real answer right |", "| --- | --- |"]
        L += [f"| {_pct(t['negativesRefused'])} | {_pct(t['realAnswerRight'])} |" for t in rv["tradeoff"]]
        L += ["", "Per kind (real-photo validation):", "", "| kind | photos | answer right | kind top-1 | refused |",
              "| --- | --- | --- | --- | --- |"]
        L += [f"| {k} | {p['n']} | {_pct(p['answerRight'])} | {_pct(p['kindTop1'])} | {_pct(p['refused'])} |"
              for k, p in rv["perKind"].items()]
        L += ["", f"Pictures: [real-photo confusion matrix](../../../../docs/models/{v}/real-confusion-matrix.png), "
                  f"[calibration](../../../../docs/models/{v}/calibration.png), "
                  f"[training curves](../../../../docs/models/{v}/training-curves.png).", ""]
    else:
        L += ["*Not yet measured through the TypeScript pipeline: run `python -m vegtrainer.evaluate_ts --update-card`.*", ""]
    L += ["## Speed and size", "",
          f"- {m['gflops']} GMACs per image; model.onnx {m['onnxBytes'] / 1e6:.1f} MB.",
          f"- {m['latencyMs']} ms vs InceptionV3@299 {m['inceptionV3LatencyMs']} ms → **{m['speedupVsInceptionV3']}× faster** ({m['latencyNote']}).", ""]
    if "backboneComparison" in m:
        L += ["## Backbone comparison (frozen ImageNet features + 16-way logistic regression; real-photo validation)", "",
              "| backbone | input | ImageNet head as features | crops | latency ms | real kind top-1 | real answer right at 90% refused | real AUROC | dataset answer right |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in m["backboneComparison"]["rows"]:
            L.append(f"| {r['backbone']} | {r['size']} | {'yes' if r['imagenetHead'] else 'no'} | {r['crops']} | {r['latencyMs']} | "
                     f"{_pct(r['realKindTop1'])} | {_pct(r['realAnswerRight@90%refused'])} | {r['realAUROC']:.4f} | "
                     f"{_pct(r['kaggleAnswerRight@sameThreshold'])} |")
        L += ["", m["backboneComparison"].get("note", ""), ""]
    if "relabel" in m:
        L += ["## Relabel of the shipped catalog", "", m["relabel"], ""]
    L += ["## Training", "", tr["data"], "",
          f"- backbone {tr['backbone']} @ {tr['size']}, last {tr['tailBlocks']} block(s) + head conv trained, {tr['epochs']} epochs "
          f"(selected {tr['selectedEpoch']}), batch {tr['batch']} ({_pct(tr['realWeight'])} real photos), lr {tr['lr']}, seed {tr['seed']}, "
          f"device {tr['device']}.",
          f"- time: {m['trainSeconds']:.0f} s ({m['trainSecondsBreakdown']['trunkFeatures']:.0f} s trunk features, "
          f"{m['trainSecondsBreakdown']['fineTuning']:.0f} s training). {m.get('trainSecondsNote', '')}",
          f"- command: `{tr['command']}`", ""]
    L += extra_sets_lines(tr.get("extraSets"))
    L += ["## Limitations", "",
          "- The real-photo validation side is small (a few to 32 photos per kind); per-kind figures move by several points "
          "with one photo. Bean, Bitter_Gourd, Bottle_Gourd and Pumpkin have the fewest real photos.",
          "- Real negatives cover other produce, packaged food and kitchen objects; vegetables close to our kinds "
          "(zucchini, squashes, chillies, sweet potato, red onion) remain the hardest refusals.",
          "- Photos with several different kinds get one label.", ""]
    (model_dir / "model-card.md").write_text("\n".join(L))
