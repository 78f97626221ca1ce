"""Watching the rewards an engine receives: stop when there are none, warn when most outputs
are malformed. Shared by the verl / OpenRLHF adapters and the reward server.

TRL's reward functions give an unscored completion `None` and raise `JudgeUnavailable` after
`max_failed_batches` batches in a row without any reward. verl and OpenRLHF need a number for
every sample and call us one sample at a time as often as a batch at a time, so the same rule
counts samples: once `max_failed` samples in a row have had no PERM reward, a call that gets
none either raises (`check`); a call with any reward goes through and resets the count.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence

from perm.errors import JudgeUnavailable
from perm.types import ScoreResult

log = logging.getLogger("perm.integrations")

#: Default samples in a row without a reward before the run is stopped (0 disables).
MAX_FAILED_SAMPLES = 256
#: The format-error share is judged over the last this-many samples, once at least
#: `FORMAT_MIN_SAMPLES` have been seen.
FORMAT_WINDOW, FORMAT_MIN_SAMPLES = 64, 16


class RewardWatch:
    """Counts samples without a reward and malformed outputs across calls (thread-safe).

    `format_hint` is how the user switches to judging malformed outputs where they run
    (`--on-format-error judge`, `PERM_ON_FORMAT_ERROR=judge`, ...); `judged_format_errors`
    says whether that is already the policy (then the warning would be noise).
    """

    def __init__(self, *, max_failed: int = MAX_FAILED_SAMPLES, format_hint: str,
                 judged_format_errors: bool = False) -> None:
        self.max_failed = max_failed
        self.format_hint = format_hint
        self.judged_format_errors = judged_format_errors
        self.failed_in_a_row = 0
        self.last_reason = ""
        self.format_warned = False
        self._recent: deque[bool] = deque(maxlen=FORMAT_WINDOW)
        self._lock = threading.Lock()

    def observe(self, results: Sequence[ScoreResult]) -> None:
        """Record one call's results (in order) and warn once about malformed outputs."""
        with self._lock:
            for r in results:
                if "input" in r.failures:  # refused before judging: says nothing of the judge
                    continue
                if r.reward is None:
                    self.failed_in_a_row += 1
                    self.last_reason = _reason(r) or self.last_reason
                else:
                    self.failed_in_a_row = 0
                self._recent.append(r.outcome == "format_error")
            bad, seen = sum(self._recent), len(self._recent)
            warn = (not self.format_warned and not self.judged_format_errors
                    and seen >= FORMAT_MIN_SAMPLES and bad * 2 > seen)
            if warn:
                self.format_warned = True
        if warn:
            log.warning(
                "PERM: %d of the last %d outputs are format errors (no '# Analysis' then "
                "'# Response'): each gets the floor reward without being judged, so the policy "
                "learns little. A small policy often never writes the format; to judge the text "
                "it writes instead, set %s (or teach the format first with SFT).",
                bad, seen, self.format_hint)

    @property
    def tripped(self) -> bool:
        """Whether `max_failed` samples in a row have had no reward."""
        return 0 < self.max_failed <= self.failed_in_a_row

    def gave_up(self, results: Sequence[ScoreResult]) -> bool:
        """Whether these (just observed) results should be refused: `max_failed` samples in a
        row without a reward, and none in these results either (a reward is never thrown away)."""
        judged = [r for r in results if "input" not in r.failures]
        return self.tripped and bool(judged) and all(r.reward is None for r in judged)

    def check(self, results: Sequence[ScoreResult]) -> None:
        """Raise JudgeUnavailable when `gave_up(results)`."""
        if self.gave_up(results):
            raise JudgeUnavailable(self.message())

    def message(self) -> str:
        return (f"PERM could not score {self.failed_in_a_row} samples in a row (last reason: "
                f"{self.last_reason or 'unknown'}); check the judge (`perm judges`, its URL and "
                f"key) and, if the policy never writes # Analysis / # Response under "
                f"on_format_error=null, set {self.format_hint}")


def _reason(result: ScoreResult) -> str:
    items = list(result.failures.items())[:2]
    return "; ".join(f"{k}: {v}" for k, v in items)[:300]
