"""Optional int8 variant (onnxruntime static QDQ quantisation), kept only if it loses < 0.1 pp
validation top-1 against the float model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .export import ort_predict, ort_session
from .preprocess import preprocess

MAX_LOSS_PP = 0.1


def try_quantize(onnx_path: Path, out: Path, train_paths, val_paths, y_val: np.ndarray, top1_float: float, size: int,
                 threads: int = 2, n_calib: int = 300) -> dict:
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    rng = np.random.default_rng(0)
    pick = rng.choice(len(train_paths), size=min(n_calib, len(train_paths)), replace=False)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.items = iter(pick)

        def get_next(self):
            i = next(self.items, None)
            if i is None:
                return None
            return {"input": preprocess(train_paths[int(i)], size)[None]}

    q_path = Path(out) / "model.int8.onnx"
    quantize_static(str(onnx_path), str(q_path), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    sess = ort_session(q_path, threads)
    logits = ort_predict(sess, val_paths, size, desc="validation (int8)")["logits"]
    top1_q = float((logits.argmax(1) == y_val).mean())
    loss_pp = 100 * (top1_float - top1_q)
    kept = loss_pp < MAX_LOSS_PP
    res = {"validationTop1": round(top1_q, 6), "lossPp": round(loss_pp, 3), "kept": kept,
           "bytes": q_path.stat().st_size}
    res["summary"] = (f"Static int8 (QDQ, per-channel) variant: validation top-1 {100 * top1_q:.2f}% "
                      f"({loss_pp:.2f} pp loss), {res['bytes'] / 1e6:.2f} MB — "
                      + ("kept as `model.int8.onnx`." if kept else "discarded (loss ≥ 0.1 pp)."))
    if not kept:
        q_path.unlink()
    return res
