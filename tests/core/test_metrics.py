"""The statistics module: exact sign-test values, intervals that skip missing values, and the
cluster bootstrap that resamples whole clusters."""
import pytest

from perm.metrics import bootstrap_ci, mean_ci, sign_test, win_rate


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


def test_cluster_bootstrap_resamples_whole_clusters():
    # two clusters with means 0.15 and 0.6 (sizes 2 and 1): a resample of two clusters has a
    # mean of 0.15, 0.6 or one of the two mixtures, never a value between items of one cluster
    values, labels = [0.1, 0.2, 0.6], ["a", "a", "c"]
    lo, hi = bootstrap_ci(values, clusters=labels, n=500)
    assert lo == pytest.approx(0.15) and hi == pytest.approx(0.6)
    # the item bootstrap splits cluster a: it reaches below a's mean
    lo_items, _ = bootstrap_ci(values, n=500)
    assert lo_items < 0.15


def test_cluster_labels_follow_the_values_they_belong_to():
    # missing values drop out together with their labels
    out = mean_ci([0.0, None, 1.0, 1.0], clusters=["x", "y", "z", "z"], n_boot=300)
    assert out["n"] == 3 and out["mean"] == pytest.approx(2 / 3)
    assert (out["lo"], out["hi"]) == (pytest.approx(0.0), pytest.approx(1.0))
    with pytest.raises(ValueError, match="2 cluster labels for 3 values"):
        bootstrap_ci([1.0, 2.0, 3.0], clusters=["a", "b"])


def test_the_item_bootstrap_is_seeded_and_reproducible():
    assert bootstrap_ci([0.1, 0.5, 0.9, 0.3], n=300, seed=4) == bootstrap_ci([0.1, 0.5, 0.9, 0.3], n=300, seed=4)
