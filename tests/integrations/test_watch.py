"""RewardWatch: samples in a row without a reward, and the once-only format warning."""
from __future__ import annotations

import logging
import threading

import pytest

from perm.errors import JudgeUnavailable
from perm.integrations.watch import RewardWatch
from perm.types import DIMENSIONS, ScoreResult


def result(outcome: str, reward: float | None, failures: dict[str, str] | None = None) -> ScoreResult:
    return ScoreResult(id=None, reward=reward, empathy=None, scores=dict.fromkeys(DIMENSIONS),
                       terms={}, format_ok=outcome != "format_error", failures=failures or {},
                       judge="fake", rubric_version="v1", outcome=outcome)


FAILED = result("failed", None, {"resonation": "judge error: HTTP 503"})
SCORED = result("scored", 0.5)
MALFORMED = result("format_error", -0.3, {"format": "missing # Response section"})
REFUSED = result("failed", None, {"input": "samples[0].completion: too long"})


def test_trips_after_n_in_a_row_and_resets_on_a_reward() -> None:
    watch = RewardWatch(max_failed=3, format_hint="X")
    watch.observe([FAILED, FAILED])
    watch.check([FAILED, FAILED])
    watch.observe([SCORED, FAILED, FAILED])  # the reward in between resets the count
    watch.check([SCORED, FAILED, FAILED])
    watch.observe([FAILED])
    with pytest.raises(JudgeUnavailable, match="3 samples in a row.*HTTP 503"):
        watch.check([FAILED])
    watch.observe([SCORED])
    watch.check([SCORED])
    assert not watch.tripped


def test_a_batch_with_a_reward_is_never_refused() -> None:
    watch = RewardWatch(max_failed=3, format_hint="X")
    batch = [SCORED] + [FAILED] * 5  # ends with 5 in a row, but one sample was scored
    watch.observe(batch)
    assert watch.tripped and not watch.gave_up(batch)
    watch.check(batch)
    assert not watch.gave_up([REFUSED])  # refusals alone say nothing of the judge
    assert watch.gave_up([FAILED, REFUSED])


def test_refusals_and_format_errors_do_not_count_as_judge_failures() -> None:
    watch = RewardWatch(max_failed=2, format_hint="X")
    watch.observe([REFUSED] * 5 + [MALFORMED] * 5)
    assert not watch.tripped
    never = RewardWatch(max_failed=0, format_hint="X")
    never.observe([FAILED] * 1000)
    never.check([FAILED])


def test_format_warning_once_over_a_window(caplog: pytest.LogCaptureFixture) -> None:
    watch = RewardWatch(format_hint="--on-format-error judge")
    with caplog.at_level(logging.WARNING, logger="perm"):
        for _ in range(15):
            watch.observe([MALFORMED])  # one sample per call, as verl's reward loop sends
        assert "format errors" not in caplog.text  # fewer than 16 seen: no verdict yet
        watch.observe([MALFORMED])
        watch.observe([MALFORMED] * 64)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "16 of the last 16" in lines[0] and "--on-format-error judge" in lines[0]


def test_no_format_warning_at_half_or_when_judged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="perm"):
        RewardWatch(format_hint="X").observe([MALFORMED, SCORED] * 32)
        RewardWatch(format_hint="X", judged_format_errors=True).observe([MALFORMED] * 64)
    assert not caplog.records


def test_counts_are_exact_across_threads() -> None:
    watch = RewardWatch(max_failed=10_000, format_hint="X")
    threads = [threading.Thread(target=lambda: [watch.observe([FAILED]) for _ in range(500)])
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert watch.failed_in_a_row == 4000
