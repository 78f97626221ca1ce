"""The verl `compute_score` and OpenRLHF `reward_func` adapters, called the way the engines call
them (shapes taken from verl `verl/workers/reward_manager/naive.py`, `batch.py`,
`verl/experimental/reward_loop/reward_manager/naive.py`, `verl/trainer/ppo/reward.py`; OpenRLHF
`openrlhf/utils/agent.py` and, for older releases, `openrlhf/utils/remote_rm_utils.py` +
`openrlhf/trainer/ppo_utils/experience_maker.py`)."""
from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import perm.integrations as integrations
from perm.data import parse_record
from perm.errors import ConfigError, DataError, JudgeUnavailable
from perm.integrations import runner
from perm.integrations.common import REWARD_FIELDS
from perm.scoring import PermScorer
from perm.signs import SIGN_FIELDS

PKG = Path(integrations.__file__).parent
RESP = "# Analysis\nShe is exhausted and guarded.\n# Response\nThree weeks is far too long."
CTX = [{"id": f"p1-s{i}", "persona": f"Persona {i}", "scenario": f"Scenario {i}",
        "query": f"Query {i}"} for i in range(6)]
FAKE = {"judge": "fake"}


@pytest.fixture(autouse=True)
def _fresh_runners(monkeypatch: pytest.MonkeyPatch) -> Any:
    for var in ("PERM_CONFIG", "PERM_JUDGE", "PERM_JUDGE_MODEL", "PERM_JUDGE_BASE_URL",
                "PERM_NULL_REWARD", "PERM_ON_FORMAT_ERROR", "PERM_MAX_FAILED_SAMPLES"):
        monkeypatch.delenv(var, raising=False)
    yield
    runner.close_all()


def expected(contexts: list[dict[str, Any]], completions: list[str]) -> list[float | None]:
    with PermScorer({"judge": {"backend": "fake"}}) as scorer:
        samples = [parse_record({**c, "completion": t}) for c, t in zip(contexts, completions, strict=True)]
        return [r.reward for r in scorer.score(samples)]


def load_by_path(path: Path, name: str) -> Any:
    """What verl's load_extern_object and OpenRLHF's reward_func loader do: import a file."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- verl ---------------------------------------------------------------------------------
def test_verl_single_sample_keywords() -> None:
    from perm.integrations.verl import compute_score

    out = compute_score(data_source="perm", solution_str=RESP, ground_truth="p1-s0",
                        extra_info={**CTX[0], "num_turns": None, "rollout_reward_scores": {}},
                        **FAKE)
    assert isinstance(out, dict) and tuple(out) == REWARD_FIELDS + SIGN_FIELDS + ("shared_line",)
    assert out["score"] == expected(CTX[:1], [RESP])[0]
    assert all(isinstance(v, float) for v in out.values())


def test_verl_batch_keywords() -> None:
    from perm.integrations.verl import compute_score

    texts = [RESP, "no headers", RESP + " More.", RESP, RESP, RESP]
    out = compute_score(data_sources=["perm"] * 6, solution_strs=texts,
                        ground_truths=[None] * 6, extra_infos=CTX, **FAKE)
    assert isinstance(out, list) and [o["score"] for o in out] == expected(CTX, texts)
    assert out[1]["format_ok"] == 0.0


def test_verl_async_and_context_in_ground_truth() -> None:
    from perm.integrations.verl import compute_score_async

    out = asyncio.run(compute_score_async(data_source="perm", solution_str=RESP,
                                          ground_truth=json.dumps(CTX[2]), extra_info={"index": 3},
                                          **FAKE))
    assert out["score"] == expected(CTX[2:3], [RESP])[0]  # type: ignore[call-overload]


def test_verl_missing_context_is_a_named_error() -> None:
    from perm.integrations.verl import compute_score

    with pytest.raises(DataError) as err:
        compute_score(data_source="perm", solution_str=RESP, ground_truth="42",
                      extra_info={"index": 0}, **FAKE)
    assert err.value.field == "extra_infos[0]" and "jsonl_to_verl_parquet" in str(err.value)
    with pytest.raises(DataError, match="extra_infos"):
        compute_score(data_sources=["a"], solution_strs=[RESP, RESP], extra_infos=[CTX[0]], **FAKE)


def test_verl_from_many_threads_at_once() -> None:
    """verl's reward loop runs a sync compute_score in executor threads, many at a time."""
    from perm.integrations.verl import compute_score

    def one(i: int) -> float:
        return compute_score(data_source="perm", solution_str=RESP, ground_truth="",  # type: ignore[index]
                             extra_info=CTX[i % 6], judge="fake")["score"]

    with ThreadPoolExecutor(16) as pool:
        scores = list(pool.map(one, range(48)))
    assert scores == [expected(CTX, [RESP] * 6)[i % 6] for i in range(48)]
    assert len(runner._RUNNERS) == 1  # one scorer per process and settings


def test_verl_file_loads_by_path_and_reads_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = tmp_path / "scoring.yaml"
    cfg.write_text("judge:\n  backend: fake\n  max_retries: 0\n  max_reasks: 0\n"
                   "  options: {answers: ['garbage'], cycle: true}\n")
    monkeypatch.setenv("PERM_CONFIG", str(cfg))
    monkeypatch.setenv("PERM_NULL_REWARD", "-0.75")
    module = load_by_path(PKG / "verl.py", "custom_module")
    out = module.compute_score("perm", RESP, "", CTX[0])
    assert out["score"] == -0.75 and out["missing"] == 1.0 and out["failed_dims"] == 4.0


def test_verl_reward_kwargs_config_mapping() -> None:
    from perm.integrations.verl import compute_score

    out = compute_score(data_source="perm", solution_str=RESP, extra_info=CTX[0],
                        config={"judge": {"backend": "fake"}, "bystander_coef": 0.0})
    assert math.isnan(out["bystander"]) and out["bystander_term"] == 0.0  # not judged at coef 0


def test_verl_shared_line_flags_a_line_said_to_three_seekers_across_calls() -> None:
    """verl's naive manager calls once per sample: the process's window spans the calls, so the
    third seeker to get the same line (5+ words) is flagged, a seeker's own line is not, and a
    seeker who gets it again does not count twice."""
    from perm.integrations.verl import compute_score

    other = RESP.replace("Three weeks is far too long.", "Your landlord has had three weeks already.")
    calls = [(CTX[0], RESP), (CTX[0], RESP), (CTX[1], RESP), (CTX[3], other), (CTX[2], RESP),
             (CTX[4], "no headers")]
    got = [compute_score(data_source="perm", solution_str=text, extra_info=ctx, **FAKE)["shared_line"]
           for ctx, text in calls]
    assert got[:5] == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert got[5] == 0.0  # a malformed output is judged whole: its words hold no shared line
    batch = compute_score(data_sources=["perm"] * 2, solution_strs=[other, other],
                          extra_infos=[CTX[4], CTX[5]], **FAKE)
    assert [o["shared_line"] for o in batch] == [1.0, 1.0]  # CTX[3], CTX[4], CTX[5]: three seekers


# --- OpenRLHF -------------------------------------------------------------------------------
PROMPT = "<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n"


def openrlhf_call(n: int) -> tuple[list[str], list[str], list[str]]:
    prompts = [PROMPT.format(q=c["query"]) for c in CTX[:n]]
    queries = [p + RESP + "<|im_end|>" for p in prompts]
    return queries, prompts, [json.dumps(c) for c in CTX[:n]]


def test_openrlhf_reward_func_by_path_returns_tensors(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    monkeypatch.setenv("PERM_JUDGE", "fake")
    module = load_by_path(PKG / "openrlhf.py", "reward_func")
    out = module.reward_func(*openrlhf_call(4))
    assert set(out) == {"rewards", "scores", "extra_logs"}
    assert isinstance(out["rewards"], torch.Tensor) and out["rewards"].shape == (4,)
    assert out["rewards"].tolist() == pytest.approx(expected(CTX[:4], [RESP] * 4))
    # Older OpenRLHF concatenates per-chunk results with torch.cat (experience_maker.py).
    merged = torch.cat([out["rewards"], out["scores"]])
    assert merged.shape == (8,)
    assert all(isinstance(v, torch.Tensor) and v.shape == (4,) for v in out["extra_logs"].values())
    # Newer OpenRLHF takes the first element of each extra_logs tensor (samples_generator.py).
    assert out["extra_logs"]["perm/format_ok"].flatten()[0].item() == 1.0
    # the same 5-word line to four seekers in one batch: every one of them holds a shared line
    assert out["extra_logs"]["perm/shared_line"].tolist() == [1.0, 1.0, 1.0, 1.0]
    lone = module.reward_func([PROMPT.format(q="q") + RESP.replace("Three", "Four") + "<|im_end|>"],
                              [PROMPT.format(q="q")], [json.dumps(CTX[5])])
    assert lone["extra_logs"]["perm/shared_line"].tolist() == [0.0]


def test_openrlhf_reward_func_one_sample_per_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Current OpenRLHF calls reward_func with one sample each, via asyncio.to_thread."""
    monkeypatch.setenv("PERM_JUDGE", "fake")
    from perm.integrations.openrlhf import reward_func

    q, p, labels = openrlhf_call(6)

    async def all_at_once() -> list[Any]:
        return await asyncio.gather(*(asyncio.to_thread(reward_func, [q[i]], [p[i]], [labels[i]])
                                      for i in range(6)))

    outs = asyncio.run(all_at_once())
    assert [float(o["rewards"][0]) for o in outs] == pytest.approx(expected(CTX, [RESP] * 6))
    # one window per process across the calls: whichever threads ran first, the first two of
    # the six seekers to get the line are not flagged and the other four are
    assert sorted(float(o["extra_logs"]["perm/shared_line"][0]) for o in outs) == [0, 0, 1, 1, 1, 1]


def test_openrlhf_reward_func_rejects_bad_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERM_JUDGE", "fake")
    from perm.integrations.openrlhf import reward_func

    q, p, labels = openrlhf_call(2)
    with pytest.raises(DataError) as err:
        reward_func(q, p, [labels[0], ""])
    assert err.value.field == "labels[1]" and "label_key" in str(err.value)


# --- issue 12 item 18: the judge is down ------------------------------------------------------
DOWN = {"judge": {"backend": "fake", "max_retries": 0, "max_reasks": 0,
                  "options": {"answers": ["!error:503"], "cycle": True}}}
DIMS = ("resonation", "expression", "reception", "bystander")


def test_verl_judge_down_reports_the_floor_then_stops_the_run() -> None:
    from perm.integrations.verl import compute_score

    for i in range(2):
        out = compute_score(data_source="perm", solution_str=RESP, extra_info=CTX[i],
                            config=DOWN, max_failed_samples=3)
        assert out["score"] == pytest.approx(-0.3)  # never above a malformed output's reward
        assert out["missing"] == 1.0 and out["failed_dims"] == 4.0
        assert all(math.isnan(out[d]) for d in (*DIMS, "empathy", "bystander_term"))
    with pytest.raises(JudgeUnavailable, match="3 samples in a row") as err:
        compute_score(data_source="perm", solution_str=RESP, extra_info=CTX[2], config=DOWN,
                      max_failed_samples=3)
    assert "scripted HTTP 503" in str(err.value)


def test_verl_batch_judge_down_stops_and_env_settings(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    from perm.integrations.verl import compute_score_async

    cfg = tmp_path / "down.yaml"
    cfg.write_text(json.dumps(DOWN))
    monkeypatch.setenv("PERM_CONFIG", str(cfg))
    monkeypatch.setenv("PERM_MAX_FAILED_SAMPLES", "4")
    with pytest.raises(JudgeUnavailable, match="4 samples in a row"):
        asyncio.run(compute_score_async(data_sources=["perm"] * 4, solution_strs=[RESP] * 4,
                                        extra_infos=CTX[:4]))
    monkeypatch.setenv("PERM_MAX_FAILED_SAMPLES", "0")  # never stop
    out = asyncio.run(compute_score_async(data_sources=["perm"] * 6, solution_strs=[RESP] * 6,
                                          extra_infos=CTX))
    assert [o["missing"] for o in out] == [1.0] * 6  # type: ignore[index]


def test_verl_null_reward_choices(caplog: pytest.LogCaptureFixture) -> None:
    from perm.integrations.verl import compute_score

    def score(**kw: Any) -> float:
        return compute_score(data_source="perm", solution_str=RESP, extra_info=CTX[0],  # type: ignore[index]
                             config=DOWN, **kw)["score"]

    assert score(null_reward="floor") == pytest.approx(-0.3)
    assert score(null_reward=-1) == -1.0
    assert "above the reward floor" not in caplog.text
    assert score(null_reward=0.5) == 0.5
    assert "above the reward floor" in caplog.text
    with pytest.raises(ConfigError, match="null_reward"):
        score(null_reward="zero")
    with pytest.raises(ConfigError, match="max_failed_samples"):
        score(max_failed_samples="-2")
    bystander_free = {**DOWN, "bystander_coef": 0.0}
    assert compute_score(data_source="perm", solution_str=RESP, extra_info=CTX[0],  # type: ignore[index]
                         config=bystander_free)["score"] == pytest.approx(0.2)


def test_verl_unreachable_judge_fails_at_the_first_call() -> None:
    from perm.integrations.verl import compute_score

    with pytest.raises(JudgeUnavailable, match="unreachable"):
        compute_score(data_source="perm", solution_str=RESP, extra_info=CTX[0], judge="openai",
                      model="m", base_url="http://127.0.0.1:9/v1")
    assert not runner._RUNNERS  # not kept: the next call checks again


def test_verl_lone_surrogate_fails_only_its_sample(monkeypatch: pytest.MonkeyPatch,
                                                  helpers: Any) -> None:
    from perm.integrations.verl import compute_score

    monkeypatch.setattr(runner, "PermScorer",
                        lambda config: PermScorer(config, rater=helpers.WholeBatchRater()))
    texts = [RESP, RESP.replace("exhausted", "exhausted \ud800"), RESP]
    out = compute_score(data_sources=["perm"] * 3, solution_strs=texts, extra_infos=CTX[:3],
                        **FAKE)
    want = expected([CTX[0], CTX[2]], [RESP, RESP])
    assert [out[0]["score"], out[2]["score"]] == want  # type: ignore[index]
    assert out[1]["missing"] == 1.0 and out[1]["score"] == pytest.approx(-0.3)  # type: ignore[index]


# --- issue 12 item 19: most outputs malformed ---------------------------------------------------
def test_verl_format_errors_are_nan_and_warned_once(caplog: pytest.LogCaptureFixture) -> None:
    from perm.integrations.verl import compute_score

    texts = ["no sections here"] * 11 + [RESP] * 9
    infos = [CTX[i % 6] for i in range(20)]
    with caplog.at_level(logging.WARNING, logger="perm"):
        out = compute_score(data_sources=["perm"] * 20, solution_strs=texts, extra_infos=infos,
                            **FAKE)
        compute_score(data_sources=["perm"] * 20, solution_strs=texts, extra_infos=infos, **FAKE)
    bad = out[0]  # type: ignore[index]
    assert bad["format_ok"] == 0.0 and bad["score"] == pytest.approx(-0.3)
    assert all(math.isnan(bad[d]) for d in DIMS)  # not 0: means over a batch stay honest
    warnings = [r.getMessage() for r in caplog.records if "format errors" in r.getMessage()]
    assert len(warnings) == 1 and "11 of the last 20" in warnings[0]
    assert "on_format_error=judge" in warnings[0] and "PERM_ON_FORMAT_ERROR" in warnings[0]


def test_on_format_error_judge_from_kwargs_or_env(monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    from perm.integrations.verl import compute_score

    with caplog.at_level(logging.WARNING, logger="perm"):
        out = compute_score(data_sources=["perm"] * 20, solution_strs=["plain reply"] * 20,
                            extra_infos=[CTX[i % 6] for i in range(20)], on_format_error="judge",
                            **FAKE)
    assert out[0]["format_ok"] == 0.0 and 1 <= out[0]["resonation"] <= 5  # type: ignore[index]
    assert "format errors" not in caplog.text
    monkeypatch.setenv("PERM_ON_FORMAT_ERROR", "judge")
    monkeypatch.setenv("PERM_JUDGE", "fake")
    module = load_by_path(PKG / "openrlhf.py", "reward_func")
    q, p, labels = openrlhf_call(1)
    got = module.reward_func([p[0] + "plain reply"], p, labels)
    assert 1 <= float(got["extra_logs"]["perm/resonation"][0]) <= 5  # judged


# --- OpenRLHF: errors visible, the judge down -----------------------------------------------
def test_openrlhf_reward_func_logs_its_errors(monkeypatch: pytest.MonkeyPatch,
                                              caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("PERM_JUDGE", "fake")
    from perm.integrations.openrlhf import reward_func

    q, p, labels = openrlhf_call(2)
    with pytest.raises(DataError):
        reward_func(q, p, [labels[0], "{broken"])
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and "labels[1]" in errors[0].getMessage()  # OpenRLHF would log it at INFO


def test_openrlhf_reward_func_judge_down(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         caplog: pytest.LogCaptureFixture) -> None:
    cfg = tmp_path / "down.yaml"
    cfg.write_text(json.dumps(DOWN))
    monkeypatch.setenv("PERM_CONFIG", str(cfg))
    monkeypatch.setenv("PERM_MAX_FAILED_SAMPLES", "3")
    from perm.integrations.openrlhf import reward_func

    q, p, labels = openrlhf_call(2)
    out = reward_func(q, p, labels)
    assert [float(x) for x in out["rewards"]] == pytest.approx([-0.3, -0.3])
    assert all(math.isnan(float(x)) for x in out["extra_logs"]["perm/resonation"])
    with pytest.raises(JudgeUnavailable):
        reward_func(q, p, labels)
    assert any(r.levelno >= logging.ERROR and "in a row" in r.getMessage() for r in caplog.records)
