"""Evaluate the local scorer against the gold labels, side by side with three baselines, and
write the numbers for MODEL_CARD.md.

    .venv/bin/python scripts/data/evaluate_local_scorer.py [--model DIR] [--smollm2-url URL]

Baselines (each mapped to every dimension's scale by a one-feature linear fit on the train
split, so only its ranking matters):
  length     log word count of the judged text
  embedding  cosine similarity of MiniLM (contextual) embeddings of context and judged text
  smollm2    SmolLM2-135M-Instruct as an LLM judge with our rubrics through an OpenAI-compatible
             server (llama.cpp), on the first N test scenarios; unparsable answers are missing
             scores (pairs with a missing reward count as ties)
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
from perm.config import build_config  # noqa: E402
from perm.local.distill import features_for, load_labelled  # noqa: E402
from perm.local.model import LocalModel  # noqa: E402
from perm.metrics import spearman  # noqa: E402
from perm.scoring import build_requests, combine  # noqa: E402
from perm.types import DIMENSIONS  # noqa: E402

DATA = ROOT / "data" / "perm-empathy"
CFG = build_config({"missing": "available"})


def reward(scores: dict) -> float | None:
    if any(scores.get(d) is None for d in DIMENSIONS[:3]):
        return None
    return combine(scores, {}, 0, CFG).reward


def summarise(name, data, pred: dict[str, list]) -> dict:
    out = {"system": name, "n": len(data.samples)}
    for d in DIMENSIONS:
        y = [lab[d] for lab in data.labels]
        p = pred[d]
        keep = [i for i, v in enumerate(p) if v is not None]
        out[f"spearman_{d}"] = round(spearman([y[i] for i in keep], [p[i] for i in keep]), 4) if keep else float("nan")
        out[f"coverage_{d}"] = round(len(keep) / len(p), 3)
    gold = [reward(lab) for lab in data.labels]
    pr = [reward({d: pred[d][i] for d in DIMENSIONS}) for i in range(len(data.samples))]
    # pairs where a prediction is missing count as ties (0.5), not as wins or losses
    by = defaultdict(list)
    for i, g in enumerate(data.groups):
        by[g].append(i)
    right = n = 0.0
    for idx in by.values():
        for a in range(len(idx)):
            for b in range(a + 1, len(idx)):
                i, j = idx[a], idx[b]
                if abs(gold[i] - gold[j]) < 0.1:
                    continue
                n += 1
                if pr[i] is None or pr[j] is None or pr[i] == pr[j]:
                    right += 0.5
                elif (pr[i] - pr[j]) * (gold[i] - gold[j]) > 0:
                    right += 1
    out["pairwise_accuracy"] = round(right / n, 4) if n else float("nan")
    out["pairs"] = int(n)
    both = [i for i, v in enumerate(pr) if v is not None]
    out["spearman_reward"] = round(spearman([gold[i] for i in both], [pr[i] for i in both]), 4)
    # judge-aimed outputs vs the same scenario's excellent output
    kinds = [s.extra.get("kind") for s in data.samples]
    below = total = 0
    for idx in by.values():
        exc = [i for i in idx if kinds[i] == "excellent"]
        for i in idx:
            if kinds[i] == "judge_aimed" and exc:
                total += 1
                if pr[i] is not None and pr[exc[0]] is not None and pr[i] < pr[exc[0]]:
                    below += 1
    out["judge_aimed_below_excellent"] = round(below / total, 3) if total else float("nan")
    out["judge_aimed_n"] = total
    return out


def linear_baseline(feature, train, test):
    pred = {}
    xtr = np.array([feature(s, "x") for s in train.samples])
    for d in DIMENSIONS:
        ytr = np.array([lab[d] for lab in train.labels])
        a, b = np.polyfit(xtr, ytr, 1)
        pred[d] = [float(a * feature(s, d) + b) for s in test.samples]
    return pred


def judged(sample, dim):
    _, reqs = build_requests(sample, [dim if dim != "x" else "expression"], "judge")
    r = reqs[0]
    return r.analysis if dim == "resonation" else r.response


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None, help="local scorer dir (default: the packaged one)")
    ap.add_argument("--smollm2-url", default=None, help="OpenAI-compatible URL serving SmolLM2")
    ap.add_argument("--smollm2-scenarios", type=int, default=8)
    ap.add_argument("--out", default=str(DATA / "eval-local-scorer.json"))
    ap.add_argument("--only-smollm2", action="store_true",
                    help="add the SmolLM2 row to an existing --out file (skips the rest)")
    a = ap.parse_args()
    train, dev, test = (load_labelled(DATA / f"{k}.jsonl") for k in ("train", "dev", "test"))
    model = LocalModel.load(a.model)
    if a.only_smollm2:
        results = json.loads(Path(a.out).read_text())
        pred = {d: [float(v) for v in model.predict_features(d, features_for(model, test, d)[0])]
                for d in DIMENSIONS}
        rows = [r for r in results["splits"]["test"] if not r["system"].startswith("SmolLM2")]
        results["splits"]["test"] = [*rows, smollm2(a.smollm2_url, test, a.smollm2_scenarios, pred)]
        Path(a.out).write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(results["splits"]["test"][-1], indent=2))
        return
    results = {"model": model.meta.get("name"), "splits": {}}
    for split, data in (("dev", dev), ("test", test)):
        t = time.perf_counter()
        pred = {}
        for d in DIMENSIONS:
            x, _, _ = features_for(model, data, d)
            pred[d] = [float(v) for v in model.predict_features(d, x)]
        rows = [summarise("perm local scorer", data, pred)]
        rows[0]["seconds"] = round(time.perf_counter() - t, 2)
        if split == "test":
            words = lambda s, d: math.log1p(len(judged(s, d).split()))  # noqa: E731
            rows.append(summarise("length-only baseline", data, linear_baseline(words, train, data)))
            from perm.local.encoders import MiniLMEncoder
            from perm.perspectives import render_context
            enc = MiniLMEncoder()
            cache: dict[str, np.ndarray] = {}

            def emb(text: str, cache=cache, enc=enc) -> np.ndarray:
                if text not in cache:
                    cache[text] = enc.encode([text])[0]
                return cache[text]

            def cos(s, d):
                return float(emb(render_context(s)) @ emb(judged(s, d) or " "))

            rows.append(summarise("embedding-similarity baseline", data, linear_baseline(cos, train, data)))
            if a.smollm2_url:
                rows.append(smollm2(a.smollm2_url, data, a.smollm2_scenarios, pred))
        results["splits"][split] = rows
    Path(a.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


def smollm2(url, data, n_scen, local_pred):
    """SmolLM2 as an LLM judge on the first n scenarios; the local scorer on the same subset."""
    from perm.scoring import PermScorer

    order = []
    for g in data.groups:
        if g not in order:
            order.append(g)
    keep_groups = set(order[:n_scen])
    idx = [i for i, g in enumerate(data.groups) if g in keep_groups]
    sub = type(data)([data.samples[i] for i in idx], [data.labels[i] for i in idx], [data.groups[i] for i in idx])
    scorer = PermScorer({"judge": {"backend": "openai", "base_url": [url], "model": "smollm2-135m",
                                   "max_tokens": 64, "temperature": 0, "max_reasks": 0, "concurrency": 2},
                         "on_format_error": "judge"})
    t = time.perf_counter()
    res = scorer.score(sub.samples)
    scorer.close()
    pred = {d: [r.scores[d] for r in res] for d in DIMENSIONS}
    row = summarise(f"SmolLM2-135M LLM judge (first {n_scen} test scenarios)", sub, pred)
    row["seconds"] = round(time.perf_counter() - t, 1)
    row["judge_failure_rate"] = round(sum(v is None for d in DIMENSIONS for v in pred[d]) / (4 * len(res)), 3)
    local_sub = {d: [local_pred[d][i] for i in idx] for d in DIMENSIONS}
    row["local_scorer_same_subset"] = summarise("local scorer, same subset", sub, local_sub)
    return row


if __name__ == "__main__":
    main()
