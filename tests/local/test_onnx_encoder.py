"""The torch-free encoder: the hand-built ONNX graph equals transformers' BertModel, and a
text's embedding does not depend on which other texts share its batch."""
import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from perm.errors import JudgeUnavailable  # noqa: E402
from perm.local.encoder import OnnxEncoder, token_batches  # noqa: E402

TEXTS = ["I lost my job today and I'm scared.", "That sounds exhausting. What happened?",
         "Short.", "A much longer reply " * 60]


@pytest.mark.integration
def test_graph_matches_transformers(model_dir, tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    monkeypatch.setenv("PERM_CACHE_DIR", str(tmp_path))
    enc = OnnxEncoder(model_dir, layers=(4, 6), max_tokens=128)
    ours = enc.encode(TEXTS)
    ids = enc.ids(TEXTS)
    bert = transformers.AutoModel.from_pretrained(str(model_dir)).eval()
    for i, row in enumerate(ids):
        x = torch.tensor([row])
        with torch.no_grad():
            hs = bert(input_ids=x, attention_mask=torch.ones_like(x), output_hidden_states=True).hidden_states
        for j, layer in enumerate((4, 6)):
            ref = hs[layer][0].mean(0).numpy()
            assert np.abs(ref - ours[i, j]).max() < 1e-4
    assert (tmp_path / "onnx").is_dir()  # the graph was built into the cache


def test_embedding_is_independent_of_the_batch(model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("PERM_CACHE_DIR", str(tmp_path))
    enc = OnnxEncoder(model_dir, layers=(6,), max_tokens=64, batch_size=2)
    together = enc.encode(TEXTS)
    alone = np.stack([enc.encode([t])[0] for t in TEXTS])
    assert np.abs(together - alone).max() < 1e-5
    assert enc.encode([]).shape == (0, 1, 384)


def test_token_batches_cap_rows_and_word_pieces():
    assert [len(b) for b in token_batches([10] * 40, 16, 2048)] == [16, 16, 8]
    # 200 pieces each: 10 rows fill 2,000 of the 2,048; the 11th starts a new batch
    assert [len(b) for b in token_batches([200] * 25, 16, 2048)] == [10, 10, 5]
    # the width grows along the sorted list: the widest row sets the batch's padded size
    assert token_batches([10, 10, 100, 600], 16, 300) == [[0, 1, 2], [3]]  # 3 x 100 fits
    assert token_batches([10, 10, 100, 600], 16, 299) == [[0, 1], [2], [3]]
    # a text wider than the budget still runs, alone
    assert token_batches([300, 300], 16, 256) == [[0], [1]]
    got = token_batches(sorted([7, 90, 33, 256, 12] * 9), 4, 512)
    assert sorted(k for b in got for k in b) == list(range(45))  # every text once, in order


def test_a_token_budget_changes_no_embedding(model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("PERM_CACHE_DIR", str(tmp_path))
    texts = TEXTS * 3
    wide = OnnxEncoder(model_dir, layers=(4, 6), max_tokens=128, batch_tokens=10**6).encode(texts)
    tight = OnnxEncoder(model_dir, layers=(4, 6), max_tokens=128, batch_tokens=130).encode(texts)
    assert np.abs(wide - tight).max() < 1e-5


@pytest.mark.parametrize("name", ["PERM_ENCODER_BATCH_TOKENS", "PERM_THREADS"])
def test_a_bad_encoder_setting_names_its_variable(model_dir, monkeypatch, name):
    monkeypatch.setenv(name, "abc")
    with pytest.raises(JudgeUnavailable, match=name):
        OnnxEncoder(model_dir)
    monkeypatch.setenv(name, "-3")
    with pytest.raises(JudgeUnavailable, match="whole number"):
        OnnxEncoder(model_dir)
    monkeypatch.setenv(name, " 4 ")
    enc = OnnxEncoder(model_dir)
    assert (enc.batch_tokens if name == "PERM_ENCODER_BATCH_TOKENS" else enc.threads) == 4


def test_long_texts_keep_head_and_tail(model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("PERM_CACHE_DIR", str(tmp_path))
    enc = OnnxEncoder(model_dir, max_tokens=34)
    (ids,) = enc.ids([" ".join(f"w{i}" for i in range(200))])
    assert len(ids) == 34 and ids[0] == enc._cls and ids[-1] == enc._sep


def test_fp16_graph_rounds_the_weights_like_training(model_dir, tmp_path, monkeypatch):
    """A v2 scorer trained on float16-rounded weights gets the same rounding at run time, even
    from a float32 weights file; the two precisions are cached as different graphs."""
    from safetensors.numpy import load_file

    from perm.local.onnx_bert import build_graph, graph_path

    monkeypatch.setenv("PERM_CACHE_DIR", str(tmp_path))
    assert graph_path(model_dir, (6,), fp16=True) != graph_path(model_dir, (6,))
    key = "encoder.layer.0.attention.self.query.weight"
    w32 = load_file(str(model_dir / "model.safetensors"))
    raw = w32.get(key, w32.get("bert." + key))
    assert raw.dtype == np.float32 and not np.array_equal(raw, raw.astype(np.float16))
    inits = {t.name: t for t in build_graph(model_dir, (6,), fp16=True).graph.initializer}
    from onnx import numpy_helper

    got = numpy_helper.to_array(inits["encoder.layer.0.attention.self.query.weight"])
    np.testing.assert_array_equal(got, raw.T.astype(np.float16).astype(np.float32))
    a = OnnxEncoder(model_dir, layers=(6,), fp16=True).encode(TEXTS[:2])
    b = OnnxEncoder(model_dir, layers=(6,)).encode(TEXTS[:2])
    assert 0 < np.abs(a - b).max() < 1e-2


def test_parallel_batches_give_the_serial_result_in_input_order(model_dir, tmp_path, monkeypatch):
    """Batches run on several threads at once (one core each) come back in input order, equal
    to running them one by one; one thread means no pool at all."""
    monkeypatch.setenv("PERM_CACHE_DIR", str(tmp_path))
    texts = [f"{t} ({k})" for k in range(5) for t in TEXTS]  # 20 texts, 10 batches of 2
    serial = OnnxEncoder(model_dir, layers=(4, 6), max_tokens=64, batch_size=2, threads=1)
    parallel = OnnxEncoder(model_dir, layers=(4, 6), max_tokens=64, batch_size=2, threads=3)
    a, b = serial.encode(texts), parallel.encode(texts)
    assert serial._pool is None and parallel._pool is not None
    assert np.abs(a - b).max() < 1e-6
    alone = parallel.encode(texts[7:8])[0]
    assert np.abs(b[7] - alone).max() < 1e-5  # row 7 is text 7, not whichever batch ended first


def test_threads_default_to_the_usable_cpus(model_dir, monkeypatch):
    from perm.local import encoder as module

    monkeypatch.delenv("PERM_THREADS", raising=False)
    monkeypatch.setattr(module, "usable_cpus", lambda: 2)
    assert OnnxEncoder(model_dir).threads == 2
    monkeypatch.setattr(module, "usable_cpus", lambda: 64)
    assert OnnxEncoder(model_dir).threads == 4  # capped at 4 unless PERM_THREADS says more
    monkeypatch.setenv("PERM_THREADS", "1")
    assert OnnxEncoder(model_dir).threads == 1


def test_serial_schedule_runs_one_batch_at_a_time_on_all_threads(model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("PERM_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("PERM_ENCODER_SCHEDULE", "serial")
    enc = OnnxEncoder(model_dir, layers=(6,), max_tokens=64, batch_size=2, threads=2)
    got = enc.encode(TEXTS)
    assert enc._pool is None
    monkeypatch.delenv("PERM_ENCODER_SCHEDULE")
    ref = OnnxEncoder(model_dir, layers=(6,), max_tokens=64, batch_size=2, threads=2).encode(TEXTS)
    assert np.abs(got - ref).max() < 1e-6
