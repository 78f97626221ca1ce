"""The fake judge's script: answers in turn, scripted errors, and running out is an error
unless cycling is asked for."""
import asyncio

import pytest

from perm.config import JudgeConfig
from perm.errors import JudgeError
from perm.judges.base import SamplingParams
from perm.judges.fake import FakeJudge
from perm.scoring import PermScorer
from perm.types import Sample

MESSAGES = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]


def ask(judge: FakeJudge, n: int) -> list[str]:
    async def run() -> list[str]:
        return [await judge.complete(MESSAGES, SamplingParams()) for _ in range(n)]

    return asyncio.run(run())


def fake(**options) -> FakeJudge:
    return FakeJudge(JudgeConfig(backend="fake", options=options))


def test_answers_are_used_in_turn_and_running_out_is_an_error():
    judge = fake(answers=["Score: 4", "Score: 2"])
    assert ask(judge, 2) == ["Score: 4", "Score: 2"]
    with pytest.raises(JudgeError, match="answer 3 asked for, 2 scripted.*cycle: true"):
        ask(judge, 1)


def test_cycling_is_opt_in():
    assert ask(fake(answers=["a", "b"], cycle=True), 5) == ["a", "b", "a", "b", "a"]


def test_scripted_errors_carry_their_status():
    with pytest.raises(JudgeError) as err:
        ask(fake(answers=["!error:503"]), 1)
    assert err.value.status == 503 and err.value.retryable


def test_a_scorer_that_asks_more_than_scripted_records_why():
    judge = fake(answers=["Score: 4"])
    (result,) = PermScorer({"judge": {"backend": "fake", "max_retries": 0}}, judge=judge).score(
        [Sample("p", "s", "q", completion="# Analysis\na\n# Response\nb")])
    assert len(result.failures) == 3  # one answer for four dimensions
    assert all("scripted" in why for why in result.failures.values())
