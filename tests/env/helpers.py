"""Helpers of the environment tests: a judge whose scores are written into the policy outputs,
scripted policies, and in-flight counters."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tests.helpers import InFlightJudge

from perm.env import SeekerEnv
from perm.env.fake import FakeSeeker
from perm.judges.fake import FakeJudge, dimension_of
from perm.types import Message

_LEVEL = re.compile(r"level (\d)")


def output(analysis_level: int, reply_level: int, t: int = 1) -> str:
    """A well-formed policy output whose judges will give the levels written in it."""
    return (f"# Analysis\nturn {t} analysis, level {analysis_level}.\n"
            f"# Response\nturn {t} reply, level {reply_level}.")


def level_judge_answer(messages: Sequence[Message]) -> str:
    """Score = the last `level N` in the judge's user message (the judged text comes last);
    the bystander gets 16 per criterion (80)."""
    dim = dimension_of(messages)
    if dim == "bystander":
        return "Fine.\n" + "\n".join(f"{c}: 16" for c in
                                     ("Effectiveness", "Clarity", "Efficiency", "Objectivity",
                                      "Accuracy")) + "\nTotal: 80"
    found = _LEVEL.findall(messages[-1]["content"])
    return f"Judged.\nScore: {found[-1] if found else 3}"


def level_judge() -> FakeJudge:
    return FakeJudge(script=level_judge_answer)


def expected_reward(res: int, expr: int, rec: int, bystander: float = 80) -> float:
    """The PERM reward by hand: harmonic mean of s/5, plus 0.5 * (B/100 - 1) (short outputs)."""
    empathy = 3 / sum(5 / s for s in (res, expr, rec))
    return empathy + 0.5 * (bystander / 100 - 1)


def make_env(seeker: Any = None, judge: Any = None, **config: Any) -> SeekerEnv:
    cfg = {"seeker": {"backend": "fake", "max_reasks": 1, "max_retries": 0},
           "scoring": {"judge": {"backend": "fake", "max_retries": 0}}, **config}
    return SeekerEnv(cfg, seeker=seeker, judge=judge or level_judge())


class InFlightSeeker(InFlightJudge, FakeSeeker):
    """A fake seeker that holds each call until `expect` are in flight at once (`peak` tells):
    `InFlightJudge`'s counting with `FakeSeeker`'s answers."""
