"""A BERT encoder (all-MiniLM-L6-v2) as an ONNX graph, built from its safetensors without torch.

The embedded scorer runs the encoder with ONNX Runtime (CPU, ~2x faster than torch on 2 cores
and no torch install). Rather than shipping a 90 MB `.onnx` file next to the weights the MiniLM
package already ships, the graph is written here node by node from the safetensors tensors and
cached (`~/.cache/perm-reward/onnx/`). The graph returns the attention-masked mean of the hidden
states of each requested layer: `pooled[batch, len(layers), hidden]`, and stops at the deepest
requested layer (fewer layers, less work).

Numerically it matches transformers' `BertModel` (tests/local check it to 1e-4 when torch is
installed): exact GELU (erf), LayerNorm eps 1e-12, additive -1e4 attention mask.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

GRAPH_VERSION = 1


def cache_dir() -> Path:
    root = os.environ.get("PERM_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "perm-reward")
    return Path(root) / "onnx"


def _digest(weights: Path) -> str:
    st = weights.stat()
    h = hashlib.sha256(f"{weights.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def graph_path(model_dir: Path, layers: Sequence[int], fp16: bool = False) -> Path:
    """Where the graph for `model_dir` and `layers` is cached."""
    tag = "-".join(str(i) for i in layers) + ("-h" if fp16 else "")
    return cache_dir() / f"bert-{_digest(model_dir / 'model.safetensors')}-L{tag}-v{GRAPH_VERSION}.onnx"


def build_graph(model_dir: Path, layers: Sequence[int], fp16: bool = False) -> Any:
    """The ONNX ModelProto of the encoder in `model_dir`, pooling the hidden states of `layers`
    (1-based, e.g. (4, 6)). `fp16` rounds every weight to float16 first (computing stays float32):
    the precision a v2 scorer was trained with, whatever precision the weights file has."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    cfg = json.loads((model_dir / "config.json").read_text())
    hidden, heads = int(cfg["hidden_size"]), int(cfg["num_attention_heads"])
    eps = float(cfg.get("layer_norm_eps", 1e-12))
    dh = hidden // heads
    t = load_file(str(model_dir / "model.safetensors"))
    pre = "" if "embeddings.word_embeddings.weight" in t else "bert."
    inits: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.array(arr, order="C"), name))  # keeps 0-d scalars 0-d
        return name

    def w(key: str, transpose: bool = False) -> str:
        arr = t[pre + key]
        arr = (arr.astype(np.float16) if fp16 else arr).astype(np.float32)
        return const(key, arr.T if transpose else arr)

    def node(op: str, inputs: list[str], out: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def layer_norm(x: str, key: str, out: str) -> str:
        return node("LayerNormalization", [x, w(f"{key}.weight"), w(f"{key}.bias")], out,
                    axis=-1, epsilon=eps)

    def dense(x: str, key: str, out: str) -> str:
        m = node("MatMul", [x, w(f"{key}.weight", transpose=True)], out + "_mm")
        return node("Add", [m, w(f"{key}.bias")], out)

    def i64(name: str, vals: int | list[int]) -> str:
        return const(name, np.array(vals, dtype=np.int64))

    # shapes and the attention mask
    shape = node("Shape", ["input_ids"], "ids_shape")
    seq = node("Gather", [shape, i64("one", 1)], "seq_len", axis=0)
    seq1 = node("Unsqueeze", [seq, i64("axes0", [0])], "seq_len_1d")
    pos = node("Range", [const("zero_i", np.array(0, np.int64)), seq,
                         const("one_i", np.array(1, np.int64))], "positions")
    maskf = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    m4 = node("Unsqueeze", [maskf, i64("axes12", [1, 2])], "mask_4d")
    inv = node("Sub", [const("onef", np.array(1.0, np.float32)), m4], "mask_inv")
    bias = node("Mul", [inv, const("neg", np.array(-10000.0, np.float32))], "mask_bias")
    # embeddings
    we = node("Gather", [w("embeddings.word_embeddings.weight"), "input_ids"], "emb_w")
    pe = node("Gather", [w("embeddings.position_embeddings.weight"), pos], "emb_p")
    te = const("emb_t", t[pre + "embeddings.token_type_embeddings.weight"][0].astype(np.float32))
    x = node("Add", [node("Add", [we, pe], "emb_wp"), te], "emb_sum")
    x = layer_norm(x, "embeddings.LayerNorm", "h0")
    split_shape = node("Concat", [i64("zero_1d", [0]), seq1, i64("hd", [heads, dh])], "split_shape",
                       axis=0)
    merge_shape = i64("merge_shape", [0, 0, hidden])
    scale = const("scale", np.array(1.0 / math.sqrt(dh), np.float32))
    denom = node("ReduceSum", [maskf, i64("ax1", [1])], "mask_sum", keepdims=1)
    denom = node("Max", [denom, const("tiny", np.array(1e-9, np.float32))], "mask_sum_safe")
    m3 = node("Unsqueeze", [maskf, i64("ax2", [2])], "mask_3d")
    pooled: list[str] = []
    for i in range(max(layers)):
        p = f"encoder.layer.{i}"

        def heads_of(name: str, key: str, perm: list[int], i: int = i, p: str = p, x: str = x) -> str:
            d = dense(x, f"{p}.attention.self.{key}", f"l{i}_{name}")
            r = node("Reshape", [d, split_shape], f"l{i}_{name}_r")
            return node("Transpose", [r], f"l{i}_{name}_t", perm=perm)

        q = heads_of("q", "query", [0, 2, 1, 3])
        k = heads_of("k", "key", [0, 2, 3, 1])
        v = heads_of("v", "value", [0, 2, 1, 3])
        s = node("Mul", [node("MatMul", [q, k], f"l{i}_qk"), scale], f"l{i}_qk_s")
        a = node("Softmax", [node("Add", [s, bias], f"l{i}_qk_m")], f"l{i}_attn", axis=-1)
        ctx = node("Transpose", [node("MatMul", [a, v], f"l{i}_av")], f"l{i}_av_t", perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, merge_shape], f"l{i}_ctx")
        o = dense(ctx, f"{p}.attention.output.dense", f"l{i}_o")
        x = layer_norm(node("Add", [o, x], f"l{i}_res1"), f"{p}.attention.output.LayerNorm", f"l{i}_ln1")
        f = dense(x, f"{p}.intermediate.dense", f"l{i}_ff1")
        erf = node("Erf", [node("Div", [f, const(f"sqrt2_{i}", np.array(math.sqrt(2), np.float32))],
                                f"l{i}_ff1_d")], f"l{i}_erf")
        g = node("Mul", [node("Mul", [f, node("Add", [erf, const(f"one_{i}", np.array(1.0, np.float32))],
                                                f"l{i}_erf1")], f"l{i}_g0"),
                         const(f"half_{i}", np.array(0.5, np.float32))], f"l{i}_gelu")
        o2 = dense(g, f"{p}.output.dense", f"l{i}_ff2")
        x = layer_norm(node("Add", [o2, x], f"l{i}_res2"), f"{p}.output.LayerNorm", f"h{i + 1}")
        if i + 1 in layers:
            masked = node("Mul", [x, m3], f"l{i}_masked")
            summed = node("ReduceSum", [masked, i64(f"ax_pool_{i}", [1])], f"l{i}_sum", keepdims=0)
            mean = node("Div", [summed, denom], f"l{i}_mean")
            pooled.append(node("Unsqueeze", [mean, i64(f"ax_out_{i}", [1])], f"pool_{i + 1}"))
    node("Concat", pooled, "pooled", axis=1) if len(pooled) > 1 else node(
        "Identity", pooled, "pooled")
    graph = helper.make_graph(
        nodes, "perm-bert",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", len(layers), hidden])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="perm-reward")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def ensure_graph(model_dir: Path, layers: Sequence[int], fp16: bool = False) -> Path:
    """Path of the cached graph, building it first when missing (atomic write)."""
    path = graph_path(model_dir, layers, fp16)
    if path.exists():
        return path
    import onnx

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    onnx.save_model(build_graph(model_dir, layers, fp16), str(tmp))
    os.replace(tmp, path)
    return path
