"""Leave one human-judged source out, with the *human* labels as the training signal (research only).

    python -m bench.loso [-o bench/results/loso.json]

`bench.validity` measures the shipped scorer, whose heads learned our rubric's labels and, for
counsel-chat answers, our labels of them. This module answers another question: would the
same frozen encoder, trained on what **people** said in some sources, rank the replies of a
source it never saw? If it can, human-judged training data is the way forward. If not even that
transfers, the limit is the sources' different constructs or the frozen features.

For each pair source (counsel-chat upvote pairs, reflection coherence-vote pairs, ESConv seekers'
per-turn stars within a failed chat), a Bradley-Terry model is fitted on the pairs of the
*other* sources and tested on the left-out one. AnnoMI (session quality, no reply-level pairs)
is only a test: the model fitted on all three pair sources, mean score per session, AUC.
Two feature sets:
  `encoder` = the frozen v2 encoder's reply and context embeddings (layers 4 and 6), their
              product and cosine, and the v2 text statistics;
  `v2+`     = the shipped v2's expression, reception and bystander, plus log length (a
              calibration of the shipped scorer on human labels).
On the same test pairs it prints the shipped v2 reward, `length` (longer wins) and `cosine`,
and, as a ceiling, the `encoder` model fitted on the *same* source (split by context, 2 folds).

ESConv and the reflection ratings are CC BY-NC and AnnoMI has no licence: nothing fitted here
is saved or shipped. Every number is computed in one run; ties count as half.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.validity import DEFAULT_DATA, _group, _jl, _response, auc, emit, pair_accuracy

PAIR_SOURCES = ("counsel-chat", "annomi-reflection-ratings", "esconv")
Pair = tuple[str, str, str]  # (better id, worse id, group)


def load(data: Path) -> tuple[dict[str, dict[str, Any]], dict[str, list[Pair]]]:
    """The items that take part in a pair (and all of AnnoMI), and the pairs per source."""
    items: dict[str, dict[str, Any]] = {}
    pairs: dict[str, list[Pair]] = {}
    for src in ("counsel-chat", "annomi-reflection-ratings"):
        rows = {r["id"]: r for r in _jl(data / src / "items.jsonl")}
        pairs[src] = [(p["better_id"], p["worse_id"], _group(rows[p["better_id"]]))
                      for p in _jl(data / src / "pairs.jsonl")]
        items.update({i: rows[i] for b, w, _ in pairs[src] for i in (b, w)})
    stars: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _jl(data / "esconv" / "items.jsonl"):
        if r["label"].get("next_seeker_feedback") is not None:
            stars[_group(r)].append(r)
    pairs["esconv"] = []
    for g, rows in stars.items():
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                sa, sb = a["label"]["next_seeker_feedback"], b["label"]["next_seeker_feedback"]
                if sa != sb:
                    hi, lo = (a, b) if sa > sb else (b, a)
                    pairs["esconv"].append((hi["id"], lo["id"], g))
                    items[a["id"]], items[b["id"]] = a, b
    for r in _jl(data / "annomi" / "items.jsonl"):
        items[r["id"]] = r
    return items, pairs


def features(items: dict[str, dict[str, Any]], log: Callable[[str], None]) -> dict[str, dict[str, np.ndarray]]:
    """Per item id: the `encoder` features and the `v2+` features (see the module docstring)."""
    from perm.data import parse_record
    from perm.local.registry import packaged_dir
    from perm.local.v2.model import ScorerV2
    from perm.local.v2.text import context_text, statistics
    from perm.types import DimensionRequest

    scorer = ScorerV2.load(packaged_dir("perm-minilm-v2"))
    ids = sorted(items)
    samples = [parse_record({k: items[i][k] for k in ("id", "persona", "scenario", "query", "history")
                             if items[i].get(k) is not None}, path="human-judged", line=0) for i in ids]
    replies = [_response(items[i]) for i in ids]
    ctxs = [context_text(s) for s in samples]
    uniq = sorted(set(replies) | set(ctxs))
    started = time.perf_counter()
    emb = dict(zip(uniq, scorer.encoder.encode(uniq)))
    log(f"encoded {len(uniq)} texts in {time.perf_counter() - started:.0f}s")
    reqs = [DimensionRequest(d, s, "", r) for s, r in zip(samples, replies)
            for d in ("expression", "reception", "bystander")]
    pred = scorer.predict(reqs)
    log(f"scored {len(ids)} replies with the shipped v2 in {time.perf_counter() - started:.0f}s")
    out: dict[str, dict[str, np.ndarray]] = {"encoder": {}, "v2+": {}, "v2": {}}
    for k, (i, r, c) in enumerate(zip(ids, replies, ctxs)):
        t, x = emb[r], emb[c]
        cos = float(t[-1] @ x[-1] / (np.linalg.norm(t[-1]) * np.linalg.norm(x[-1]) + 1e-8))
        out["encoder"][i] = np.concatenate([t[0], t[-1], x[-1], t[-1] * x[-1], [cos], statistics(r, c)])
        e, rc, b = (float(v) if not isinstance(v, str) else float("nan") for v in pred[3 * k:3 * k + 3])
        out["v2+"][i] = np.array([e, rc, b / 20, math.log1p(len(r.split()))], dtype=np.float32)
        out["v2"][i] = np.array([_reward(items[i], e, rc, b)], dtype=np.float32)
    return out


def _reward(item: dict[str, Any], expression: float, reception: float, bystander: float) -> float:
    """The PERM reward `perm.scoring.combine` gives a reply with no analysis (resonation at its
    floor), with the default scoring config: what `bench.validity` gets from a full scoring run."""
    from perm.aggregate import approx_tokens
    from perm.config import ScoringConfig
    from perm.scoring import combine

    scores = {"resonation": 1.0, "expression": expression, "reception": reception, "bystander": bystander}
    reward = combine(scores, {}, approx_tokens(item["completion"]), ScoringConfig()).reward
    return float("nan") if reward is None else reward


def fit_bt(x: np.ndarray, pairs: Sequence[tuple[int, int]], *, l2: float = 0.01, steps: int = 400) -> np.ndarray:
    """Bradley-Terry / logistic regression on feature differences: standardised features, an L2
    penalty `l2` (fixed before any result was seen, not tuned), full-batch Adam. Returns
    [mean, std, w] stacked (score = standardised x @ w)."""
    mu, sd = x.mean(0), x.std(0) + 1e-6
    z = (x - mu) / sd
    d = np.stack([z[b] - z[w] for b, w in pairs])
    w = np.zeros(z.shape[1])
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t in range(1, steps + 1):
        p = 1 / (1 + np.exp(-(d @ w)))
        g = -d.T @ (1 - p) / len(d) + l2 * w
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        w -= 0.05 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return np.stack([mu, sd, w])


def apply_bt(model: np.ndarray, x: np.ndarray) -> np.ndarray:
    out: np.ndarray = ((x - model[0]) / model[1]) @ model[2]
    return out


def context_folds(pairs: Sequence[Pair]) -> list[list[Pair]]:
    """The two folds of the same-source ceilings: a pair's fold is a hash of its context, so no
    context is in both, and the split is the same in every probe and run."""
    return [[p for p in pairs if zlib.crc32(p[2].encode()) % 2 == k] for k in (0, 1)]


def accuracy(score: dict[str, float], pairs: Sequence[Pair]) -> float:
    """`bench.validity.pair_accuracy` (ties count half, missing scores skipped), rounded."""
    acc, _ = pair_accuracy(score, [{"better_id": b, "worse_id": w} for b, w, _ in pairs])
    return round(acc, 4)


def run(data: Path, log: Callable[[str], None] = print) -> dict[str, Any]:
    items, pairs = load(data)
    log("pairs: " + ", ".join(f"{s} {len(p)}" for s, p in pairs.items()) + f"; {len(items)} replies")
    feats = features(items, log)
    ids = sorted(items)
    index = {i: k for k, i in enumerate(ids)}
    mats = {name: np.stack([f[i] for i in ids]).astype(np.float64) for name, f in feats.items()}
    for m in mats.values():
        np.nan_to_num(m, copy=False)

    def scores(name: str, train: Sequence[Pair]) -> dict[str, float]:
        model = fit_bt(mats[name], [(index[b], index[w]) for b, w, _ in train])
        return dict(zip(ids, apply_bt(model, mats[name]).tolist()))

    base = {"v2 reward (shipped)": {i: float(feats["v2"][i][0]) for i in ids},
            "length": {i: math.log1p(len(_response(items[i]).split())) for i in ids},
            # the cosine sits right after the four 384-wide blocks (reply x2, context, product)
            "cosine": {i: float(feats["encoder"][i][4 * 384]) for i in ids}}
    table: dict[str, dict[str, float]] = {}
    for left in PAIR_SOURCES:
        train = [p for s in PAIR_SOURCES if s != left for p in pairs[s]]
        test = pairs[left]
        row = {name: accuracy(sc, test) for name, sc in base.items()}
        for name in ("encoder", "v2+"):
            row[f"BT on the other sources, {name}"] = accuracy(scores(name, train), test)
        folds = context_folds(test)
        right = [accuracy(scores("encoder", folds[1 - k]), folds[k]) * len(folds[k]) for k in (0, 1)]
        row["ceiling: BT on the same source (2 folds by context), encoder"] = round(sum(right) / len(test), 4)
        row["test pairs"] = len(test)
        table[left] = row
        log(f"{left}: {json.dumps(row)}")
    all_pairs = [p for s in PAIR_SOURCES for p in pairs[s]]
    sess: dict[str, list[str]] = defaultdict(list)
    quality: dict[str, str] = {}
    for i, r in items.items():
        if r["source"] == "annomi":
            sess[_group(r)].append(i)
            quality[_group(r)] = r["label"]["mi_quality"]

    def session_auc(sc: dict[str, float]) -> float:
        mean = {g: float(np.mean([sc[i] for i in v])) for g, v in sess.items()}
        return round(auc([m for g, m in mean.items() if quality[g] == "high"],
                         [m for g, m in mean.items() if quality[g] == "low"]), 4)

    row = {name: session_auc(sc) for name, sc in base.items()}
    for name in ("encoder", "v2+"):
        row[f"BT on the other sources, {name}"] = session_auc(scores(name, all_pairs))
    row["sessions"] = len(sess)
    table["annomi (session AUC)"] = row
    log(f"annomi: {json.dumps(row)}")
    return {"kind": "perm-loso-human", "data": str(data), "replies": len(items),
            "pairs": {s: len(p) for s, p in pairs.items()}, "results": table}


def needs_hf(module: str) -> Callable[[], str | None]:
    """A `cli` check: the message for a job that needs torch and transformers, when they are missing."""
    def check() -> str | None:
        try:
            import torch  # noqa: F401
            import transformers  # noqa: F401
        except ImportError:
            return f"{module} needs torch and transformers: pip install -e '.[hf]'"
        return None
    return check


def cli(doc: str | None, job: Callable[..., dict[str, Any]], argv: Sequence[str] | None,
        check: Callable[[], str | None] = lambda: None, flags: dict[str, str] | None = None) -> int:
    """`--data DIR -o FILE` for a job over the human-judged pair sources: 2 with a message when
    the data (or what `check` names) is missing, else the job's JSON document. `flags` adds
    on/off options (name -> help), passed to the job as keyword arguments."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("-o", "--output", type=Path, default=None)
    for name, text in (flags or {}).items():
        ap.add_argument(f"--{name}", action="store_true", help=text)
    a = ap.parse_args(argv)
    missing = (None if (a.data / "counsel-chat" / "pairs.jsonl").exists()
               else f"no human-judged data at {a.data} (see ../shared/data/human-judged/README.md)")
    missing = missing or check()
    if missing:
        print(missing, file=sys.stderr)
        return 2
    on = {name: getattr(a, name) for name in (flags or {})}
    emit(job(a.data, log=lambda m: print(m, file=sys.stderr), **on), a.output)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return cli(__doc__, run, argv)


if __name__ == "__main__":
    sys.exit(main())
