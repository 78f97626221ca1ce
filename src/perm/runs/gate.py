"""When a finished run counts as failed: too many outputs without a score, or none scored at
all. A run that judged nothing must not exit 0 and print statistics over zero items."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: Default of `--max-failure-rate`: more than half of the judged outputs without a score.
MAX_FAILURE_RATE = 0.5
#: Share of format errors above which a run warns that the policy misses the format.
FORMAT_WARN_RATE = 0.5


@dataclass(frozen=True)
class Tally:
    """Counts over the lines of a run: `needed` a judge, `failed` got no usable answer."""

    total: int
    needed: int
    failed: int
    format_errors: int = 0

    @property
    def failure_rate(self) -> float:
        return self.failed / self.needed if self.needed else 0.0


def is_failed_score(row: dict[str, Any]) -> bool:
    """A scored line whose reward is missing because the judge failed (not a format error)."""
    return row.get("reward") is None and row.get("outcome") != "format_error"


def score_tally(rows: Iterable[dict[str, Any]]) -> Tally:
    """Tally of scored lines (`perm score`, `perm eval`)."""
    rows = list(rows)
    needed = [r for r in rows if r.get("outcome") != "format_error"]
    return Tally(len(rows), len(needed), sum(1 for r in needed if is_failed_score(r)),
                 sum(1 for r in rows if r.get("format_ok") is False))


def judgment_tally(records: Iterable[dict[str, Any]]) -> Tally:
    """Tally of pairwise judgments (`perm compare`): a judgment without a winner failed."""
    records = list(records)
    return Tally(len(records), len(records), sum(1 for r in records if r.get("winner") is None))


def failure_problem(tally: Tally, max_rate: float, what: str = "judged outputs") -> str | None:
    """Why the run failed, or None: nothing at all to judge, no judged item scored, or a
    failure rate above `max_rate`. `what` names the items needing a judge, for the message."""
    if tally.total == 0:
        return "nothing was judged: no results at all"
    if tally.needed == 0:
        return None  # e.g. every output malformed and floored without a judge (warned apart)
    share = f"{tally.failed} of {tally.needed} {what} ({tally.failure_rate:.0%})"
    if tally.failed == tally.needed:
        return f"the judge produced no usable answer: {share} have none"
    if tally.failure_rate > max_rate:
        return f"{share} have no usable judge answer, more than --max-failure-rate {max_rate:g}"
    return None


def format_warning(tally: Tally, policy: str, what: str = "outputs") -> str | None:
    """A warning when most outputs miss the `# Analysis` / `# Response` format and were not
    judged (a small policy that never writes `# Analysis`), with the fix."""
    if not tally.total or tally.format_errors / tally.total <= FORMAT_WARN_RATE or policy == "judge":
        return None
    return (f"{tally.format_errors} of {tally.total} {what} ({tally.format_errors / tally.total:.0%}) "
            "lack the '# Analysis' / '# Response' format, so they were not judged "
            f"(--on-format-error {policy}). If the policy never writes that format, pass "
            "--on-format-error judge to judge the text as it is.")
