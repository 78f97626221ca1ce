"""The perspective table (rubrics/<version>/manifest.json) is the one source of what each
judge sees, its scale and answer format; the fake judge tells prompts apart by exact match."""
import pytest

import perm.perspectives as persp
from perm.judges.fake import FakeJudge, default_answer, dimension_of
from perm.parsing import parse_answer, parse_fused
from perm.perspectives import PERSPECTIVES, SCORE_RANGE, render_fused, render_messages
from perm.policy import build_messages
from perm.scoring import PermScorer
from perm.types import DIMENSIONS, DimensionRequest, Sample

SAMPLE = Sample("A nurse, 30.", "Night shifts.", "I'm so tired", hidden_intention="permission to rest")


def request(dim: str) -> DimensionRequest:
    return DimensionRequest(dim, SAMPLE, "ANALYSIS-TEXT", "RESPONSE-TEXT")  # type: ignore[arg-type]


def test_the_table_covers_exactly_the_static_dimensions():
    assert tuple(PERSPECTIVES) == DIMENSIONS
    assert SCORE_RANGE == {d: p.scale for d, p in PERSPECTIVES.items()}
    assert SCORE_RANGE["bystander"] == (0.0, 100.0) and SCORE_RANGE["reception"] == (1.0, 5.0)


def test_a_table_that_disagrees_with_the_dimension_type_is_refused(monkeypatch):
    wrong = {"guard": "guard", "perspectives": {"resonation": {}, "empathy": {}}}
    monkeypatch.setattr(persp, "manifest", lambda version: wrong)
    with pytest.raises(ValueError, match="lists \\['resonation', 'empathy'\\]"):
        persp.perspectives.__wrapped__("v1")


@pytest.mark.parametrize("dim", DIMENSIONS)
def test_each_judge_sees_what_its_row_says(dim):
    p = PERSPECTIVES[dim]
    user = render_messages(request(dim))[1]["content"]
    shown, hidden = ("ANALYSIS-TEXT", "RESPONSE-TEXT") if p.sees == "analysis" else ("RESPONSE-TEXT", "ANALYSIS-TEXT")
    assert shown in user and hidden not in user
    assert ("permission to rest" in user) == p.hidden_intention


@pytest.mark.parametrize("dim", DIMENSIONS)
def test_the_fake_judge_identifies_each_prompt_and_answers_in_its_format(dim):
    messages = render_messages(request(dim))
    assert dimension_of(messages) == dim
    parsed = parse_answer(default_answer(messages), dim)
    lo, hi = SCORE_RANGE[dim]
    assert parsed.ok and lo <= parsed.value <= hi
    assert len(parsed.parts) == len(PERSPECTIVES[dim].criteria)


def test_the_fake_judge_never_guesses_from_words_in_a_prompt():
    mentions = [{"role": "system", "content": "Rate RESONATION and EXPRESSION."},
                {"role": "user", "content": "x"}]
    assert dimension_of(mentions) is None
    assert dimension_of(build_messages(SAMPLE)) is None  # a policy prompt
    assert dimension_of([]) is None


def test_the_fake_judge_answers_the_fused_prompt_with_every_score():
    messages = render_fused(SAMPLE, "a", "r")
    assert dimension_of(messages) == "fused"
    parsed = parse_fused(default_answer(messages))
    assert parsed.ok and all(v.ok for v in parsed.values.values())
    judge = FakeJudge()
    (result,) = PermScorer({"judge": {"backend": "fake"}, "fused": True}, judge=judge).score(
        [Sample("p", "s", "q", completion="# Analysis\na\n# Response\nb")])
    assert len(judge.calls) == 1 and result.outcome == "scored"
