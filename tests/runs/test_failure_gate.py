"""When a run counts as failed (perm.runs.gate)."""
from perm.runs import Tally, failure_problem, format_warning
from perm.runs.gate import judgment_tally, score_tally


def row(outcome="scored", reward=0.5, format_ok=True):
    return {"outcome": outcome, "reward": reward, "format_ok": format_ok}


def test_a_run_without_any_usable_answer_always_fails():
    assert "nothing was judged" in failure_problem(Tally(0, 0, 0), 1.0)
    t = score_tally([row("failed", None)] * 3)
    assert failure_problem(t, 1.0, "judged samples") == (
        "the judge produced no usable answer: 3 of 3 judged samples (100%) have none")


def test_the_failure_rate_is_compared_with_the_limit():
    t = score_tally([row(), row(), row("failed", None), row("failed", None)])
    assert t.failure_rate == 0.5
    assert failure_problem(t, 0.5) is None  # at the limit: fine
    assert "more than --max-failure-rate 0.4" in failure_problem(t, 0.4)
    partial = score_tally([row("partial", 0.3), row()])
    assert partial.failed == 0  # a partial line still has its reward


def test_format_errors_are_neither_judged_nor_failures():
    rows = [row("format_error", -0.3, False)] * 3 + [row()]
    t = score_tally(rows)
    assert (t.needed, t.failed, t.format_errors) == (1, 0, 3)
    assert failure_problem(t, 0.5) is None
    floored = score_tally([row("format_error", None, False)] * 2)  # --on-format-error null
    assert floored.failed == 0 and failure_problem(floored, 0.0) is None


def test_format_warning_names_the_fix_once_most_outputs_miss_the_format():
    most = score_tally([row("format_error", -0.3, False)] * 3 + [row()])
    w = format_warning(most, "penalize")
    assert w.startswith("3 of 4 outputs (75%)") and "--on-format-error judge" in w
    assert format_warning(most, "judge") is None
    half = score_tally([row("format_error", -0.3, False), row()])
    assert format_warning(half, "penalize") is None


def test_judgments_fail_without_a_winner():
    t = judgment_tally([{"winner": "A"}, {"winner": "tie"}, {"winner": None}])
    assert (t.total, t.needed, t.failed) == (3, 3, 1)
