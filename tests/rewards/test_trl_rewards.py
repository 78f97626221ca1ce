"""The TRL reward-function contract of perm.rewards.trl (fake judge; no torch needed)."""
from __future__ import annotations

import asyncio
import inspect
import json
import pickle
from types import SimpleNamespace

import pytest

from perm.config import JudgeConfig, build_config
from perm.errors import DataError, JudgeUnavailable
from perm.judges.fake import FakeJudge
from perm.rewards.trl import (
    PermRewardState,
    batch_key,
    build_samples,
    perm_reward_funcs,
)
from perm.scoring import PermScorer
from perm.signs import SIGNS
from perm.types import Sample

GOOD = "# Analysis\nShe feels guilty for laughing.\n# Response\nLaughing doesn't erase forty-one years."
N = 4


def columns(n: int = N, **over):
    cols = {
        "id": [f"s{i // 2}" for i in range(n)],
        "persona": ["Dolores, 67, retired secretary."] * n,
        "scenario": ["Her husband died three months ago."] * n,
        "query": ["I laughed yesterday and felt like I betrayed him."] * n,
        "hidden_intention": ["SECRET-NEED wants permission to feel joy"] + [None] * (n - 1),
        "history": [json.dumps([{"role": "user", "content": "EARLIER-TURN hello"},
                                {"role": "assistant", "content": "hi"}])] + ["[]"] * (n - 1),
        "category": ["grief"] * n,  # an unrelated extra column must not disturb anything
    }
    cols.update(over)
    return cols


def completions(n: int = N, conversational: bool = True):
    texts = [f"{GOOD} ({i})" for i in range(n)]
    return [[{"role": "assistant", "content": t}] for t in texts] if conversational else texts


def fake(**options) -> FakeJudge:
    return FakeJudge(JudgeConfig(backend="fake", options=options))


async def call_all(funcs, comps, cols, **extra):
    prompts = [[{"role": "user", "content": "p"}]] * len(comps)
    return await asyncio.gather(*(f(prompts=prompts, completions=comps, **cols, **extra) for f in funcs))


def test_functions_are_coroutines_named_per_term():
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}})
    assert all(inspect.iscoroutinefunction(f) for f in funcs)
    trl_utils = pytest.importorskip("trl.trainer.utils")
    assert all(trl_utils.is_async_callable(f) for f in funcs)
    assert [trl_utils.get_callable_name(f) for f in funcs] == ["empathy", "bystander", "length"]


def test_one_judge_call_per_completion_and_dimension():
    judge = fake(latency=0.01)
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}}, judge=judge)
    emp, bys, ln = asyncio.run(call_all(funcs, completions(), columns()))
    assert len(judge.calls) == N * 4  # not 3x: the three terms share one scoring
    # the terms add up to the PERM reward of perm.scoring (no second copy of the algorithm)
    samples = build_samples(completions(), columns())
    expected = PermScorer({"judge": {"backend": "fake"}}, judge=fake()).score(samples)
    for i, res in enumerate(expected):
        assert emp[i] + bys[i] + ln[i] == pytest.approx(res.reward)
        assert emp[i] == pytest.approx(res.terms["empathy"])


def test_extra_dataset_columns_reach_the_judge():
    judge = fake()
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}}, judge=judge)
    asyncio.run(call_all(funcs, completions(), columns()))
    prompts = [" ".join(m["content"] for m in call) for call in judge.calls]
    assert any("SECRET-NEED" in p for p in prompts)  # hidden intention (seeker judge)
    assert any("EARLIER-TURN" in p for p in prompts)  # history stored as JSON text
    assert all("Dolores" in p for p in prompts)


def test_pickled_functions_score_like_the_originals():
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}})
    first = asyncio.run(call_all(funcs, completions(), columns()))
    assert funcs[0].args[0].scorer is not None  # built: pickling must drop it, not choke on it
    clones = pickle.loads(pickle.dumps(funcs))
    assert clones[0].args[0] is clones[1].args[0]  # still one shared state after the round trip
    assert asyncio.run(call_all(clones, completions(), columns())) == first


def test_plain_string_completions_work():
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}})
    conv = asyncio.run(call_all(funcs, completions(), columns()))
    plain = asyncio.run(call_all(funcs, completions(conversational=False), columns()))
    assert conv == plain


def test_judge_failure_gives_none_for_every_term_and_is_logged():
    funcs = perm_reward_funcs({"judge": {"backend": "fake", "max_retries": 0}},
                              judge=fake(answers=["!error:400"], cycle=True), max_failed_batches=None)
    metrics, extra = {}, {}
    out = asyncio.run(call_all(funcs, completions(), columns(),
                               log_metric=lambda k, v: metrics.setdefault(k, []).append(v),
                               log_extra=lambda k, v: extra.setdefault(k, []).extend(v)))
    assert out == [[None] * N] * 3  # every term None: TRL drops the row from the baseline
    assert metrics["perm/failure_rate"] == [1.0]
    assert metrics["perm/dimension_failure_rate"] == [1.0]
    assert "perm/resonation" not in metrics  # no NaN means pushed to TRL
    assert extra["outcome"] == ["failed"] * N
    assert all("400" in f for f in extra["failures"])


def test_partial_failure_follows_missing_policy():
    # resonation answers garbage, everything else parses
    answers = [{"resonation": "no score here", "expression": "Score: 4", "reception": "Score: 5",
                "bystander": "Total: 80"}]
    base = {"judge": {"backend": "fake", "max_reasks": 0}}
    strict = perm_reward_funcs(base, judge=fake(answers=answers, cycle=True),
                               max_failed_batches=None)
    assert asyncio.run(call_all(strict, completions(2), columns(2))) == [[None, None]] * 3
    lenient = perm_reward_funcs({**base, "missing": "available"}, judge=fake(answers=answers, cycle=True))
    emp, bys, ln = asyncio.run(call_all(lenient, completions(2), columns(2)))
    assert emp == [pytest.approx(2 / (1 / 0.8 + 1 / 1.0))] * 2  # harmonic mean of 4/5 and 5/5
    assert bys == [pytest.approx(0.5 * (0.8 - 1))] * 2 and ln == [0.0, 0.0]


def test_batch_exception_is_data_not_a_crash():
    def boom(messages):
        raise RuntimeError("judge exploded")

    funcs = perm_reward_funcs({"judge": {"backend": "fake", "max_retries": 0}},
                              judge=FakeJudge(script=boom), max_failed_batches=None)
    assert asyncio.run(call_all(funcs, completions(2), columns(2))) == [[None, None]] * 3


def test_consecutive_failed_batches_stop_training():
    state = PermRewardState({"judge": {"backend": "fake", "max_retries": 0}},
                            judge=fake(answers=["!error:401"], cycle=True), max_failed_batches=2)
    funcs = perm_reward_funcs(state=state)
    step = SimpleNamespace(global_step=1)
    asyncio.run(call_all(funcs, completions(2), columns(2), trainer_state=step))
    with pytest.raises(JudgeUnavailable, match="2 batches in a row"):
        asyncio.run(call_all(funcs, completions(2), columns(2),
                             trainer_state=SimpleNamespace(global_step=2)))


def test_format_error_gets_the_documented_floor_not_none():
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}})
    emp, bys, ln = asyncio.run(call_all(funcs, ["just a reply, no sections"] * 2, columns(2)))
    assert emp == [0.2, 0.2] and bys == [-0.5, -0.5] and ln == [0.0, 0.0]


def test_length_term_uses_the_trainers_token_counts():
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}, "length_limit": 3, "length_coef": 0.1})
    *_, ln = asyncio.run(call_all(funcs, completions(2), columns(2),
                                  completion_ids=[[7] * 10, [7] * 3]))
    assert ln == [pytest.approx(-0.7), 0.0]


def test_metrics_and_columns_cover_every_completion():
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}})
    metrics, extra = {}, {}
    asyncio.run(call_all(funcs, completions(), columns(),
                         log_metric=lambda k, v: metrics.setdefault(k, []).append(v),
                         log_extra=lambda k, v: extra.setdefault(k, []).extend(v)))
    assert set(metrics) >= {"perm/resonation", "perm/expression", "perm/reception",
                            "perm/bystander_score", "perm/failure_rate", "perm/format_ok_rate",
                            "perm/judge_seconds"}
    assert all(len(v) == 1 for v in metrics.values())  # logged once per batch, not per term
    assert set(extra) == {"resonation", "expression", "reception", "bystander_score", "outcome",
                          "failures", "signs"}
    assert all(len(v) == N for v in extra.values())
    assert 1 <= metrics["perm/resonation"][0] <= 5


def test_shortcut_signs_are_logged_once_per_batch():
    """`perm/sign_<name>`: the batch's share of completions with each shortcut sign."""
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}})
    comps = completions()
    comps[1] = [{"role": "assistant", "content": GOOD[: GOOD.index("erase") + 3]}]  # cut off
    comps[2] = [{"role": "assistant", "content": GOOD + " Rating: 5/5."}]
    metrics: dict[str, list[float]] = {}
    extra: dict[str, list] = {}
    asyncio.run(call_all(funcs, comps, columns(), log_metric=lambda k, v: metrics.setdefault(k, []).append(v),
                         log_extra=lambda k, v: extra.setdefault(k, []).extend(v)))
    assert extra["signs"] == ["", "unfinished", "to_the_grader", ""]  # per completion, in the table
    assert metrics["perm/sign_unfinished"] == [0.25] and metrics["perm/sign_to_the_grader"] == [0.25]
    assert metrics["perm/sign_copied"] == [0.0] and metrics["perm/sign_plan_as_reply"] == [0.0]
    assert {k for k in metrics if k.startswith("perm/sign_")} == {f"perm/sign_{n}" for n in SIGNS}


def test_lines_said_to_many_seekers_are_counted_across_batches_of_one_prompt():
    """`perm/shared_lines`: a GRPO batch often holds one prompt, so the window of recent
    completions decides whether a line has been given to three different seekers."""
    state = PermRewardState({"judge": {"backend": "fake"}})
    funcs = perm_reward_funcs(state=state)
    stock = "You are never alone in this, ever."
    metrics: dict[str, list[float]] = {}
    for k in range(3):  # three steps, each one seeker's group; every reply ends with the stock line
        asyncio.run(call_all(funcs, [[{"role": "assistant", "content": f"{GOOD} {stock} ({k}{i})"}] for i in range(2)],
                             columns(2, persona=[f"Person {k}"] * 2),
                             trainer_state=SimpleNamespace(global_step=k),
                             log_metric=lambda key, v: metrics.setdefault(key, []).append(v)))
    assert metrics["perm/shared_lines"] == [0.0, 0.0, 1.0]
    # a copy for another process starts with an empty window
    import pickle

    assert len(state._lines._recent) == 6 and not pickle.loads(pickle.dumps(state))._lines._recent


def test_each_step_is_scored_afresh():
    judge = fake()
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}}, judge=judge)
    for step in (1, 1, 2):
        asyncio.run(call_all(funcs, completions(2), columns(2),
                             trainer_state=SimpleNamespace(global_step=step)))
    assert len(judge.calls) == 2 * 2 * 4  # step 1 memoised once, step 2 scored again


def test_missing_sample_column_is_a_clear_error():
    cols = columns(2)
    del cols["persona"]
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}})
    with pytest.raises(DataError, match="persona"):
        asyncio.run(call_all(funcs, completions(2), cols))


def test_batch_key_depends_on_content_and_step():
    a = batch_key(["p"], ["c"], SimpleNamespace(global_step=1))
    assert a == batch_key(["p"], ["c"], SimpleNamespace(global_step=1))
    assert a != batch_key(["p"], ["d"], SimpleNamespace(global_step=1))
    assert a != batch_key(["p"], ["c"], SimpleNamespace(global_step=2))


def test_build_samples_round_trips_rows():
    samples = build_samples(completions(2, conversational=False), columns(2))
    assert isinstance(samples[0], Sample)
    assert samples[0].hidden_intention.startswith("SECRET-NEED")
    assert samples[0].history[0].content == "EARLIER-TURN hello"
    assert samples[1].history == () and samples[1].hidden_intention is None
    assert samples[0].completion.startswith("# Analysis")


def test_state_uses_a_validated_config():
    state = PermRewardState({"judge": {"backend": "fake"}, "bystander_coef": 0.25})
    assert state.config == build_config({"judge": {"backend": "fake"}, "bystander_coef": 0.25})


def test_each_rank_scores_its_own_shard():
    # what accelerate does: every process holds a pickled copy and scores only its shard
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}})
    full = asyncio.run(call_all(funcs, completions(), columns()))
    ranks = [pickle.loads(pickle.dumps(funcs)) for _ in range(2)]
    cols = columns()
    half = N // 2
    shards = [asyncio.run(call_all(r, completions()[k * half:(k + 1) * half],
                                   {c: v[k * half:(k + 1) * half] for c, v in cols.items()}))
              for k, r in enumerate(ranks)]
    assert [a + b for a, b in zip(*shards)] == full
    assert all(r[0].args[0].batches == 1 for r in ranks)
