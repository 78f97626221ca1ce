"""Evaluation statistics: means with bootstrap intervals, paired win rates, the sign test and
preference summaries. Pure functions over plain values (interval maths from `perm.metrics`)."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..metrics import bootstrap_ci

#: Bootstrap resamples for every interval in a report (2,000 keeps a 95 % bound stable to ~0.005).
N_BOOT = 2000


def _clean(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and not math.isnan(float(v))]


def mean_ci(values: Sequence[float | None], *, n_boot: int = N_BOOT, seed: int = 0) -> dict[str, Any]:
    """Mean of the present values with a bootstrap 95 % interval: {mean, lo, hi, n}."""
    got = _clean(values)
    if not got:
        return {"mean": None, "lo": None, "hi": None, "n": 0}
    lo, hi = bootstrap_ci(got, n=n_boot, seed=seed) if len(got) > 1 else (got[0], got[0])
    return {"mean": float(np.mean(got)), "lo": lo, "hi": hi, "n": len(got)}


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact binomial (sign test) p-value of wins vs losses; ties are left out."""
    n = wins + losses
    if n == 0:
        return 1.0
    k = min(wins, losses)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def win_rate(points: Sequence[float], *, n_boot: int = N_BOOT, seed: int = 0) -> dict[str, Any]:
    """Win rate from per-item points (1 win, 0.5 tie, 0 loss, or fractions when several
    judgments of one item are averaged), with a bootstrap 95 % interval and the sign test."""
    pts = [float(p) for p in points]
    wins = sum(p > 0.5 for p in pts)
    losses = sum(p < 0.5 for p in pts)
    out: dict[str, Any] = {"n": len(pts), "wins": wins, "losses": losses,
                           "ties": len(pts) - wins - losses, "p_sign": sign_test(wins, losses)}
    if not pts:
        return {**out, "rate": None, "lo": None, "hi": None}
    lo, hi = bootstrap_ci(pts, n=n_boot, seed=seed) if len(pts) > 1 else (pts[0], pts[0])
    return {**out, "rate": float(np.mean(pts)), "lo": lo, "hi": hi}


def length_stats(tokens: Sequence[int], limit: int | None = None) -> dict[str, Any]:
    """Mean, median, 90th percentile and max length; share over `limit` when given."""
    if not tokens:
        return {"mean": None, "median": None, "p90": None, "max": None, "over_limit": None}
    a = np.asarray(tokens, dtype=float)
    out: dict[str, Any] = {"mean": float(a.mean()), "median": float(np.median(a)),
                           "p90": float(np.quantile(a, 0.9)), "max": int(a.max())}
    out["over_limit"] = float((a > limit).mean()) if limit is not None else None
    return out


def system_summary(rows: Sequence[Mapping[str, Any]], *, dimensions: Sequence[str],
                   length_limit: int | None = None, n_boot: int = N_BOOT) -> dict[str, Any]:
    """Everything `perm eval` reports for one system, from its scored-output rows."""
    n = len(rows)
    fmt_err = sum(1 for r in rows if r.get("outcome") == "format_error" or r.get("format_ok") is False)
    judge_fail = sum(1 for r in rows if r.get("outcome") != "format_error" and r.get("failures"))
    return {
        "n": n,
        "reward": mean_ci([r.get("reward") for r in rows], n_boot=n_boot),
        "empathy": mean_ci([r.get("empathy") for r in rows], n_boot=n_boot),
        "scores": {d: mean_ci([(r.get("scores") or {}).get(d) for r in rows], n_boot=n_boot)
                   for d in dimensions},
        "format_ok_rate": (n - fmt_err) / n if n else None,
        "judge_failure_rate": judge_fail / n if n else None,
        "reward_missing_rate": sum(r.get("reward") is None for r in rows) / n if n else None,
        "length": length_stats([int(r.get("tokens") or 0) for r in rows], length_limit),
    }


def paired_rewards(a: Mapping[str, float | None], b: Mapping[str, float | None], *,
                   tie_margin: float = 0.0, n_boot: int = N_BOOT) -> dict[str, Any]:
    """B against A on the ids both have a reward for: B's win rate (ties half), the sign test,
    and the mean reward difference B - A with its interval."""
    ids = [i for i in a if i in b and a[i] is not None and b[i] is not None]
    diffs = [float(b[i]) - float(a[i]) for i in ids]  # type: ignore[arg-type]
    points = [1.0 if d > tie_margin else 0.0 if d < -tie_margin else 0.5 for d in diffs]
    out = win_rate(points, n_boot=n_boot)
    out["mean_diff"] = mean_ci(diffs, n_boot=n_boot)
    out["unpaired"] = len(set(a) | set(b)) - len(ids)
    return out


def preference_summary(points: Mapping[str, float], first_picks: Sequence[bool], *,
                       consistent: int | None = None, both_orders: int | None = None,
                       failed: int = 0, n_boot: int = N_BOOT) -> dict[str, Any]:
    """Win rate of B over A from per-pair points, plus position bias: the share of decisive
    judgments that chose whichever response was shown first (0.5 means no bias)."""
    out = win_rate(list(points.values()), n_boot=n_boot)
    firsts = [1.0 if f else 0.0 for f in first_picks]
    pos = mean_ci(firsts, n_boot=n_boot)
    out["position"] = {"first_rate": pos["mean"], "lo": pos["lo"], "hi": pos["hi"],
                       "decisive": len(firsts),
                       "bias": None if pos["mean"] is None else pos["mean"] - 0.5}
    if both_orders is not None:
        out["position"]["consistency"] = (consistent or 0) / both_orders if both_orders else None
        out["position"]["both_orders"] = both_orders
    out["failed"] = failed
    return out
