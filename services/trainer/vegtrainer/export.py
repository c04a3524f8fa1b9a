"""ONNX export, onnxruntime inference with the canonical preprocessing, latency benchmark."""

from __future__ import annotations

import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from .preprocess import preprocess

INPUT_NAME = "input"
OUTPUT_LOGITS = "logits"
OUTPUT_EMBEDDING = "embedding"
OPSET = 17


def export_onnx(module: torch.nn.Module, path: str | Path, size: int, output_names=(OUTPUT_LOGITS, OUTPUT_EMBEDDING),
                opset: int = OPSET) -> Path:
    """Export ``module`` (eval mode, float32) with input ``input`` [N,3,size,size] and a dynamic batch axis."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    module = module.eval().to("cpu", torch.float32)
    dummy = torch.zeros(1, 3, size, size, dtype=torch.float32)
    axes = {INPUT_NAME: {0: "N"}}
    for name in output_names:
        axes[name] = {0: "N"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (dummy,),
            str(path),
            input_names=[INPUT_NAME],
            output_names=list(output_names),
            dynamic_axes=axes,
            opset_version=opset,
            do_constant_folding=True,
            dynamo=False,
        )
    import onnx

    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    return path


def ort_session(path: str | Path, threads: int = 2):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), sess_options=so, providers=["CPUExecutionProvider"])


def ort_run(sess, batch: np.ndarray) -> dict[str, np.ndarray]:
    names = [o.name for o in sess.get_outputs()]
    outs = sess.run(names, {INPUT_NAME: batch.astype(np.float32, copy=False)})
    return dict(zip(names, outs))


def ort_predict(sess, images, size: int, batch: int = 64, transform=None, desc: str | None = None,
                workers: int = 2, mean=None, std=None) -> dict[str, np.ndarray]:
    """Canonical preprocessing (optionally after ``transform(i, image)``) + onnxruntime on a list
    of image paths / PIL images. Returns the stacked outputs."""
    from .features import Progress
    from .preprocess import load_rgb

    def prep(i):
        src = images[i]
        norm = {} if mean is None else {"mean": mean, "std": std}
        if transform is not None:
            return preprocess(transform(i, load_rgb(src)), size, **norm)
        return preprocess(src, size, **norm)

    results: dict[str, list] = {}
    prog = Progress(len(images), desc) if desc else None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(images), batch):
            idx = range(start, min(start + batch, len(images)))
            x = np.stack(list(pool.map(prep, idx)))
            for k, v in ort_run(sess, x).items():
                results.setdefault(k, []).append(v)
            if prog:
                prog.update(len(idx))
    return {k: np.concatenate(v, 0) for k, v in results.items()}


def bench_latency(path: str | Path, size: int, threads: int = 2, runs: int = 30, warmup: int = 5,
                  batch: int = 1) -> dict[str, float]:
    """Median and mean wall-clock milliseconds of one onnxruntime call on a random batch."""
    sess = ort_session(path, threads=threads)
    x = np.random.default_rng(0).standard_normal((batch, 3, size, size)).astype(np.float32)
    names = [o.name for o in sess.get_outputs()]
    for _ in range(warmup):
        sess.run(names, {INPUT_NAME: x})
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        sess.run(names, {INPUT_NAME: x})
        times.append((time.perf_counter() - t) * 1000.0)
    return {"medianMs": float(np.median(times)), "meanMs": float(np.mean(times)), "runs": runs,
            "threads": threads, "batch": batch}
