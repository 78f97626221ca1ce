"""The one-call API: perm.score / score_batch / ascore / ascore_batch."""
from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

import perm
from perm import api
from perm.errors import BackendNotFound, ConfigError, DataError
from perm.judges.fake import FakeJudge
from perm.judges.registry import get_backend
from perm.scoring import PermScorer
from perm.types import Sample

GOOD = "# Analysis\nShe feels guilty and alone.\n# Response\nThat sounds so heavy. I'm here."
CTX = {"persona": "A 34-year-old nurse", "scenario": "Her cat died.",
       "query": "I keep expecting her at the door."}


@pytest.fixture(autouse=True)
def _fresh_scorers():
    api.close()
    yield
    api.close()


def reference(samples, **cfg):
    with PermScorer({"judge": {"backend": "fake"}, **cfg}) as scorer:
        return scorer.score(samples)


def test_score_one_turn_equals_the_scorer() -> None:
    r = perm.score(**CTX, completion=GOOD, judge="fake", id="x1")
    want = reference([Sample(**CTX, completion=GOOD, id="x1")])[0]
    assert r == want and r.id == "x1" and r.outcome == "scored" and r.judge == "fake:fake"


def test_default_judge_is_the_embedded_scorer() -> None:
    if not get_backend("local").available():
        pytest.skip("the local scorer's packages are not installed")
    r = perm.score(CTX["persona"], CTX["scenario"], CTX["query"], GOOD)
    assert r.judge.startswith("local:") and isinstance(r.reward, float)


def test_scorer_is_built_once_and_reused_per_judge_and_config() -> None:
    perm.score(**CTX, completion=GOOD, judge="fake")
    first = api.get_scorer("fake")
    perm.score(**CTX, completion=GOOD, judge="fake")
    perm.score_batch([{**CTX, "completion": GOOD}], judge="fake")
    assert api.get_scorer("fake") is first and len(api._scorers) == 1
    assert api.get_scorer("fake", {"bystander_coef": 0.2}) is not first
    assert api.get_scorer({"backend": "fake"}) is first  # same judge, written as a section


def test_batch_keeps_order_and_accepts_dicts_and_samples() -> None:
    items = [{**CTX, "id": "a", "completion": GOOD}, Sample(**CTX, id="b", completion="no layout"),
             {**CTX, "id": "c", "completion": GOOD + " more", "hidden_intention": "to be heard"}]
    out = perm.score_batch(items, judge="fake")
    assert [r.id for r in out] == ["a", "b", "c"]
    assert [r.outcome for r in out] == ["scored", "format_error", "scored"]
    assert out == reference([api._sample(i, "x") for i in items])


def test_bad_input_names_the_item_and_field() -> None:
    with pytest.raises(DataError, match=r"samples\[1\]: field 'query': missing required field"):
        perm.score_batch([{**CTX, "completion": GOOD}, {"persona": "p", "scenario": "s"}], judge="fake")
    with pytest.raises(DataError, match="field 'persona'"):
        perm.score(persona=3, scenario="s", query="q", completion=GOOD, judge="fake")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="use perm.score"):
        perm.score_batch({**CTX, "completion": GOOD}, judge="fake")  # type: ignore[arg-type]


def test_judge_object_and_config_forms() -> None:
    fake = FakeJudge()
    perm.score(**CTX, completion=GOOD, judge=fake)
    assert len(fake.calls) == 4  # the object itself judged: one call per dimension
    r = perm.score(**CTX, completion=GOOD, judge="fake", config={"bystander_coef": 0})
    assert r.terms["bystander"] == 0.0 and r.scores["bystander"] is None
    r = perm.score(**CTX, completion=GOOD, judge="fake", config="scoring-openai")  # packaged name
    assert r.judge == "fake:gpt-4o-mini"
    with pytest.raises(BackendNotFound, match="did you mean 'fake'"):
        perm.score(**CTX, completion=GOOD, judge="fkae")
    with pytest.raises(ConfigError, match="judge: expected"):
        perm.score(**CTX, completion=GOOD, judge=3.5)  # type: ignore[arg-type]


def test_async_twins_match_and_leave_the_loop_free() -> None:
    async def main():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.005)

        t = asyncio.create_task(ticker())
        one = await perm.ascore(**CTX, completion=GOOD, judge="fake",
                                config={"judge": {"options": {"latency": 0.1}}})
        many = await perm.ascore_batch([{**CTX, "completion": GOOD}] * 3, judge="fake")
        t.cancel()
        return one, many, ticks

    one, many, ticks = asyncio.run(main())
    assert one.outcome == "scored" and [r.outcome for r in many] == ["scored"] * 3
    assert ticks >= 5  # the caller's loop kept running during the 0.1 s judge latency


def test_sync_score_works_inside_a_running_loop() -> None:
    async def notebook_cell():
        return perm.score(**CTX, completion=GOOD, judge="fake")

    assert asyncio.run(notebook_cell()).outcome == "scored"


def test_import_perm_stays_light() -> None:
    code = ("import sys, perm; perm.score; perm.load_policy; "
            "heavy = [m for m in ('torch', 'transformers', 'trl', 'onnxruntime') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_readme_first_screen_example_runs(monkeypatch, capsys) -> None:
    import re
    from pathlib import Path

    if not get_backend("local").available():
        pytest.skip("the local scorer's packages are not installed")
    root = Path(__file__).resolve().parents[2]
    code = re.search(r"```python\n(.*?)```", (root / "README.md").read_text(), re.S).group(1)  # type: ignore[union-attr]
    monkeypatch.chdir(root)
    ns: dict = {}
    exec(compile(code, "README.md", "exec"), ns)
    assert ns["r"].outcome == "scored" and ns["r"].judge.startswith("local:")
    assert len(ns["results"]) == len(ns["records"]) == 20
