"""End-to-end GRPO with a tiny random Llama and the fake judge: train, checkpoint, resume."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from perm.config import JudgeConfig
from perm.errors import ConfigError
from perm.judges.fake import FakeJudge

pytest.importorskip("trl", reason="training tests need the train extra")

from perm.train.config import build_train_config  # noqa: E402
from perm.train.trainer import build_trainer, run_training  # noqa: E402

DIMS = 4  # resonation, expression, reception, bystander


def records(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def train(recipe: dict, judge: FakeJudge, **kw):
    run = build_trainer(build_train_config(recipe), judge=judge, **kw)
    return run, run_training(run)


def test_two_grpo_steps_train_log_and_save(tiny_recipe):
    judge = FakeJudge(JudgeConfig(backend="fake"))
    run, summary = train(tiny_recipe, judge)
    out = Path(tiny_recipe["output_dir"])
    assert summary["global_step"] == 2
    # 2 steps x 4 completions, each judged once per dimension although three terms use it
    assert len(judge.calls) == 2 * 4 * DIMS
    recs = [r for r in records(out) if "reward" in r]
    assert [r["step"] for r in recs] == [1, 2]
    for r in recs:
        terms = r["rewards/empathy/mean"] + r["rewards/bystander/mean"] + r["rewards/length/mean"]
        assert r["reward"] == pytest.approx(terms, abs=1e-5)
        assert 1 <= r["perm/resonation"] <= 5 and 0 <= r["perm/bystander_score"] <= 100
        assert r["perm/failure_rate"] == 0.0
    assert (out / "checkpoint-1").is_dir() and (out / "checkpoint-2").is_dir()
    assert (out / "final" / "adapter_config.json").is_file()
    assert len((out / "heldout.jsonl").read_text().splitlines()) == run.info["heldout_prompts"]
    info = json.loads((out / "run_info.json").read_text())
    assert info["judge"] == "fake:fake" and info["batches_scored"] == 2
    assert info["judge_stats"]["calls"] == 2 * 4 * DIMS  # the run's own scorer, not a fresh one
    # the LoRA update actually moved: B matrices start at zero
    from safetensors.torch import load_file

    weights = load_file(str(out / "final" / "adapter_model.safetensors"))
    assert any(float(t.abs().sum()) > 0 for k, t in weights.items() if "lora_B" in k)


def test_resume_continues_from_the_last_checkpoint(tiny_recipe):
    train(tiny_recipe, FakeJudge(JudgeConfig(backend="fake")))
    out = Path(tiny_recipe["output_dir"])
    judge = FakeJudge(JudgeConfig(backend="fake"))
    resumed = {**tiny_recipe, "resume_from_checkpoint": "latest",
               "grpo": {**tiny_recipe["grpo"], "max_steps": 3}}
    run, summary = train(resumed, judge)
    assert run.resume is not None and run.resume.endswith("checkpoint-2")
    assert summary["global_step"] == 3
    assert len(judge.calls) == 1 * 4 * DIMS  # only the new step was generated and scored
    assert [r["step"] for r in records(out) if "reward" in r] == [1, 2, 3]
    assert (out / "checkpoint-3").is_dir()


def test_a_fresh_run_refuses_to_mix_with_old_checkpoints(tiny_recipe):
    old = Path(tiny_recipe["output_dir"]) / "checkpoint-5"
    old.mkdir(parents=True)
    (old / "trainer_state.json").write_text("{}")
    with pytest.raises(ConfigError, match="--resume latest"):
        build_trainer(build_train_config(tiny_recipe), judge=FakeJudge(JudgeConfig(backend="fake")))
    run = build_trainer(build_train_config(tiny_recipe), judge=FakeJudge(JudgeConfig(backend="fake")),
                        overwrite=True)
    assert not list(Path(tiny_recipe["output_dir"]).glob("checkpoint-*"))
    assert run.resume is None


def test_resume_latest_without_checkpoint_is_a_clear_error(tiny_recipe):
    with pytest.raises(ConfigError, match="no checkpoint"):
        build_trainer(build_train_config({**tiny_recipe, "resume_from_checkpoint": "latest"}))


def test_full_fine_tuning_with_kl_builds_its_reference_from_the_initial_weights(tiny_recipe):
    recipe = {**tiny_recipe, "lora": {"enabled": False}, "save_steps": 10,
              "grpo": {**tiny_recipe["grpo"], "max_steps": 1, "beta": 0.04}}
    run, summary = train(recipe, FakeJudge(JudgeConfig(backend="fake")))
    out = Path(recipe["output_dir"])
    assert summary["global_step"] == 1
    assert run.trainer.ref_model is not None  # a random-init policy has no hub path to reload
    assert (out / "initial-policy" / "config.json").is_file()
    assert (out / "final" / "config.json").is_file()  # full model saved, not an adapter
    kl = [r["kl"] for r in records(out) if "kl" in r]
    assert kl and kl[0] >= 0
