"""The statistics of perm, in one place (numpy only): agreement and ranking metrics (Spearman,
quadratic-weighted kappa, pairwise accuracy), bootstrap intervals (over items, or over clusters
of items that move together), the sign test and win rates. Used by the data card,
`perm distill` and every evaluation summary (`perm.evaluate.summaries`)."""
from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from typing import TypedDict

import numpy as np

#: Bootstrap resamples for every interval in a report (2,000 keeps a 95 % bound stable to ~0.005).
N_BOOT = 2000


class MeanCI(TypedDict):
    """A mean with its bootstrap 95 % interval; all None when no value was present."""

    mean: float | None
    lo: float | None
    hi: float | None
    n: int


class WinRate(TypedDict):
    """Wins, losses and ties over items, the sign test, and the win rate with its interval."""

    n: int
    wins: int
    losses: int
    ties: int
    p_sign: float
    rate: float | None
    lo: float | None
    hi: float | None


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
                 n: int = N_BOOT, alpha: float = 0.05, seed: int = 0,
                 clusters: Sequence[Hashable] | None = None) -> tuple[float, float]:
    """Percentile bootstrap interval of `stat(values)`.

    With `clusters` (one label per value) whole clusters are resampled, so values that are not
    independent (several outputs for one scenario) move together and the interval is honest.

    >>> bootstrap_ci([1.0, 1.0, 1.0])
    (1.0, 1.0)
    >>> bootstrap_ci([0.0, 0.0, 1.0, 1.0], clusters=["a", "a", "b", "b"], n=200)
    (0.0, 1.0)
    """
    v = np.asarray(values, dtype=float)
    if len(v) == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    if clusters is None:
        stats = [stat(v[rng.integers(0, len(v), len(v))]) for _ in range(n)]
    else:
        if len(clusters) != len(v):
            raise ValueError(f"{len(clusters)} cluster labels for {len(v)} values")
        members: dict[Hashable, list[int]] = {}
        for i, c in enumerate(clusters):
            members.setdefault(c, []).append(i)
        groups = [v[idx] for idx in members.values()]
        stats = [stat(np.concatenate([groups[g] for g in rng.integers(0, len(groups), len(groups))]))
                 for _ in range(n)]
    return float(np.quantile(stats, alpha / 2)), float(np.quantile(stats, 1 - alpha / 2))


def _present(values: Sequence[float | None], clusters: Sequence[Hashable] | None,
             ) -> tuple[list[float], list[Hashable] | None]:
    """The values that are present (not None, not NaN), with their cluster labels."""
    keep = [(i, float(v)) for i, v in enumerate(values) if v is not None and not math.isnan(float(v))]
    return ([v for _, v in keep],
            None if clusters is None else [clusters[i] for i, _ in keep])


def mean_ci(values: Sequence[float | None], *, n_boot: int = N_BOOT, seed: int = 0,
            clusters: Sequence[Hashable] | None = None) -> MeanCI:
    """Mean of the present values with a bootstrap 95 % interval: {mean, lo, hi, n}.

    >>> mean_ci([0.5, None, float("nan")])
    {'mean': 0.5, 'lo': 0.5, 'hi': 0.5, 'n': 1}
    """
    got, labels = _present(values, clusters)
    if not got:
        return {"mean": None, "lo": None, "hi": None, "n": 0}
    lo, hi = (bootstrap_ci(got, n=n_boot, seed=seed, clusters=labels) if len(got) > 1
              else (got[0], got[0]))
    return {"mean": float(np.mean(got)), "lo": lo, "hi": hi, "n": len(got)}


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact binomial (sign test) p-value of wins vs losses; ties are left out.

    >>> round(sign_test(9, 1), 4)
    0.0215
    """
    n = wins + losses
    if n == 0:
        return 1.0
    k = min(wins, losses)
    tail: float = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def win_rate(points: Sequence[float], *, n_boot: int = N_BOOT, seed: int = 0,
             clusters: Sequence[Hashable] | None = None) -> WinRate:
    """Win rate from per-item points (1 win, 0.5 tie, 0 loss, or fractions when several
    judgments of one item are averaged), with a bootstrap 95 % interval (over `clusters` when
    given) and the sign test over items."""
    pts = [float(p) for p in points]
    wins = sum(p > 0.5 for p in pts)
    losses = sum(p < 0.5 for p in pts)
    ties, p_sign = len(pts) - wins - losses, sign_test(wins, losses)
    if not pts:
        return {"n": 0, "wins": wins, "losses": losses, "ties": ties, "p_sign": p_sign,
                "rate": None, "lo": None, "hi": None}
    lo, hi = (bootstrap_ci(pts, n=n_boot, seed=seed, clusters=clusters) if len(pts) > 1
              else (pts[0], pts[0]))
    return {"n": len(pts), "wins": wins, "losses": losses, "ties": ties, "p_sign": p_sign,
            "rate": float(np.mean(pts)), "lo": lo, "hi": hi}
