"""The v2 runtime's relevance discount: a long reply that is no closer to this seeker's context
than to other seekers' keeps less of its score; a reply about this seeker, and a short turn,
keep all of it."""
from __future__ import annotations

import numpy as np
import pytest

from perm.local.v2.relevance import (
    BANK_SIZE,
    WORDS,
    Z_FULL,
    Z_NONE,
    bank_contexts,
    fit,
    unit,
    zscore,
)
from perm.types import DimensionRequest, Sample

SAMPLE = Sample("Dana, 31, a nurse on night shifts.", "Her sister has not spoken to her since the wedding.",
                "My sister stopped talking to me after I missed her wedding because my flight was "
                "cancelled, and now the whole family acts like I did it on purpose.", id="r1")
ON_TOPIC = ("Missing your sister's wedding when the flight was cancelled, and then having the family "
            "treat it as a choice, would hurt anyone: you lost the day and then got blamed for losing "
            "it. It sounds like the silence from her is the hardest part. Have you been able to tell "
            "her, or anyone in the family, how much you wanted to be there and what it was like to "
            "sit in that airport?")
FOR_SOMEONE_ELSE = ("Starting a new job in a city where you know nobody is a lot to take on, and "
                    "feeling lonely in the evenings after work makes complete sense. It can take "
                    "months before a new place feels like home. Is there one small thing, like a "
                    "climbing gym or a weekly class, where you could see the same faces each week "
                    "and let friendships grow slowly?")


def test_fit_ramps_with_z_and_spares_short_turns():
    long = int(WORDS[1])
    assert fit(Z_FULL, long) == 1.0 and fit(Z_FULL + 3, long) == 1.0
    assert fit(Z_NONE, long) == 0.0 and fit(Z_NONE - 2, 500) == 0.0
    assert fit((Z_NONE + Z_FULL) / 2, long) == pytest.approx(0.5)
    # a short turn ("Okay. Go on.") is never discounted, a middling one partly
    assert fit(Z_NONE - 5, int(WORDS[0])) == 1.0
    mid = int((WORDS[0] + WORDS[1]) / 2)
    assert fit(Z_NONE, mid) == pytest.approx(1 - (mid - WORDS[0]) / (WORDS[1] - WORDS[0]))


def test_bank_contexts_are_distinct_evenly_spaced_and_deterministic():
    contexts = [f"context {k:04d}" for k in range(1000)] * 2
    bank = bank_contexts(contexts)
    assert len(bank) == BANK_SIZE == len(set(bank))
    assert bank == bank_contexts(reversed(contexts)) and bank[0] == "context 0000"
    assert bank[-1] > "context 0990"  # it reaches the end of the sorted order
    assert bank_contexts(["b", "a", "b"]) == ["a", "b"]


def test_zscore_is_high_for_the_own_context_and_low_for_a_bank_one():
    rng = np.random.default_rng(0)
    bank = unit(rng.normal(size=(64, 16)))
    ctx = rng.normal(size=16)
    near = ctx + 0.3 * rng.normal(size=16)
    assert zscore(near, ctx, bank) > 3
    # a reply written for one of the bank's contexts is no closer to this one than to the rest
    assert zscore(bank[5] * 2 + 0.1 * rng.normal(size=16), ctx, bank) < Z_FULL


def test_the_packaged_scorer_ships_a_bank_of_training_contexts(packaged_v2):
    assert packaged_v2.bank is not None and packaged_v2.bank.shape == (packaged_v2.meta["relevance"]["bank"], 384)
    assert np.allclose(np.linalg.norm(packaged_v2.bank, axis=1), 1, atol=1e-4)
    assert packaged_v2.meta["relevance"]["z"] == [Z_NONE, Z_FULL]


def test_a_reply_for_another_seeker_keeps_less_and_the_right_one_keeps_all(packaged_v2):
    """`off_topic` won 11 % of held-out scenarios on expression and reception before this."""
    from perm.perspectives import SCORE_RANGE

    dims = ("expression", "reception", "bystander")
    kept = {}
    for name, text in (("on", ON_TOPIC), ("off", FOR_SOMEONE_ELSE)):
        reqs = [DimensionRequest(d, SAMPLE, "", text) for d in dims]  # type: ignore[arg-type]
        got, raw = packaged_v2.predict(reqs), packaged_v2.predict(reqs, discount_borrowed=False)
        kept[name] = [(g - SCORE_RANGE[d][0]) / (r - SCORE_RANGE[d][0]) for d, g, r in zip(dims, got, raw)]
        assert max(kept[name]) - min(kept[name]) < 0.01  # one factor for all three (scores are rounded)
    assert kept["on"] == pytest.approx([1, 1, 1], abs=2e-3)
    assert max(kept["off"]) < 0.5
