import math

import pytest

from perm import aggregate
from perm.config import build_config
from perm.scoring import combine


def norm(*s):
    return [x / 5 for x in s]


def test_issue_example_values():
    assert aggregate.empathy(norm(4, 2, 5), "harmonic") == pytest.approx(0.6316, abs=1e-4)
    assert aggregate.empathy(norm(4, 2, 5), "mean") == pytest.approx(0.7333, abs=1e-4)
    assert aggregate.empathy(norm(4, 2, 5), "geometric") == pytest.approx(0.6840, abs=1e-4)


def test_weighted_and_range():
    assert aggregate.empathy(norm(4, 2, 5), "weighted", [2, 1, 1]) == pytest.approx((1.6 + .4 + 1) / 4)
    assert aggregate.empathy(norm(1, 1, 1)) == pytest.approx(0.2)
    assert aggregate.empathy(norm(5, 5, 5)) == pytest.approx(1.0)


@pytest.mark.parametrize("bad", [[], [0.0, 0.5], [-0.1]])
def test_empathy_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        aggregate.empathy(bad)


def test_weighted_needs_weights():
    with pytest.raises(ValueError, match="one weight per score"):
        aggregate.empathy([0.5, 0.5], "weighted")


def test_bystander_and_length_terms():
    assert aggregate.bystander_term(100) == 0.0
    assert aggregate.bystander_term(0) == -0.5
    assert aggregate.bystander_term(80, coef=0.5) == pytest.approx(-0.1)
    assert aggregate.length_term(768) == 0.0
    assert aggregate.length_term(1000) == pytest.approx(-0.232)
    assert aggregate.length_term(900, limit=800, coef=0.01) == pytest.approx(-1.0)


def test_approx_tokens_is_monotone_and_reasonable():
    text = "I'm so sorry about your father; that must be incredibly hard."
    n = aggregate.approx_tokens(text)
    assert 12 <= n <= 20
    assert aggregate.approx_tokens(text * 3) > n


def test_combine_reward_is_the_sum_of_terms():
    cfg = build_config({})
    res = combine({"resonation": 4, "expression": 2, "reception": 5, "bystander": 80}, {}, 1000, cfg)
    assert res.empathy == pytest.approx(0.631579, abs=1e-6)
    assert res.terms["bystander"] == pytest.approx(-0.1)
    assert res.terms["length"] == pytest.approx(-0.232)
    assert res.reward == pytest.approx(0.631579 - 0.1 - 0.232, abs=1e-6)
    assert res.outcome == "scored"


def test_combine_missing_null_policy():
    cfg = build_config({})
    res = combine({"resonation": 4, "expression": None, "reception": 5, "bystander": 80},
                  {"expression": "judge error: 500"}, 10, cfg)
    assert res.empathy is None and res.reward is None
    assert res.outcome == "failed"
    assert res.scores["expression"] is None
    assert res.failures == {"expression": "judge error: 500"}


def test_combine_available_policy():
    cfg = build_config({"missing": "available"})
    res = combine({"resonation": 4, "expression": None, "reception": 2, "bystander": None},
                  {"expression": "x", "bystander": "y"}, 10, cfg)
    assert res.empathy == pytest.approx(2 / (5 / 4 + 5 / 2))
    assert res.terms["bystander"] == 0.0
    assert res.reward == pytest.approx(res.empathy)
    assert res.outcome == "partial"


def test_zero_bystander_coef_needs_no_bystander():
    cfg = build_config({"bystander_coef": 0})
    res = combine({"resonation": 5, "expression": 5, "reception": 5}, {}, 10, cfg)
    assert res.reward == pytest.approx(1.0)
    assert not math.isnan(res.reward)


def test_approx_tokens_of_ordinary_words_is_words_and_punctuation_times_1_3():
    text = "It sounds like the last few weeks have been exhausting, and lonely too."
    pieces = 13 + 2  # words + punctuation marks
    assert aggregate.approx_tokens(text) == math.ceil(pieces * 1.3)
    assert aggregate.approx_tokens("responsibility") == math.ceil(1.3 + 2 / 4)  # 14 letters


def test_text_without_spaces_counts_about_one_token_per_four_characters():
    # issue 12: 50 MB of unbroken text counted 8 tokens and escaped the length penalty
    for n in (1_000, 40_000):
        assert aggregate.approx_tokens("a" * n) == pytest.approx(n / 4, rel=0.01)
    completion = "# Analysis\nx\n# Response\n" + "a" * 8_000
    assert aggregate.length_term(aggregate.approx_tokens(completion)) < -1.0


def test_approx_tokens_grows_with_word_length():
    counts = [aggregate.approx_tokens("b" * n) for n in range(1, 200)]
    assert counts == sorted(counts) and counts[0] == 2
