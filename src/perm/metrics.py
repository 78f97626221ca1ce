"""Agreement and ranking metrics (numpy only): Spearman, quadratic-weighted kappa, pairwise
accuracy, bootstrap intervals. Used by the data card, `perm distill` and evaluation."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def rankdata(x: Sequence[float]) -> np.ndarray:
    """Average ranks (ties share the mean rank), 1-based."""
    a = np.asarray(x, dtype=float)
    order = np.argsort(a, kind="mergesort")
    ranks = np.empty(len(a))
    ranks[order] = np.arange(1, len(a) + 1)
    for v in np.unique(a):
        m = a == v
        if m.sum() > 1:
            ranks[m] = ranks[m].mean()
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    if len(x) < 2:
        return float("nan")
    rx, ry = rankdata(x), rankdata(y)
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    a, b = np.asarray(x, float), np.asarray(y, float)
    if len(a) < 2 or a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def qwk(a: Sequence[int], b: Sequence[int], lo: int, hi: int) -> float:
    """Quadratic-weighted Cohen's kappa for integer ratings in [lo, hi]."""
    k = hi - lo + 1
    o = np.zeros((k, k))
    for x, y in zip(a, b):
        o[int(x) - lo, int(y) - lo] += 1
    if o.sum() == 0:
        return float("nan")
    w = np.array([[(i - j) ** 2 for j in range(k)] for i in range(k)]) / (k - 1) ** 2
    e = np.outer(o.sum(1), o.sum(0)) / o.sum()
    denom = (w * e).sum()
    return float(1 - (w * o).sum() / denom) if denom else float("nan")


def pairwise_accuracy(groups: Sequence[str], gold: Sequence[float], pred: Sequence[float],
                      min_gap: float = 0.1) -> tuple[float, int]:
    """Share of same-group pairs whose gold values differ by >= min_gap that `pred` orders the
    same way (a predicted tie counts as half). Returns (accuracy, number of pairs)."""
    by: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by.setdefault(g, []).append(i)
    right, n = 0.0, 0
    for idx in by.values():
        for a in range(len(idx)):
            for b in range(a + 1, len(idx)):
                i, j = idx[a], idx[b]
                if abs(gold[i] - gold[j]) < min_gap:
                    continue
                n += 1
                d = (pred[i] - pred[j]) * (gold[i] - gold[j])
                right += 1.0 if d > 0 else (0.5 if pred[i] == pred[j] else 0.0)
    return (right / n if n else float("nan")), n


def bootstrap_ci(values: Sequence[float], stat: Callable[[np.ndarray], float] = np.mean,
                 n: int = 2000, alpha: float = 0.05, seed: int = 0) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    if len(v) == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    stats = [stat(v[rng.integers(0, len(v), len(v))]) for _ in range(n)]
    return float(np.quantile(stats, alpha / 2)), float(np.quantile(stats, 1 - alpha / 2))
