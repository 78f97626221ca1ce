"""Do token-level features carry what people judged? A late-interaction probe (research only).

    python -m bench.loso_tokens [-o bench/results/loso_tokens.json]

`bench.loso` found that mean-pooled MiniLM embeddings of reply and context, fitted on people's
labels, rank a left-out human-judged source at chance and even their own source poorly (its
*ceiling* column). Pooling averages away *which* words of the reply answer which words of the
seeker. This probe keeps them: every word piece of the reply and of the seeker's last turns is
embedded (the packaged v2 encoder, layers 4 and 6, via `transformers`), and each reply token's
best cosine with any context token (and each context token's best with any reply token: how
much of what the seeker said the reply takes up) is summarised by its mean, quantiles and the
share above fixed cut-offs: `maxsim_features`. The same Bradley-Terry fit, penalty and folds as
`bench.loso` then give a leave-one-source-out cell and a same-source ceiling per pair source.

Needs torch and transformers (the `[hf]` extra). Nothing fitted here is saved or shipped:
ESConv and the reflection ratings are CC BY-NC.
"""
from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.loso import (
    PAIR_SOURCES,
    Pair,
    accuracy,
    apply_bt,
    cli,
    context_folds,
    fit_bt,
    load,
    needs_hf,
)
from bench.validity import _response

CUTS = (0.5, 0.7, 0.85)
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
SEEKER_TURNS = 3  # the seeker's message and the turns just before it


def _summary(v: np.ndarray) -> list[float]:
    return [float(v.mean()), *np.quantile(v, QUANTILES).tolist(), *((v > c).mean() for c in CUTS)]


def maxsim_features(reply: Sequence[np.ndarray], context: Sequence[np.ndarray]) -> np.ndarray:
    """Per layer, from unit token vectors `[tokens, hidden]` of the reply and the context: the
    summary of each reply token's best cosine with the context, the same the other way round,
    and the mean and spread of all cosines. A side without tokens gives zeros for its layer."""
    width = 2 * (1 + len(QUANTILES) + len(CUTS)) + 2
    out: list[float] = []
    for r, c in zip(reply, context):
        if len(r) == 0 or len(c) == 0:
            out += [0.0] * width
            continue
        s = r @ c.T
        out += _summary(s.max(1)) + _summary(s.max(0)) + [float(s.mean()), float(s.std())]
    return np.asarray(out, dtype=np.float64)


def seeker_text(item: dict[str, Any]) -> str:
    """The seeker's message and the last turns before it (what a reply answers)."""
    turns = [t["content"] for t in (item.get("history") or [])[-SEEKER_TURNS:]]
    return "\n".join([*turns, item["query"]])


def token_vectors(texts: Sequence[str], log: Callable[[str], None]) -> dict[str, list[np.ndarray]]:
    """Unit token vectors at layers 4 and 6 of the packaged v2 encoder, without [CLS]/[SEP]."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from perm.local.registry import packaged_dir

    folder = packaged_dir("perm-minilm-v2")
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder, dtype=torch.float32).eval()
    out: dict[str, list[np.ndarray]] = {}
    order = sorted(set(texts), key=len)
    started = time.perf_counter()
    with torch.no_grad():
        for b in range(0, len(order), 32):
            batch = order[b:b + 32]
            enc = tok(batch, truncation=True, max_length=256, padding=True, return_tensors="pt")
            hidden = model(**enc, output_hidden_states=True).hidden_states
            for k, text in enumerate(batch):
                keep = enc["attention_mask"][k].bool()
                out[text] = [torch.nn.functional.normalize(hidden[layer][k][keep][1:-1], dim=-1).numpy()
                             for layer in (4, 6)]
    log(f"embedded {len(order)} texts token by token in {time.perf_counter() - started:.0f}s")
    return out


def run(data: Path, log: Callable[[str], None] = print) -> dict[str, Any]:
    items, pairs = load(data)
    ids = sorted(i for i in items if items[i]["source"] in PAIR_SOURCES)
    replies = {i: _response(items[i]) for i in ids}
    seekers = {i: seeker_text(items[i]) for i in ids}
    vecs = token_vectors([*replies.values(), *seekers.values()], log)
    x = np.stack([np.concatenate([maxsim_features(vecs[replies[i]], vecs[seekers[i]]),
                                  [math.log1p(len(replies[i].split()))]]) for i in ids])
    np.nan_to_num(x, copy=False)
    index = {i: k for k, i in enumerate(ids)}

    def scores(train: Sequence[Pair], cols: slice = slice(None)) -> dict[str, float]:
        model = fit_bt(x[:, cols], [(index[b], index[w]) for b, w, _ in train])
        return dict(zip(ids, apply_bt(model, x[:, cols]).tolist()))

    def ceiling(test: Sequence[Pair], cols: slice) -> float:
        folds = context_folds(test)
        return round(sum(accuracy(scores(folds[1 - k], cols), folds[k]) * len(folds[k])
                         for k in (0, 1)) / len(test), 4)

    table: dict[str, dict[str, float]] = {}
    for left in PAIR_SOURCES:
        test = pairs[left]
        train = [p for s in PAIR_SOURCES if s != left for p in pairs[s]]
        row = {"length": accuracy({i: float(x[index[i], -1]) for i in ids}, test),
               "BT on the other sources, tokens + length": accuracy(scores(train), test),
               "ceiling: BT on the same source (2 folds by context), tokens + length": ceiling(test, slice(None)),
               "ceiling, tokens only": ceiling(test, slice(0, -1)),
               "test pairs": len(test)}
        table[left] = row
        log(f"{left}: {row}")
    return {"kind": "perm-loso-tokens", "data": str(data), "replies": len(ids),
            "features": int(x.shape[1]), "results": table}


def main(argv: Sequence[str] | None = None) -> int:
    return cli(__doc__, run, argv, needs_hf("bench.loso_tokens"))


if __name__ == "__main__":
    sys.exit(main())
