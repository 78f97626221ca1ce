"""Fixtures for the evaluation tests."""
from __future__ import annotations

import pytest

from tests.evaluate.helpers import output, scenario, write


@pytest.fixture
def two_systems(tmp_path):
    """(base.jsonl, tuned.jsonl) with 8 aligned scenarios; tuned's 4th output is malformed."""
    base = write(tmp_path / "base.jsonl", [output(i, "base") for i in range(8)])
    tuned = write(tmp_path / "tuned.jsonl",
                  [output(i, "tuned") if i != 3 else {**scenario(i), "completion": "tuned wrote no headers"}
                   for i in range(8)])
    return base, tuned
