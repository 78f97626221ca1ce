"""How well a local scorer reproduces labels: Spearman per dimension and within-scenario pairwise
accuracy of the reward, on any labelled JSONL (our dataset files, or `perm score` output joined
with its input). Scores go through the real runtime (`PermScorer` + the `local` backend)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..config import build_config
from ..local.v2.data import load_file
from ..metrics import pairwise_accuracy, spearman
from ..scoring import PermScorer, combine
from ..types import DIMENSIONS


def evaluate_file(scorer: str | Path, path: str | Path, *, min_gap: float = 0.1) -> dict[str, Any]:
    """Agreement of the local scorer `scorer` (packaged name or folder) with the labels in `path`.

    A dimension whose label is null (resonation of a reply without an analysis) is left out of
    that dimension's Spearman; in the gold reward it takes the floor, as the scorer gives it.
    Rewards follow the PERM formula (no length term)."""
    examples = load_file(path)
    cfg = build_config({"judge": {"backend": "local", "model": str(scorer)},
                        "on_format_error": "judge", "missing": "available"})
    with PermScorer(cfg) as s:
        results = s.score([e.sample for e in examples])
    report: dict[str, Any] = {"n": len(examples)}
    for d in DIMENSIONS:
        pairs = [(a, b) for a, b in ((e.labels.get(d), r.scores.get(d)) for e, r in zip(examples, results))
                 if a is not None and b is not None]
        report[f"spearman_{d}"] = round(spearman([a for a, _ in pairs], [b for _, b in pairs]), 4)
    # a reply without private notes has no resonation label; the scorer gives it the floor (1)
    gold = [combine({**e.labels, "resonation": e.labels["resonation"] if e.analysis.strip() and
                     e.labels.get("resonation") is not None else 1.0}, {}, 0, cfg).reward
            for e in examples]
    pred = [r.reward for r in results]
    kept = [(examples[i].group, g, p) for i, (g, p) in enumerate(zip(gold, pred))
            if g is not None and p is not None]
    gk, pk = [g for _, g, _ in kept], [p for _, _, p in kept]
    acc, n_pairs = pairwise_accuracy([grp for grp, _, _ in kept], gk, pk, min_gap)
    report.update(pairwise_accuracy=round(acc, 4), pairs=n_pairs,
                  spearman_reward=round(spearman(gk, pk), 4),
                  failed=sum(r.reward is None for r in results))
    return report


def evaluate_files(scorer: str | Path, paths: Sequence[str | Path]) -> dict[str, dict[str, Any]]:
    return {str(p): evaluate_file(scorer, p) for p in paths}
