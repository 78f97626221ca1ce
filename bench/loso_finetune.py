"""Would a *fine-tuned* cross-encoder, trained on what people said, rank a source it never saw?

    python -m bench.loso_finetune [-o bench/results/loso_finetune.json]
    python -m bench.loso_finetune --ceiling [-o bench/results/loso_finetune_ceiling.json]

`bench.loso` and `bench.loso_tokens` fitted small models on *frozen* MiniLM features and found
that people's labels from two sources do not rank the third above chance or length; even fitted
on the source itself (2 folds by context) the frozen features reach only 0.53-0.65. Their
reading was that a model which reads the reply together with its context, and is trained end to
end, might. This probe tests that: the packaged v2 encoder (all-MiniLM-L6-v2, 6 layers) reads
`[CLS] seeker's context [SEP] reply [SEP]` (the last `CONTEXT_TOKENS` word pieces of the
scenario and the last turns, the first `REPLY_TOKENS` of the reply), a linear layer on its
mean-pooled last layer gives a score, and every weight is trained with a Bradley-Terry loss on
the pairs of the *other* pair sources, then tested on the left-out one. `--ceiling` trains and
tests the same model on each source itself instead (2 folds by context, as in `bench.loso`).

The settings (`Settings`) were fixed before this module's first run and are not tuned (a
prototype with two epochs had scored one fold of the reflections, 0.57; one epoch was chosen for
time): at most 1,500 training pairs drawn at random, one epoch, 16 pairs per step, AdamW at 3e-5
for the encoder and 1e-3 for the head, 10 % warm-up then linear decay, one seed. On 2 CPU cores the
left-out run took 42 minutes and `--ceiling` 28 (longer texts cost more).

Needs torch and transformers (the `[hf]` extra). Nothing trained here is saved or shipped:
ESConv and the reflection ratings are CC BY-NC.
"""
from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.loso import PAIR_SOURCES, Pair, accuracy, cli, context_folds, load, needs_hf
from bench.validity import _response

CONTEXT_TOKENS = 96
REPLY_TOKENS = 160
CONTEXT_TURNS = 4


@dataclass(frozen=True)
class Settings:
    max_pairs: int = 1500
    epochs: float = 1.0
    pairs_per_step: int = 16
    encoder_lr: float = 3e-5
    head_lr: float = 1e-3
    warmup: float = 0.1
    seed: int = 0


def context_of(item: dict[str, Any]) -> str:
    """The scenario, the last `CONTEXT_TURNS` turns and the seeker's message, one per line."""
    lines = [item.get("scenario") or ""]
    for turn in (item.get("history") or [])[-CONTEXT_TURNS:]:
        lines.append(("Seeker: " if turn["role"] == "user" else "Supporter: ") + turn["content"])
    lines.append("Seeker: " + item["query"])
    return "\n".join(x for x in lines if x)


def pack(context_ids: Sequence[int], reply_ids: Sequence[int], cls: int, sep: int) -> tuple[list[int], int]:
    """`[CLS] context [SEP] reply [SEP]` with the context's *last* and the reply's *first* word
    pieces kept, and the position where the reply's segment starts."""
    ctx = list(context_ids)[-CONTEXT_TOKENS:]
    rep = list(reply_ids)[:REPLY_TOKENS]
    return [cls, *ctx, sep, *rep, sep], len(ctx) + 2


def steps_for(n_pairs: int, s: Settings) -> int:
    return max(1, math.ceil(min(n_pairs, s.max_pairs) / s.pairs_per_step * s.epochs))


def lr_factor(step: int, total: int, warmup: float) -> float:
    """Linear warm-up over `warmup` of the steps, then linear decay to 0."""
    ramp = max(1.0, warmup * total)
    return min(1.0, (step + 1) / ramp) * max(0.0, 1.0 - step / total)


class _Encoded:
    """Each item's packed word pieces, computed once."""

    def __init__(self, items: dict[str, dict[str, Any]]) -> None:
        from transformers import AutoTokenizer

        from perm.local.registry import packaged_dir

        self.folder = packaged_dir("perm-minilm-v2")
        self.tok = AutoTokenizer.from_pretrained(self.folder)
        self.tok.model_max_length = 1 << 30  # `pack` cuts; the encoder never sees more than 258
        self.items = items
        self.cache: dict[str, tuple[list[int], int]] = {}

    def __getitem__(self, i: str) -> tuple[list[int], int]:
        if i not in self.cache:
            r = self.items[i]
            c = self.tok(context_of(r), add_special_tokens=False)["input_ids"]
            p = self.tok(_response(r), add_special_tokens=False)["input_ids"]
            self.cache[i] = pack(c, p, self.tok.cls_token_id, self.tok.sep_token_id)
        return self.cache[i]


def _model(folder: Path) -> Any:
    import torch
    from transformers import AutoModel

    class CrossEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = AutoModel.from_pretrained(folder, dtype=torch.float32)
            self.head = torch.nn.Linear(self.enc.config.hidden_size, 1)

        def forward(self, seqs: Sequence[tuple[list[int], int]]) -> Any:
            width = max(len(s) for s, _ in seqs)
            ids = torch.zeros(len(seqs), width, dtype=torch.long)
            mask = torch.zeros_like(ids)
            segment = torch.zeros_like(ids)
            for k, (s, start) in enumerate(seqs):
                ids[k, :len(s)] = torch.tensor(s)
                mask[k, :len(s)] = 1
                segment[k, start:len(s)] = 1
            h = self.enc(input_ids=ids, attention_mask=mask, token_type_ids=segment).last_hidden_state
            m = mask.unsqueeze(-1).float()
            return self.head((h * m).sum(1) / m.sum(1)).squeeze(-1)

    return CrossEncoder()


def train(enc: _Encoded, pairs: Sequence[Pair], s: Settings, log: Callable[[str], None]) -> Any:
    import torch

    torch.manual_seed(s.seed)
    rng = random.Random(s.seed)
    chosen = list(pairs)
    rng.shuffle(chosen)
    chosen = chosen[:s.max_pairs]
    if not chosen:
        raise ValueError("no training pairs")
    model = _model(enc.folder)
    model.train()
    opt = torch.optim.AdamW([{"params": model.enc.parameters(), "lr": s.encoder_lr},
                             {"params": model.head.parameters(), "lr": s.head_lr}], weight_decay=0.01)
    total = steps_for(len(chosen), s)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: lr_factor(k, total, s.warmup))
    started, step = time.perf_counter(), 0
    while step < total:
        rng.shuffle(chosen)
        for k in range(0, len(chosen), s.pairs_per_step):
            if step >= total:
                break
            batch = chosen[k:k + s.pairs_per_step]
            out = model([enc[b] for b, _, _ in batch] + [enc[w] for _, w, _ in batch])
            loss = torch.nn.functional.softplus(out[len(batch):] - out[:len(batch)]).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 20 == 0 or step == total:
                log(f"  step {step}/{total}, loss {loss.item():.3f}, {time.perf_counter() - started:.0f}s")
    model.eval()
    return model


def score(model: Any, enc: _Encoded, ids: Sequence[str]) -> dict[str, float]:
    import torch

    order = sorted(set(ids), key=lambda i: len(enc[i][0]))
    out: dict[str, float] = {}
    with torch.no_grad():
        for k in range(0, len(order), 64):
            chunk = order[k:k + 64]
            out.update(zip(chunk, model([enc[i] for i in chunk]).tolist()))
    return out


def _ids(pairs: Sequence[Pair]) -> list[str]:
    return [i for b, w, _ in pairs for i in (b, w)]


def run(data: Path, log: Callable[[str], None] = print, *, ceiling: bool = False,
        settings: Settings = Settings()) -> dict[str, Any]:
    """Per pair source: trained on the other sources' pairs and tested on it or, with `ceiling`,
    trained and tested on the source itself (2 folds by context); `length` on the same pairs."""
    items, pairs = load(data)
    enc = _Encoded(items)
    table: dict[str, dict[str, float]] = {}
    for left in PAIR_SOURCES:
        test = pairs[left]
        started = time.perf_counter()
        row = {"length": accuracy({i: math.log1p(len(_response(items[i]).split())) for i in _ids(test)}, test)}
        if ceiling:
            right = 0.0
            folds = context_folds(test)
            if not all(folds):
                log(f"{left}: all its contexts fall in one fold, no ceiling")
                table[left] = {**row, "test pairs": len(test)}
                continue
            for k in (0, 1):
                log(f"{left}, fold {k}: training on {min(len(folds[1 - k]), settings.max_pairs)} pairs of "
                    "the other fold's contexts")
                model = train(enc, folds[1 - k], settings, log)
                right += accuracy(score(model, enc, _ids(folds[k])), folds[k]) * len(folds[k])
            row["ceiling: fine-tuned on the same source (2 folds by context)"] = round(right / len(test), 4)
        else:
            train_pairs = [p for src in PAIR_SOURCES if src != left for p in pairs[src]]
            log(f"{left}: training on {min(len(train_pairs), settings.max_pairs)} of the "
                f"{len(train_pairs)} pairs of the other sources")
            model = train(enc, train_pairs, settings, log)
            row["fine-tuned on the other sources"] = accuracy(score(model, enc, _ids(test)), test)
        row.update({"test pairs": len(test), "seconds": round(time.perf_counter() - started)})
        table[left] = row
        log(f"{left}: {row}")
    return {"kind": "perm-loso-finetune-ceiling" if ceiling else "perm-loso-finetune", "data": str(data),
            "settings": settings.__dict__, "context_tokens": CONTEXT_TOKENS,
            "reply_tokens": REPLY_TOKENS, "results": table}


def main(argv: Sequence[str] | None = None) -> int:
    return cli(__doc__, run, argv, needs_hf("bench.loso_finetune"), flags={
        "ceiling": "instead, train and test on each source itself, 2 folds by context"})


if __name__ == "__main__":
    sys.exit(main())
