import math

import pytest

from perm.evaluate.stats import (
    length_stats,
    mean_ci,
    paired_rewards,
    preference_summary,
    sign_test,
    system_summary,
    win_rate,
)


@pytest.mark.parametrize("wins,losses,expected", [
    (0, 0, 1.0),
    (5, 5, 1.0),
    (9, 1, 2 * 11 / 1024),  # P(X <= 1) = (1 + 10) / 2^10, doubled
    (1, 9, 2 * 11 / 1024),
    (10, 0, 2 / 1024),
    (3, 2, 1.0),
])
def test_sign_test_exact_values(wins, losses, expected):
    assert sign_test(wins, losses) == pytest.approx(expected)


def test_mean_ci_skips_missing_and_brackets_the_mean():
    out = mean_ci([1.0, 2.0, None, 3.0, float("nan"), 4.0], n_boot=500)
    assert out["n"] == 4 and out["mean"] == pytest.approx(2.5)
    assert out["lo"] < 2.5 < out["hi"]
    assert mean_ci([None])["mean"] is None
    one = mean_ci([0.7])
    assert one["lo"] == one["hi"] == 0.7


def test_win_rate_counts_ties_half_and_uses_the_sign_test():
    out = win_rate([1, 1, 1, 0.5, 0], n_boot=500)
    assert out["rate"] == pytest.approx(0.7)
    assert (out["wins"], out["ties"], out["losses"]) == (3, 1, 1)
    assert out["p_sign"] == pytest.approx(sign_test(3, 1))
    assert 0 <= out["lo"] <= out["rate"] <= out["hi"] <= 1
    assert win_rate([])["rate"] is None


def test_paired_rewards_only_pairs_ids_with_both_rewards():
    a = {"x": 0.5, "y": 0.4, "z": None, "only_a": 0.1}
    b = {"x": 0.6, "y": 0.4, "z": 0.9}
    out = paired_rewards(a, b, n_boot=200)
    assert out["n"] == 2 and out["wins"] == 1 and out["ties"] == 1
    assert out["mean_diff"]["mean"] == pytest.approx(0.05)
    assert out["unpaired"] == 2
    margin = paired_rewards(a, b, tie_margin=0.2, n_boot=200)
    assert margin["ties"] == 2 and margin["rate"] == 0.5


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
