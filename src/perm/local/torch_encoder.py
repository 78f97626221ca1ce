"""The local scorer's encoder on a torch device (a GPU): the same pooled embeddings as
`OnnxEncoder`, for machines that have torch and an accelerator.

ONNX Runtime on the CPU stays the default (no torch needed). Set `PERM_ENCODER_DEVICE` to a
torch device (`cuda`, `cuda:1`, `mps`, or `cpu` to compare the two backends) and every local v2
scorer in the process encodes with `transformers`' BertModel there instead: the same word
pieces (`token_ids`: head 3/4 + tail 1/4 of the budget), the same weights (rounded to float16
when the scorer was trained that way), float32 compute, the attention-masked mean of the same
layers. The embeddings agree with the ONNX graph to about 2e-4 (float rounding in a different
order; tests/local), and the scores to the third decimal or so (MODEL_CARD.md), so the scorer
keeps its identity; resuming a run on the other backend mixes only that rounding.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import JudgeUnavailable
from ..extras import install_hint
from .encoder import HIDDEN, LazyEncoder, load_tokenizer


class TorchEncoder(LazyEncoder):
    """MiniLM embeddings with torch on `device`; thread-safe, loaded on first use."""

    def __init__(self, model_dir: Path | None = None, *, layers: Sequence[int] = (6,),
                 max_tokens: int = 256, batch_size: int = 128, device: str = "cuda",
                 fp16: bool = False) -> None:
        super().__init__(model_dir, layers, max_tokens, batch_size, fp16)
        self.device_name = device
        self._model: Any = None

    def _start(self) -> None:
        try:
            import torch
            from transformers import AutoModel
        except ImportError as e:
            raise JudgeUnavailable(f"PERM_ENCODER_DEVICE={self.device_name} runs the local scorer's "
                                   f"encoder with torch, which needs {e.name}: "
                                   f"{install_hint(e.name or 'torch', prefer='hf')}") from None
        try:
            device = torch.device(self.device_name)
            if device.type == "cuda" and not torch.cuda.is_available():
                raise RuntimeError("torch sees no CUDA device")
            model = AutoModel.from_pretrained(str(self.model_dir), dtype=torch.float32)
        except (RuntimeError, OSError, ValueError) as e:
            raise JudgeUnavailable(f"PERM_ENCODER_DEVICE={self.device_name}: cannot run the "
                                   f"encoder there ({e}); unset it to use ONNX Runtime on the CPU") from None
        if self.fp16:  # the precision a v2 scorer was trained with (see onnx_bert.build_graph)
            with torch.no_grad():
                for p in model.parameters():
                    p.copy_(p.half().float())
        self._torch, self._device = torch, device
        self._model = model.to(device).eval()
        self._tok = load_tokenizer(self.model_dir)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """`[len(texts), len(layers), 384]` pooled embeddings (rows in input order)."""
        out = np.zeros((len(texts), len(self.layers), HIDDEN), dtype=np.float32)
        if not texts:
            return out
        ids = self.ids(texts)
        torch = self._torch
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        with torch.inference_mode():
            for k in range(0, len(order), self.batch_size):
                rows = order[k:k + self.batch_size]
                pooled = pooled_means(torch, self._model, [ids[i] for i in rows], self.layers, self._device)
                out[rows] = pooled.float().cpu().numpy()
        return out


def pooled_means(torch: Any, bert: Any, rows: Sequence[Sequence[int]], layers: Sequence[int],
                 device: Any = None) -> Any:
    """`[len(rows), len(layers), hidden]`: the attention-masked mean of each layer's hidden states
    for a batch of word-piece id rows (padded here), the layers run one by one up to the deepest
    one asked for, with the additive -1e4 mask of `onnx_bert` (so the two backends agree).
    Training (`perm.local.v2.train`) and `TorchEncoder` both call this."""
    width = max(len(r) for r in rows)
    x = torch.zeros(len(rows), width, dtype=torch.long)
    m = torch.zeros(len(rows), width)
    for k, r in enumerate(rows):
        x[k, :len(r)] = torch.tensor(list(r))
        m[k, :len(r)] = 1
    if device is not None:
        x, m = x.to(device), m.to(device)
    h = bert.embeddings(input_ids=x)
    ext = (1.0 - m[:, None, None, :]) * -10000.0
    pooled = {}
    for n, layer in enumerate(bert.encoder.layer[:max(layers)], 1):
        res = layer(h, attention_mask=ext)
        h = res[0] if isinstance(res, tuple) else res
        if n in layers:
            pooled[n] = (h * m[:, :, None]).sum(1) / m.sum(1, keepdim=True)
    return torch.stack([pooled[n] for n in layers], 1)
