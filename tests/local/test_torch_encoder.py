"""The torch backend of the local encoder (`PERM_ENCODER_DEVICE`): the same embeddings as the
ONNX graph, chosen by the environment, and a clear error for a device torch cannot use."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("onnxruntime")

from perm.errors import JudgeUnavailable  # noqa: E402
from perm.local.encoder import OnnxEncoder, make_encoder  # noqa: E402
from perm.local.torch_encoder import TorchEncoder  # noqa: E402

TEXTS = ["I lost my job today and I'm scared.", "That sounds exhausting. What happened?",
         "Short.", "A much longer reply " * 90, "caf\u00e9 \u4f60\u597d \U0001F600"]


@pytest.mark.parametrize("fp16", [False, True])
def test_torch_backend_equals_the_onnx_graph(model_dir, tmp_path, monkeypatch, fp16):
    monkeypatch.setenv("PERM_CACHE_DIR", str(tmp_path))
    onnx = OnnxEncoder(model_dir, layers=(4, 6), max_tokens=128, fp16=fp16).encode(TEXTS)
    ours = TorchEncoder(model_dir, layers=(4, 6), max_tokens=128, device="cpu", fp16=fp16, batch_size=2)
    got = ours.encode(TEXTS)
    assert got.shape == onnx.shape == (len(TEXTS), 2, 384)
    assert np.abs(got - onnx).max() < 5e-4  # float order of operations: 2e-4 seen, values ~0.3
    assert ours.encode([]).shape == (0, 2, 384)


def test_the_environment_picks_the_backend(model_dir, monkeypatch):
    monkeypatch.delenv("PERM_ENCODER_DEVICE", raising=False)
    assert isinstance(make_encoder(model_dir, layers=(6,), max_tokens=64, fp16=False), OnnxEncoder)
    monkeypatch.setenv("PERM_ENCODER_DEVICE", "cpu")
    enc = make_encoder(model_dir, layers=(6,), max_tokens=64, fp16=True)
    assert isinstance(enc, TorchEncoder) and enc.device_name == "cpu" and enc.fp16


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_a_device_torch_cannot_use_is_a_clear_judge_error(model_dir):
    enc = TorchEncoder(model_dir, device="cuda")
    with pytest.raises(JudgeUnavailable, match="PERM_ENCODER_DEVICE=cuda.*no CUDA device.*unset it"):
        enc.encode(["hello"])
    with pytest.raises(JudgeUnavailable, match="PERM_ENCODER_DEVICE=nonsense"):
        TorchEncoder(model_dir, device="nonsense").encode(["hello"])


def test_the_v2_scorer_gives_the_same_scores_on_either_backend(monkeypatch, tmp_path):
    from perm.data import parse_record
    from perm.local.registry import packaged_dir
    from perm.local.v2.model import ScorerV2
    from perm.types import DimensionRequest

    packaged_v2_path = packaged_dir("perm-minilm-v2")

    monkeypatch.setenv("PERM_CACHE_DIR", str(tmp_path))
    s = parse_record({"id": "a", "persona": "Sam, 30.", "scenario": "Lost a job after ten years.",
                      "query": "I got let go today. I don't know what to tell my family."}, path="t", line=1)
    reply = "That is a huge shock after ten years. What feels hardest about telling them?"
    reqs = [DimensionRequest(d, s, "They feel ashamed.", reply)
            for d in ("resonation", "expression", "reception", "bystander")]
    monkeypatch.delenv("PERM_ENCODER_DEVICE", raising=False)
    onnx = ScorerV2.load(packaged_v2_path).predict(reqs)
    monkeypatch.setenv("PERM_ENCODER_DEVICE", "cpu")
    scorer = ScorerV2.load(packaged_v2_path)
    assert isinstance(scorer.encoder, TorchEncoder)
    got = scorer.predict(reqs)
    assert all(abs(a - b) <= 0.002 * (100 if d == "bystander" else 1)
               for a, b, d in zip(got, onnx, ("resonation", "expression", "reception", "bystander")))
