"""Train a v2 scorer (`perm distill`): frozen contextual MiniLM embeddings + MLP heads. Needs
torch + transformers (the `train` extra) to train; the result runs without them.

Recipe (deterministic for a given seed and thread count):
1. Texts are cut to the runtime's token budget (`perm.local.encoder.token_ids`) and encoded
   once by the base encoder, its weights rounded to float16 (the shipped precision). Each text
   keeps its mean hidden state at the middle and the last layer; a judged text with several
   passages also has each passage encoded (`text.chunks`).
2. The features are exactly the runtime's (`model.head_features`), so training and the shipped
   scorer cannot drift apart; a check at the end compares them on real rows.
3. Three MLP heads (`model.HEADS`) train on the labelled replies, scenario by scenario (a batch
   holds whole scenarios with the attacked variants of their replies), with a mean-squared loss
   on 0..1-scaled scores, weighted by source.
4. The folder written is a Hugging Face model folder (the encoder in float16, its tokenizer)
   plus `perm_heads.safetensors` and `meta.json`: `ScorerV2.load` reads it. The heads file
   also holds the bank of training contexts the runtime measures a reply's fit against
   (`relevance`: `BANK_SIZE` distinct contexts, evenly spaced in sorted order, last layer) and
   the bank of our own labelled replies' passages that `register` measures a passage against.

Fine-tuning the encoder's top layers was measured too (MODEL_CARD.md): it cost ~20x the CPU
time, was no better on our dev splits and worse on real reflections, so the encoder is frozen.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import DataError
from ...perspectives import SCORE_RANGE
from ..encoder import load_tokenizer, token_ids
from ..torch_encoder import pooled_means
from .data import Example
from .heads import Mlp
from .model import FORMAT_VERSION, HEADS, Embeddings, ScorerV2, head_features, scale, unscale
from .register import TENSOR as SUPPORT_TENSOR
from .register import Settings, bank_passages, own_reply
from .relevance import TENSOR, WORDS, Z_FULL, Z_NONE, bank_contexts, unit
from .text import chunks, context_text, has_content

Log = Callable[[str], None]
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


@dataclass
class TrainConfig:
    """The recipe's knobs (recorded in meta.json)."""

    name: str = "custom"
    seed: int = 0
    threads: int = 2
    max_tokens: int = 256
    layers: tuple[int, int] = (4, 6)  # middle and last layer of the encoder
    epochs: int = 40
    lr: float = 1e-3  # peak; cosine decay to 0 over the run
    clip_norm: float = 1.0
    weight_decay: float = 0.01
    hidden: int = 128
    dropout: float = 0.2
    scenarios_per_batch: int = 4
    attacks_per_good: int = 6
    ensemble: int = 1  # heads trained from this many seeds (seed, seed+1, ...), averaged
    source_weights: dict[str, float] = field(default_factory=lambda: {"attack:": 0.3})

    def weight(self, source: str) -> float:
        """The loss weight of a source: its longest matching prefix's, else 1."""
        best, w = -1, 1.0
        for prefix, v in self.source_weights.items():
            if source.startswith(prefix) and len(prefix) > best:
                best, w = len(prefix), v
        return w


def _torch() -> Any:
    import torch

    return torch


class Encoder:
    """The base encoder in torch (float16-rounded weights): pooled means at the two layers."""

    def __init__(self, model_dir: Path, cfg: TrainConfig) -> None:
        torch = _torch()
        from transformers import AutoModel

        self.tok = load_tokenizer(model_dir)
        bert = AutoModel.from_pretrained(str(model_dir)).eval()
        with torch.no_grad():  # the shipped precision: float16 weights, computed in float32
            for p in bert.parameters():
                p.copy_(p.half().float())
        self.bert = bert
        self.cfg = cfg

    def encode(self, texts: Sequence[str], log: Log, batch: int = 32,
               cache: Path | None = None) -> dict[str, np.ndarray]:
        """{text: [2, hidden]} for every distinct text. `cache` (a folder) keeps encodings between
        runs, keyed by text, token budget and layers (experiments re-encode nothing)."""
        torch = _torch()
        known: dict[str, np.ndarray] = {}
        store = None
        if cache is not None:
            tag = hashlib.sha256(f"{self.cfg.max_tokens}|{self.cfg.layers}".encode()).hexdigest()[:12]
            store = Path(cache) / f"encodings-{tag}.npz"
            if store.exists():
                with np.load(store) as z:
                    known = dict(zip(z["keys"].tolist(), z["values"]))
        key = {t: hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for t in set(texts)}
        todo = sorted(t for t in set(texts) if key[t] not in known)
        ids = token_ids(self.tok, todo, self.cfg.max_tokens)
        order = sorted(range(len(todo)), key=lambda i: len(ids[i]))
        out: dict[str, np.ndarray] = {}
        started = time.perf_counter()
        mid, last = self.cfg.layers
        with torch.no_grad():
            for s in range(0, len(order), batch):
                rows = order[s:s + batch]
                both = pooled_means(torch, self.bert, [ids[i] for i in rows], (mid, last)).numpy()
                for k, i in enumerate(rows):
                    out[todo[i]] = both[k]
                if (s // batch) % 50 == 0:
                    log(f"  encoded {s + len(rows)}/{len(todo)} texts "
                        f"({time.perf_counter() - started:.0f}s)")
        if store is not None and out:
            known.update({key[t]: v for t, v in out.items()})
            store.parent.mkdir(parents=True, exist_ok=True)
            np.savez(store, keys=np.array(list(known)), values=np.stack(list(known.values())))
        return {t: (out[t] if t in out else known[key[t]]) for t in set(texts)}


Row = tuple[Example, str, str, list[float]]  # example, judged text, context text, targets


def _rows(examples: Sequence[Example]) -> dict[str, list[Row]]:
    rows: dict[str, list[Row]] = {h: [] for h in HEADS}
    for ex in examples:
        for head, dims in HEADS.items():
            vals = [ex.labels.get(d) for d in dims]
            text = ex.analysis if head == "resonation" else ex.response
            if any(v is None for v in vals) or not has_content(text):
                continue
            y = [scale(d, float(v)) for d, v in zip(dims, vals)]  # type: ignore[arg-type]
            rows[head].append((ex, text, context_text(ex.sample, seeker_view=head == "reception"), y))
    empty = [h for h, r in rows.items() if not r]
    if empty:
        raise DataError(f"no training example has labels for the {', '.join(empty)} head(s) "
                        f"(dimensions {', '.join(d for h in empty for d in HEADS[h])}); resonation "
                        "needs replies with an analysis")
    return rows


def train(examples: Sequence[Example], base_dir: Path, out_dir: Path, cfg: TrainConfig, *,
          log: Log = print, extra_meta: Mapping[str, Any] | None = None) -> Path:
    """Fit the heads on `examples`; write the scorer folder to `out_dir`."""
    torch = _torch()
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    torch.use_deterministic_algorithms(True)
    started = time.perf_counter()
    rows = _rows(examples)
    judged = {t for r in rows.values() for _, t, _, _ in r}
    support = bank_passages((e.response for e in examples if own_reply(e.source)), chunks)
    texts = judged | {c for r in rows.values() for _, _, c, _ in r} | {
        c for t in judged for c in chunks(t)} | set(support)
    log(f"{len(examples)} examples; {', '.join(f'{h}: {len(r)}' for h, r in rows.items())}; "
        f"{len(texts)} distinct texts to encode")
    encoder = Encoder(base_dir, cfg)
    cache = os.environ.get("PERM_DISTILL_CACHE")
    emb = Embeddings(encoder.encode(sorted(texts), log, cache=Path(cache) if cache else None))
    x = {h: head_features(emb, [(t, c) for _, t, c, _ in r]) for h, r in rows.items()}
    fits = [_fit(rows, x, cfg, cfg.seed + k, log) for k in range(max(1, cfg.ensemble))]
    heads = {h: average([f[0][h] for f in fits]) for h in HEADS}
    history = fits[0][1] if len(fits) == 1 else [
        round(float(np.mean([f[1][e] for f in fits])), 5) for e in range(cfg.epochs)]
    bank = bank_contexts(c for _, _, c, _ in rows["reply"])
    out = _export(base_dir, Path(out_dir), encoder, heads, np.stack([emb.last(c) for c in bank]),
                  np.stack([emb.last(p) for p in support]) if len(support) >= 2 else None, cfg, {
        "examples": len(examples), "sources": _count(e.source for e in examples),
        "rows": {h: len(r) for h, r in rows.items()}, "loss_by_epoch": history,
        "fit_seconds": round(time.perf_counter() - started, 1), **dict(extra_meta or {})})
    check = _runtime_check(out, rows, heads, x)
    meta_path = out / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["runtime_check"] = check
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log(f"saved {out} in {meta['fit_seconds']}s; ONNX runtime vs training features: max "
        f"|difference| {check['max_abs_diff']} of a dimension's range on {check['n']} scores")
    return out


def _fit(rows: Mapping[str, Sequence[Row]], x: Mapping[str, np.ndarray], cfg: TrainConfig,
         seed: int, log: Log) -> tuple[dict[str, Mlp], list[float]]:
    """One training run of the three heads from `seed`: (heads, mean loss per epoch)."""
    torch = _torch()
    torch.manual_seed(seed)
    width = next(iter(x.values())).shape[1]
    nets = {h: torch.nn.Sequential(torch.nn.Dropout(cfg.dropout), torch.nn.Linear(width, cfg.hidden),
                                   torch.nn.GELU(approximate="tanh"), torch.nn.Dropout(cfg.dropout),
                                   torch.nn.Linear(cfg.hidden, len(HEADS[h]))) for h in HEADS}
    norms = {h: (v.mean(0), v.std(0) + 1e-6) for h, v in x.items()}
    xs = {h: torch.tensor((v - norms[h][0]) / norms[h][1]) for h, v in x.items()}
    ys = {h: torch.tensor([r[3] for r in rows[h]]) for h in HEADS}
    ws = {h: torch.tensor([cfg.weight(r[0].source) for r in rows[h]]) for h in HEADS}
    opt = torch.optim.AdamW([p for n in nets.values() for p in n.parameters()], lr=cfg.lr,
                            weight_decay=cfg.weight_decay)
    groups: dict[str, dict[str, list[int]]] = {h: {} for h in HEADS}
    for head, r in rows.items():
        for i, (ex, *_rest) in enumerate(r):
            groups[head].setdefault(ex.group, []).append(i)  # a reply and its attacked variants
    history = []
    n_plan = sum(len(g) for g in groups.values())
    total_steps = cfg.epochs * -(-n_plan // cfg.scenarios_per_batch)
    # cosine decay to zero: a constant rate kept the loss oscillating (and rising with heavier
    # attack weights) instead of settling
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: 0.5 * (1.0 + math.cos(math.pi * min(step, total_steps) / total_steps)))
    for epoch in range(cfg.epochs):
        for n in nets.values():
            n.train()
        plan = [(h, g) for h in HEADS for g in groups[h].values()]
        random.Random(seed * 1000 + epoch).shuffle(plan)
        total, count = 0.0, 0
        for s in range(0, len(plan), cfg.scenarios_per_batch):
            loss = torch.zeros(())
            for head in HEADS:
                idx = [i for h, g in plan[s:s + cfg.scenarios_per_batch] if h == head for i in g]
                if not idx:
                    continue
                pred = nets[head](xs[head][idx])
                # per-row weights scale the loss (not renormalised per batch: a batch of
                # down-weighted rows must weigh less)
                loss = loss + (((pred - ys[head][idx]) ** 2).mean(1) * ws[head][idx]).sum() / len(idx)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for n in nets.values() for p in n.parameters()],
                                           cfg.clip_norm)
            opt.step()
            sched.step()
            total += loss.item()
            count += 1
        history.append(round(total / max(count, 1), 5))
        if epoch == 0 or (epoch + 1) % 10 == 0:
            log(f"seed {seed}, epoch {epoch + 1}/{cfg.epochs}: loss {history[-1]:.4f}")
    heads: dict[str, Mlp] = {}
    for head, net in nets.items():
        net.eval()
        mean, std = norms[head]
        lin1, lin2 = net[1], net[4]
        heads[head] = Mlp(mean.astype(np.float32), std.astype(np.float32),
                          lin1.weight.detach().numpy(), lin1.bias.detach().numpy(),
                          lin2.weight.detach().numpy(), lin2.bias.detach().numpy())
    return heads, history


def average(mlps: Sequence[Mlp]) -> Mlp:
    """K heads as one: their hidden units side by side, outputs averaged. The same function as
    the mean of the K heads' predictions (they share the feature normalisation), so a seed
    ensemble ships as a wider MLP in the same format."""
    if len(mlps) == 1:
        return mlps[0]
    k = len(mlps)
    return Mlp(mlps[0].mean, mlps[0].std, np.concatenate([m.w1 for m in mlps]),
               np.concatenate([m.b1 for m in mlps]),
               np.concatenate([m.w2 for m in mlps], axis=1) / np.float32(k),
               np.mean([m.b2 for m in mlps], axis=0).astype(np.float32))


def _export(base_dir: Path, out_dir: Path, encoder: Encoder, heads: Mapping[str, Mlp],
            bank: np.ndarray, support: np.ndarray | None, cfg: TrainConfig,
            info: Mapping[str, Any]) -> Path:
    """Write the scorer folder. `support`: the register rule's bank (None when the training
    data hold fewer than two passages of our own replies: the folder then has no such rule)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    encoder.bert.half().save_pretrained(str(out_dir), safe_serialization=True)
    for name in TOKENIZER_FILES:
        if (base_dir / name).is_file():
            shutil.copyfile(base_dir / name, out_dir / name)
    from safetensors.numpy import save_file

    tensors: dict[str, np.ndarray] = {}
    for head, mlp in heads.items():
        tensors.update(mlp.tensors(head))
    tensors[TENSOR] = np.ascontiguousarray(unit(bank), dtype=np.float32)
    if support is not None:
        tensors[SUPPORT_TENSOR] = np.ascontiguousarray(unit(support), dtype=np.float16)
    save_file(tensors, str(out_dir / "perm_heads.safetensors"))
    meta = {"name": cfg.name, "format_version": FORMAT_VERSION,
            "encoder": {"base": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
                        "layers": list(cfg.layers), "max_tokens": cfg.max_tokens, "pooling": "mean",
                        "dtype": "float16", "frozen": True},
            "heads": {h: list(d) for h, d in HEADS.items()}, "recipe": asdict(cfg),
            "relevance": {"bank": len(bank), "layer": "last", "z": [Z_NONE, Z_FULL], "words": list(WORDS)},
            "register": {"bank": 0 if support is None else len(support), "layer": "last", "dtype": "float16",
                         "passages_of": "our own labelled replies (not counsel-chat, not attacks)",
                         **Settings().as_meta()},
            **dict(info)}
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return out_dir


def _runtime_check(out_dir: Path, rows: Mapping[str, Sequence[Row]], heads: Mapping[str, Mlp],
                   x: Mapping[str, np.ndarray], per_head: int = 24) -> dict[str, Any]:
    """The shipped runtime (ONNX, the saved folder) against the training features on a few rows
    of each head: they must agree up to float rounding."""
    from ...types import DimensionRequest

    scorer = ScorerV2.load(out_dir)
    worst, n = 0.0, 0
    for head, r in rows.items():
        ref = heads[head](x[head][:per_head])
        for k, dim in enumerate(HEADS[head]):
            reqs = [DimensionRequest(dim, ex.sample, text if dim == "resonation" else "",  # type: ignore[arg-type]
                                     "" if dim == "resonation" else text) for ex, text, _, _ in r[:per_head]]
            lo, hi = SCORE_RANGE[dim]
            for row, got in enumerate(scorer.predict(reqs, discount_borrowed=False)):
                want = min(hi, max(lo, unscale(dim, float(ref[row, k]))))
                worst = max(worst, abs(float(got) - want) / (hi - lo))
                n += 1
    return {"n": n, "max_abs_diff": round(worst, 5), "unit": "fraction of the dimension's range"}


def _count(items: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return dict(sorted(out.items()))


def digest(path: str | Path) -> str:
    """A short content hash of a training file (recorded in meta.json)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
