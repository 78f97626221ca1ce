"""What `perm eval`, `perm compare` and `perm human import` report: per-system summaries,
paired reward comparisons and preference summaries, built from plain values with the
statistics of `perm.metrics` (the one home of bootstrap intervals and the sign test)."""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, TypedDict

import numpy as np

from ..metrics import N_BOOT, MeanCI, WinRate, mean_ci, sign_test, win_rate


class LengthStats(TypedDict):
    """Output lengths in tokens (all None for no outputs; `over_limit` without a limit)."""

    mean: float | None
    median: float | None
    p90: float | None
    max: int | None
    over_limit: float | None


class SystemSummary(TypedDict):
    """One system's part of eval.json."""

    n: int
    reward: MeanCI
    empathy: MeanCI
    scores: dict[str, MeanCI]
    format_ok_rate: float | None
    judge_failure_rate: float | None
    reward_missing_rate: float | None
    length: LengthStats


class ClusterSigns(TypedDict):
    """Clusters whose mean difference is better, worse or tied, with the sign test."""

    n: int
    better: int
    worse: int
    ties: int
    p_sign: float


class PairedRewards(WinRate):
    """B against A on rewards: the win rate and the mean difference B - A."""

    mean_diff: MeanCI
    unpaired: int


class ClusteredPairedRewards(PairedRewards):
    """`PairedRewards` over clustered outputs, with the sign test over the clusters."""

    clusters: ClusterSigns


class _Position(TypedDict):
    first_rate: float | None
    lo: float | None
    hi: float | None
    decisive: int
    bias: float | None


class Position(_Position, total=False):
    """Position bias of a preference judge, and order consistency when pairs were swapped."""

    consistency: float | None
    both_orders: int


class Preference(WinRate):
    """B's preference win rate over A, with position bias and unjudged pairs."""

    position: Position
    failed: int


def length_stats(tokens: Sequence[int], limit: int | None = None) -> LengthStats:
    """Mean, median, 90th percentile and max length; share over `limit` when given."""
    if not tokens:
        return {"mean": None, "median": None, "p90": None, "max": None, "over_limit": None}
    a = np.asarray(tokens, dtype=float)
    return {"mean": float(a.mean()), "median": float(np.median(a)),
            "p90": float(np.quantile(a, 0.9)), "max": int(a.max()),
            "over_limit": float((a > limit).mean()) if limit is not None else None}


def system_summary(rows: Sequence[Mapping[str, Any]], *, dimensions: Sequence[str],
                   length_limit: int | None = None, n_boot: int = N_BOOT,
                   clusters: Sequence[Hashable] | None = None) -> SystemSummary:
    """Everything `perm eval` reports for one system, from its scored-output rows (intervals
    resample `clusters`, one label per row, when given)."""
    n = len(rows)
    fmt_err = sum(1 for r in rows if r.get("outcome") == "format_error" or r.get("format_ok") is False)
    judge_fail = sum(1 for r in rows if r.get("outcome") != "format_error" and r.get("failures"))
    return {
        "n": n,
        "reward": mean_ci([r.get("reward") for r in rows], n_boot=n_boot, clusters=clusters),
        "empathy": mean_ci([r.get("empathy") for r in rows], n_boot=n_boot, clusters=clusters),
        "scores": {d: mean_ci([(r.get("scores") or {}).get(d) for r in rows], n_boot=n_boot,
                              clusters=clusters)
                   for d in dimensions},
        "format_ok_rate": (n - fmt_err) / n if n else None,
        "judge_failure_rate": judge_fail / n if n else None,
        "reward_missing_rate": sum(r.get("reward") is None for r in rows) / n if n else None,
        "length": length_stats([int(r.get("tokens") or 0) for r in rows], length_limit),
    }


def paired_rewards(a: Mapping[str, float | None], b: Mapping[str, float | None], *,
                   tie_margin: float = 0.0, n_boot: int = N_BOOT,
                   clusters: Mapping[str, Hashable] | None = None,
                   ) -> PairedRewards | ClusteredPairedRewards:
    """B against A on the ids both have a reward for: B's win rate (ties half), the sign test,
    and the mean reward difference B - A with its interval.

    `clusters` (id -> label, e.g. the scenario of each of several outputs per scenario) makes
    every interval resample whole clusters, and adds `clusters`: the sign test over the
    clusters' mean differences, since outputs of one cluster are not independent.
    """
    both = {i: (x, y) for i, x in a.items() if x is not None and (y := b.get(i)) is not None}
    ids = list(both)
    diffs = [float(y) - float(x) for x, y in both.values()]
    points = [1.0 if d > tie_margin else 0.0 if d < -tie_margin else 0.5 for d in diffs]
    labels = None if clusters is None else [clusters[i] for i in ids]
    out: PairedRewards = {**win_rate(points, n_boot=n_boot, clusters=labels),
                          "mean_diff": mean_ci(diffs, n_boot=n_boot, clusters=labels),
                          "unpaired": len(set(a) | set(b)) - len(ids)}
    if labels is None:
        return out
    return {**out, "clusters": cluster_signs(diffs, labels, tie_margin=tie_margin)}


def cluster_signs(diffs: Sequence[float], labels: Sequence[Hashable], *,
                  tie_margin: float = 0.0) -> ClusterSigns:
    """Per cluster, the mean difference; how many are better, worse or tied, and the sign test."""
    by: dict[Hashable, list[float]] = {}
    for d, c in zip(diffs, labels):
        by.setdefault(c, []).append(d)
    means = [float(np.mean(ds)) for ds in by.values()]
    better = sum(m > tie_margin for m in means)
    worse = sum(m < -tie_margin for m in means)
    return {"n": len(means), "better": better, "worse": worse, "ties": len(means) - better - worse,
            "p_sign": sign_test(better, worse)}


def preference_summary(points: Mapping[str, float], first_picks: Sequence[bool], *,
                       consistent: int | None = None, both_orders: int | None = None,
                       failed: int = 0, n_boot: int = N_BOOT) -> Preference:
    """Win rate of B over A from per-pair points, plus position bias: the share of decisive
    judgments that chose whichever response was shown first (0.5 means no bias)."""
    rate = win_rate(list(points.values()), n_boot=n_boot)
    firsts = [1.0 if f else 0.0 for f in first_picks]
    pos = mean_ci(firsts, n_boot=n_boot)
    position: Position = {"first_rate": pos["mean"], "lo": pos["lo"], "hi": pos["hi"],
                          "decisive": len(firsts),
                          "bias": None if pos["mean"] is None else pos["mean"] - 0.5}
    if both_orders is not None:
        position["consistency"] = (consistent or 0) / both_orders if both_orders else None
        position["both_orders"] = both_orders
    return {**rate, "position": position, "failed": failed}
