"""The shipped scenarios (data/scenarios, the training prompts of the recipes) carry a seeker
behaviour for the simulated seeker (issue 15.5), and every one of them is well formed."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from perm.data import load_samples
from perm.env.behaviour import GUARDED, behaviour_of, check_behaviours
from perm.env.prompt import render_seeker_messages
from perm.types import Turn

PARTS = sorted((Path(__file__).resolve().parents[2] / "data" / "scenarios").glob("part*.jsonl"))


@pytest.mark.skipif(not PARTS, reason="data/scenarios is not in this checkout")
def test_every_shipped_scenario_has_a_well_formed_seeker_behaviour() -> None:
    levels: Counter[str] = Counter()
    for path in PARTS:
        data = load_samples(path)
        assert check_behaviours(data.samples, path=str(path), lines=data.lines) == []
        for sample, line in zip(data.samples, data.lines):
            b = behaviour_of(sample)
            where = f"{path.name}:{line}"
            assert b.guarded in GUARDED and b.opens_up_if and b.leaves_if, where
            for text in (b.opens_up_if, b.leaves_if):  # read inside "You open up when ...".
                assert text == text.strip() and text[0].islower() and not text.endswith("."), where
            levels[b.guarded] += 1
    assert sum(levels.values()) == 40 * len(PARTS)
    assert all(levels[g] >= 20 for g in GUARDED), levels  # a spread, not one kind of person


def test_a_shipped_behaviour_reads_as_sentences_in_the_seeker_prompt() -> None:
    if not PARTS:
        pytest.skip("data/scenarios is not in this checkout")
    sample = load_samples(PARTS[0]).samples[0]
    text = render_seeker_messages(sample, behaviour_of(sample), [Turn("user", sample.query),
                                                                 Turn("assistant", "I see.")])[1]["content"]
    assert "You are very guarded" in text
    assert "You open up when someone asks about Ray himself" in text
    assert "You would end the conversation if you are told once more" in text
