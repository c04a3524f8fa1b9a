import numpy as np
import torch
from torch import nn

from vegtrainer.export import export_onnx, ort_session
from vegtrainer.model import EMBED_DIM, ExportWrapper, VegNet, count_macs


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.fc = nn.Linear(4, 15)

    def forward(self, x):
        e = torch.flatten(nn.functional.adaptive_avg_pool2d(torch.relu(self.conv(x)), 1), 1)
        return self.fc(e), e


def test_onnx_export_dynamic_batch(tmp_path):
    torch.manual_seed(0)
    m = Tiny().eval()
    path = export_onnx(m, tmp_path / "tiny.onnx", 32)
    sess = ort_session(path, threads=1)
    assert [i.name for i in sess.get_inputs()] == ["input"]
    assert [o.name for o in sess.get_outputs()] == ["logits", "embedding"]
    for n in (1, 3):
        x = torch.randn(n, 3, 32, 32)
        logits, emb = sess.run(["logits", "embedding"], {"input": x.numpy()})
        assert logits.shape == (n, 15) and logits.dtype == np.float32
        with torch.no_grad():
            ref, _ = m(x)
        np.testing.assert_allclose(logits, ref.numpy(), atol=1e-5)
    import onnx

    model = onnx.load(str(path))
    assert max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")) >= 13


def test_vegnet_shapes_without_weights():
    net = VegNet(cut=17, pretrained=False).eval()
    with torch.no_grad():
        logits, emb = ExportWrapper(net)(torch.zeros(2, 3, 64, 64))
    assert logits.shape == (2, 15) and emb.shape == (2, EMBED_DIM)
    assert abs(count_macs(net, 224) / 1e9 - 0.3) < 0.01  # torchvision: MobileNetV2 0.30 GFLOPS at 224
