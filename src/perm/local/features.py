"""Feature vectors for the local scorer. Each perspective sees what its LLM judge would see:
resonation -> context + analysis; expression / reception / bystander -> context + response
(reception also the hidden intention).

Blocks (each scaled to a comparable norm):
  ngrams   hashed word uni/bi-grams of the judged text (style: stock phrases, lists, hedges)
  text     MiniLM embedding of the judged text
  ctx*text element-wise product of context and text embeddings (is it about *this* person?)
  stats    15 interpretable statistics (length, lists, questions, 2nd-person ratio,
           evaluator-aimed phrases, repetition, overlap with context / hidden intention)
"""
from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ..perspectives import render_context
from ..types import DimensionRequest

N_HASH = 4096
_WORD = re.compile(r"[a-z']+|[0-9]+|[?!]")
_SENT = re.compile(r"[.!?]+(?:\s|$)")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+", re.MULTILINE)
_EVAL = re.compile(r"\b(?:score|scored|rating|rated|evaluator|grader|judge|reviewer|assessor)\b|"
                   r"\b\d{1,2}\s*/\s*(?:5|10|100)\b", re.IGNORECASE)
_STOP = frozenset("""a an the and or but if of to in on at for with from by as is are was were be
been being it its this that these those i me my you your we our he she they them his her their
so not no do does did have has had will would can could should just very really about what
how when where who which there here than then also too""".split())
STAT_NAMES = ("log_words", "words_300", "log_sentences", "sentence_len", "log_bullets",
              "log_questions", "log_exclaims", "you_ratio", "i_ratio", "log_evaluator_terms",
              "repeated_trigrams", "context_overlap", "intention_overlap", "has_intention", "empty")


class Encoder(Protocol):
    name: str

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def hashed_ngrams(text: str) -> np.ndarray:
    v = np.zeros(N_HASH, dtype=np.float32)
    toks = words(text)
    grams = toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]
    for g in grams:
        h = zlib.crc32(g.encode())
        v[h % N_HASH] += 1.0 if (h >> 20) & 1 else -1.0
    v = np.sign(v) * np.log1p(np.abs(v))
    n = np.linalg.norm(v)
    return v / n if n else v


def _content(ws: list[str]) -> set[str]:
    return {w for w in ws if w not in _STOP and len(w) > 2}


def text_stats(text: str, context: str, intention: str | None) -> np.ndarray:
    ws = words(text)
    n = len(ws)
    sentences = max(1, len(_SENT.findall(text)))
    tri = [" ".join(ws[i:i + 3]) for i in range(max(0, n - 2))]
    repeated = 1 - len(set(tri)) / len(tri) if tri else 0.0
    content, ctx = _content(ws), _content(words(context))
    inten = _content(words(intention)) if intention else set()
    def jac(a: set[str], b: set[str]) -> float:
        return len(a & b) / len(a | b) if a and b else 0.0

    return np.array([
        math.log1p(n), min(n, 600) / 300, math.log1p(sentences), min(n / sentences, 60) / 25,
        math.log1p(len(_BULLET.findall(text))), math.log1p(text.count("?")),
        math.log1p(text.count("!")), sum(w in ("you", "your", "you're", "yourself") for w in ws) / (n or 1),
        sum(w in ("i", "me", "my", "i'm", "i've") for w in ws) / (n or 1),
        math.log1p(len(_EVAL.findall(text))), repeated, jac(content, ctx), jac(content, inten),
        1.0 if intention else 0.0, 1.0 if n == 0 else 0.0,
    ], dtype=np.float32)


def judged_text(req: DimensionRequest) -> str:
    return req.analysis if req.dimension == "resonation" else req.response


class FeatureBuilder:
    """Turns dimension requests into one matrix (rows in request order)."""

    def __init__(self, encoder: Encoder, block_weights: dict[str, float] | None = None) -> None:
        self.encoder = encoder
        self.block_weights = {"ngrams": 1.0, "text": 1.0, "ctx_text": 1.0, "stats": 1.0,
                              **(block_weights or {})}

    @property
    def dim(self) -> int:
        return N_HASH + 2 * self.encoder.dim + len(STAT_NAMES)

    def build(self, reqs: Sequence[DimensionRequest]) -> np.ndarray:
        contexts = [render_context(r.sample, seeker_view=r.dimension == "reception") for r in reqs]
        texts = [judged_text(r) for r in reqs]
        uniq = sorted(set(contexts))
        ctx_emb = dict(zip(uniq, self.encoder.encode(uniq)))
        txt_emb = self.encoder.encode(texts)
        bw = self.block_weights
        rows = np.zeros((len(reqs), self.dim), dtype=np.float32)
        e = self.encoder.dim
        for i, (r, ctx, text) in enumerate(zip(reqs, contexts, texts)):
            c = ctx_emb[ctx]
            rows[i, :N_HASH] = bw["ngrams"] * hashed_ngrams(text)
            rows[i, N_HASH:N_HASH + e] = bw["text"] * txt_emb[i]
            rows[i, N_HASH + e:N_HASH + 2 * e] = bw["ctx_text"] * (c * txt_emb[i]) * math.sqrt(e)
            rows[i, N_HASH + 2 * e:] = bw["stats"] * text_stats(text, ctx, r.sample.hidden_intention
                                                                if r.dimension == "reception" else None)
        return rows
