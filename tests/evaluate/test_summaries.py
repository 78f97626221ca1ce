"""Evaluation summaries: per-system numbers, paired rewards (optionally clustered by
scenario), preference summaries."""
import math

import pytest

from perm.evaluate.summaries import length_stats, paired_rewards, preference_summary, system_summary


def test_paired_rewards_only_pairs_ids_with_both_rewards():
    a = {"x": 0.5, "y": 0.4, "z": None, "only_a": 0.1}
    b = {"x": 0.6, "y": 0.4, "z": 0.9}
    out = paired_rewards(a, b, n_boot=200)
    assert out["n"] == 2 and out["wins"] == 1 and out["ties"] == 1
    assert out["mean_diff"]["mean"] == pytest.approx(0.05)
    assert out["unpaired"] == 2
    margin = paired_rewards(a, b, tie_margin=0.2, n_boot=200)
    assert margin["ties"] == 2 and margin["rate"] == 0.5


def test_paired_rewards_by_cluster_by_hand():
    # ids a#0.. are two draws per scenario; pairs: a0 +0.1, a1 +0.2, b0 -0.1, b1 0.0, c0 +0.6
    # (c1 has no base reward)
    a = {"a#0": 0.2, "a#1": 0.4, "b#0": 0.5, "b#1": 0.5, "c#0": 0.3, "c#1": None}
    b = {"a#0": 0.3, "a#1": 0.6, "b#0": 0.4, "b#1": 0.5, "c#0": 0.9, "c#1": 0.1}
    clusters = {i: i.split("#")[0] for i in a}
    out = paired_rewards(a, b, clusters=clusters, n_boot=500)
    assert out["n"] == 5 and out["unpaired"] == 1
    assert out["mean_diff"]["mean"] == pytest.approx(0.8 / 5)
    assert out["rate"] == pytest.approx(3.5 / 5) and (out["wins"], out["ties"]) == (3, 1)
    # per scenario: a +0.15, b -0.05, c +0.6 -> 2 better, 1 worse; sign test p = 1.0
    assert out["clusters"] == {"n": 3, "better": 2, "worse": 1, "ties": 0, "p_sign": pytest.approx(1.0)}
    lo, hi = out["mean_diff"]["lo"], out["mean_diff"]["hi"]
    # whole scenarios are resampled: the extremes are scenario means, not single pairs
    assert lo == pytest.approx(-0.05) and hi == pytest.approx(0.6)
    assert "clusters" not in paired_rewards(a, b, n_boot=100)


def test_length_stats():
    out = length_stats([10, 20, 30, 1000], limit=768)
    assert out["median"] == 25 and out["max"] == 1000 and out["over_limit"] == 0.25
    assert length_stats([])["mean"] is None


def test_preference_summary_position_bias():
    out = preference_summary({"p1": 1.0, "p2": 0.5, "p3": 0.0}, [True, True, True, False],
                             consistent=1, both_orders=2, n_boot=200)
    assert out["rate"] == pytest.approx(0.5)
    assert out["position"]["first_rate"] == pytest.approx(0.75)
    assert out["position"]["bias"] == pytest.approx(0.25)
    assert out["position"]["consistency"] == 0.5


def test_system_summary_rates():
    rows = [
        {"reward": 0.5, "empathy": 0.6, "scores": {"resonation": 3}, "tokens": 10, "format_ok": True,
         "outcome": "scored", "failures": {}},
        {"reward": None, "empathy": None, "scores": {"resonation": None}, "tokens": 20,
         "format_ok": True, "outcome": "failed", "failures": {"resonation": "judge error"}},
        {"reward": -0.3, "empathy": 0.2, "scores": {"resonation": None}, "tokens": 5,
         "format_ok": False, "outcome": "format_error", "failures": {"format": "x"}},
    ]
    s = system_summary(rows, dimensions=["resonation"], length_limit=15, n_boot=100)
    assert s["n"] == 3
    assert s["format_ok_rate"] == pytest.approx(2 / 3)
    assert s["judge_failure_rate"] == pytest.approx(1 / 3)  # format errors are not judge failures
    assert s["reward_missing_rate"] == pytest.approx(1 / 3)
    assert s["scores"]["resonation"]["mean"] == 3 and s["scores"]["resonation"]["n"] == 1
    assert s["length"]["over_limit"] == pytest.approx(1 / 3)
    assert not math.isnan(s["reward"]["mean"])
