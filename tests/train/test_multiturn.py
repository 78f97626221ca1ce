"""Multi-turn GRPO with the real TRL: `SeekerRollout` as GRPOTrainer's `rollout_func`, a tiny
random Llama writing the policy turns, the fake seeker and the fake judge (issue 15.3)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from perm.config import JudgeConfig
from perm.judges.fake import FakeJudge, dimension_of

pytest.importorskip("trl", reason="training tests need the train extra")

from perm.cli import cli  # noqa: E402
from perm.env.chat import seeker_turn_ids  # noqa: E402
from perm.signs import SIGNS  # noqa: E402
from perm.train.config import build_train_config  # noqa: E402
from perm.train.multiturn import episode_reward_funcs  # noqa: E402
from perm.train.trainer import build_trainer, run_training  # noqa: E402

MULTI = {"seeker": {"backend": "fake"}, "turns": 2, "end_on": [], "stop_on_format_error": False}


def multi_recipe(tiny_recipe: dict) -> dict:
    recipe = json.loads(json.dumps(tiny_recipe))
    recipe["grpo"].update(max_completion_length=64, max_steps=1)
    recipe["multi_turn"] = dict(MULTI)
    return recipe


def test_one_multi_turn_grpo_step_with_the_real_trl(tiny_recipe):
    judge = FakeJudge(JudgeConfig(backend="fake"))
    run = build_trainer(build_train_config(multi_recipe(tiny_recipe)), judge=judge)
    rollout = run.rollout
    assert run.info["seeker"] == "fake-seeker:fake" and run.info["turns"] == 2
    summary = run_training(run)
    assert summary["global_step"] == 1 and rollout.batches == 1
    episodes = rollout.episodes
    assert len(episodes) == 4  # 4 completions per step (one prompt x 4 generations)
    assert all(len(ep.turns) == 2 and ep.end == "turns" for ep in episodes), [ep.end for ep in episodes]
    # every policy turn was judged (4 perspectives), the second given the seeker's first answer
    assert len(judge.calls) == 4 * 2 * 4
    second = [c for c in judge.calls if dimension_of(c) == "reception"][4:]
    assert all(ep.turns[0].seeker.message in c[-1]["content"] for ep, c in zip(episodes, second))
    out = Path(tiny_recipe["output_dir"])
    rec = next(json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()
               if "reward" in json.loads(line))
    terms = sum(rec[f"rewards/episode_{t}/mean"] for t in ("turns", "final", "safety"))
    assert rec["reward"] == pytest.approx(terms, abs=1e-5)
    want = sum(ep.reward.reward for ep in episodes) / 4
    assert rec["reward"] == pytest.approx(want, abs=1e-5)  # TRL's reward is the episode reward
    assert rec["perm/episode_turns"] == 2.0 and rec["perm/ended_turns"] == 1.0
    # the shortcut signs: the mean over episodes of the share of their turns showing each
    for name in SIGNS:
        want = sum(ep.sign_shares()[name] for ep in episodes) / 4
        assert rec[f"perm/sign_{name}"] == pytest.approx(want, abs=1e-6), name
    assert (out / "final" / "adapter_config.json").is_file()
    assert "multi_turn:" in (out / "perm_train_config.yaml").read_text()


def test_the_seeker_turn_is_rendered_by_the_chat_template(smol_tokenizer_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(smol_tokenizer_dir)
    eos = [tok.convert_tokens_to_ids("<|im_end|>")]
    ids = seeker_turn_ids(tok, "it's fine. I'm fine.", eos, closed=True)
    assert tok.decode(ids) == "\n<|im_start|>user\nit's fine. I'm fine.<|im_end|>\n<|im_start|>assistant\n"
    # a policy turn cut by the token limit is closed by the template's end of turn first
    assert tok.decode(seeker_turn_ids(tok, "ok", eos, closed=False)).startswith("<|im_end|>\n<|im_start|>user")


def test_episode_reward_terms_need_the_rollout_columns():
    turns, final, safety = episode_reward_funcs()
    cols = {"episode_turns": [0.5, None], "episode_final": [0.25, None], "episode_safety": [0.0, None]}
    assert turns(["p", "p"], ["c", "c"], **cols) == [0.5, None]
    assert final(["p", "p"], ["c", "c"], **cols) == [0.25, None]
    from perm.errors import ConfigError

    with pytest.raises(ConfigError, match="rollout_func"):
        safety(["p"], ["c"])


def test_episode_signs_are_logged_once_per_batch_as_a_mean_over_episodes():
    logged: dict[str, float] = {}
    turns, _, _ = episode_reward_funcs()
    nan = float("nan")
    signs = [dict.fromkeys(SIGNS, 0.0) | {"unfinished": 1.0}, dict.fromkeys(SIGNS, 0.0) | {"unfinished": 0.5},
             dict.fromkeys(SIGNS, nan)]  # the last episode had no reply to check: left out
    cols = {"episode_turns": [0.5, 0.1, None], "episode_signs": signs,
            "log_metric": lambda k, v: logged.__setitem__(k, v)}
    turns(["p"] * 3, ["c"] * 3, **cols)
    assert logged["perm/sign_unfinished"] == pytest.approx(0.75) and logged["perm/sign_copied"] == 0.0
    assert "perm/shared_lines" not in logged  # no column: not measured, not logged as 0
    turns(["p"] * 3, ["c"] * 3, **cols, episode_shared=[1.0, 0.0, nan])
    assert logged["perm/shared_lines"] == pytest.approx(0.5)


def test_perm_train_multi_turn_flags(tiny_recipe, tmp_path):
    recipe = multi_recipe(tiny_recipe)
    del recipe["multi_turn"]
    p = tmp_path / "r.json"
    p.write_text(json.dumps(recipe))
    runner = CliRunner()
    res = runner.invoke(cli, ["train", "-c", str(p), "--multi-turn", "--dry-run"])
    assert res.exit_code != 0 and "--seeker" in res.output
    res = runner.invoke(cli, ["train", "-c", str(p), "--turns", "2", "--dry-run"])
    assert res.exit_code != 0 and "need --multi-turn" in res.output
    res = runner.invoke(cli, ["train", "-c", str(p), "--multi-turn", "--seeker", "fake", "--turns",
                              "3", "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "multi_turn:" in res.output and "turns: 3" in res.output and "backend: fake" in res.output
    recipe["multi_turn"] = {**MULTI, "scoring": {"judge": {"backend": "fake"}}}
    p.write_text(json.dumps(recipe))
    res = runner.invoke(cli, ["train", "-c", str(p), "--multi-turn", "--dry-run"])
    from perm.errors import ConfigError  # `perm` (perm.cli.main) prints it as a one-line error

    assert isinstance(res.exception, ConfigError) and "multi_turn.scoring" in str(res.exception)


def test_a_malformed_seeker_behaviour_stops_the_rollout_before_training():
    from perm.errors import DataErrors
    from perm.train.multiturn import SeekerRollout
    from perm.types import Sample

    good = Sample("p", "s", "q", id="ok", extra={"seeker": {"guarded": "low"}})
    bad = Sample("p", "s", "q", id="bad", extra={"seeker": {"guarded": "somewhat"}})
    cfg = {**MULTI, "scoring": {"judge": {"backend": "fake"}}}
    assert list(SeekerRollout(cfg, [good]).by_prompt.values()) == [good]
    with pytest.raises(DataErrors) as e:
        SeekerRollout(cfg, [good, bad])
    assert [(x.field, "bad" in x.reason) for x in e.value.errors] == [("seeker.guarded", True)]


def test_a_judge_that_never_answers_stops_multi_turn_training(tiny_recipe):
    from perm.errors import JudgeError, JudgeUnavailable

    def down(messages):
        raise JudgeError("HTTP 500 from the judge", retryable=False, status=500)

    recipe = multi_recipe(tiny_recipe)
    recipe["scoring"]["judge"] = {"backend": "fake", "max_retries": 0}
    recipe["max_failed_batches"] = 1
    run = build_trainer(build_train_config(recipe), judge=FakeJudge(JudgeConfig(backend="fake"), script=down))
    with pytest.raises(JudgeUnavailable, match="no episode got a reward in 1 batches in a row"):
        run_training(run)
    assert run.rollout.failed_batches == 1
    ep = run.rollout.episodes[0]  # nothing made up: every turn says why it has no reward
    assert ep.reward.reward is None and ep.reward.missing and "HTTP 500" in " ".join(ep.reward.missing)
