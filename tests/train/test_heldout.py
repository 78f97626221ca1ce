"""The before/after check on held-out prompts: paired statistics by hand, and the CLI end to end
(tiny random policy, fake judge): the same draws for both policies, scored with the recipe."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from perm.train.heldout import main, paired, summarise
from perm.types import ScoreResult

pytest.importorskip("trl", reason="training tests need the train extra")


def rows(rewards: dict[str, list[float | None]]) -> list[dict]:
    return [{"id": i, "reward": r} for i, rs in rewards.items() for r in rs]


def test_paired_difference_by_hand():
    base = rows({"a": [0.2, 0.4], "b": [0.5, 0.5], "c": [0.3, None]})
    new = rows({"a": [0.3, 0.6], "b": [0.4, 0.5], "c": [0.9, 0.1]})
    out = paired(base, new, resamples=500)
    # pairs: a0 +0.1, a1 +0.2, b0 -0.1, b1 0.0, c0 +0.6 (c1 has no base reward)
    assert out["pairs"] == 5 and out["prompts"] == 3 and out["unpaired_or_missing"] == 1
    assert out["mean_diff"] == pytest.approx(0.8 / 5)
    assert out["win_rate"] == pytest.approx(3 / 5) and out["tie_rate"] == pytest.approx(1 / 5)
    # per prompt: a +0.15, b -0.05, c +0.6 -> 2 better, 1 worse; sign test p = 1.0
    assert (out["prompts_better"], out["prompts_worse"]) == (2, 1)
    assert out["p_sign_prompts"] == pytest.approx(1.0)
    lo, hi = out["ci95"]
    assert lo <= out["mean_diff"] <= hi
    # the bootstrap resamples whole prompts: its extremes are prompt means
    assert lo >= -0.05 - 1e-9 and hi <= 0.6 + 1e-9


def test_paired_pairs_draws_in_order_and_reports_nothing_to_pair():
    base = rows({"a": [0.1, 0.9]})
    new = rows({"a": [0.2, 0.8]})
    out = paired(base, new, resamples=100)
    assert out["mean_diff"] == pytest.approx(0.0) and out["win_rate"] == 0.5
    assert paired(rows({"a": [None]}), rows({"a": [0.5]})) == {"pairs": 0, "unpaired_or_missing": 1}


def result(reward: float | None, *, fmt: bool = True, tokens: int = 10) -> ScoreResult:
    scores = {"resonation": 4.0, "expression": 3.0, "reception": None if reward is None else 5.0,
              "bystander": 80.0}
    terms = {"empathy": None if reward is None else reward + 0.1, "bystander": -0.1, "length": 0.0}
    return ScoreResult(id="x", reward=reward, empathy=terms["empathy"], scores=scores, terms=terms,
                       format_ok=fmt, failures={} if reward is not None else {"reception": "judge error"},
                       judge="fake:fake", rubric_version="v1", tokens=tokens)


def test_summarise_leaves_missing_rewards_out_and_counts_them():
    s = summarise([result(0.2), result(0.4, fmt=False, tokens=30), result(None)])
    assert s["n"] == 3 and s["n_rewarded"] == 2
    assert s["reward_mean"] == pytest.approx(0.3)
    assert s["reward_ci95"] == pytest.approx(1.96 * 0.1414214 / 2 ** 0.5, rel=1e-5)
    assert s["empathy_mean"] == pytest.approx(0.4) and s["score_reception"] == pytest.approx(5.0)
    assert s["format_ok_rate"] == pytest.approx(2 / 3) and s["mean_tokens"] == pytest.approx(50 / 3)


def test_run_and_compare_cli(tmp_path: Path, tiny_recipe: dict, scenarios_file: Path):
    from perm.train.config import build_train_config
    from perm.train.trainer import build_trainer, run_training

    run_training(build_trainer(build_train_config({**tiny_recipe, "save_steps": 100})))
    recipe = tmp_path / "tiny.yaml"
    recipe.write_text(yaml.safe_dump(tiny_recipe), encoding="utf-8")
    final = Path(tiny_recipe["output_dir"]) / "final"
    common = ["run", "-c", str(recipe), "--prompts", str(scenarios_file), "--num-samples", "2",
              "--temperature", "1.0", "--seed", "5", "--max-new-tokens", "6"]
    out = {}
    for name, extra in (("base", []), ("again", []), ("trained", ["--checkpoint", str(final)])):
        path = tmp_path / f"{name}.jsonl"
        res = CliRunner().invoke(main, [*common, *extra, "--out", str(path)])
        assert res.exit_code == 0, res.output
        out[name] = (json.loads(res.output), [json.loads(x) for x in path.read_text().splitlines()])
    summary, scored = out["base"]
    assert summary["prompts"] == 6 and summary["n"] == 12 == len(scored)
    assert summary["judge"] == "fake:fake" and summary["checkpoint"] == "base"
    assert {r["id"] for r in scored} == {f"t{i}" for i in range(6)}
    # same seed, same policy: the same draws (what makes base vs trained a fair comparison)
    assert [r["completion"] for r in scored] == [r["completion"] for r in out["again"][1]]
    assert out["trained"][0]["checkpoint"] == str(final)
    res = CliRunner().invoke(main, ["compare", str(tmp_path / "base.jsonl"), str(tmp_path / "again.jsonl")])
    assert res.exit_code == 0, res.output
    same = json.loads(res.output)
    assert same["pairs"] == 12 and same["mean_diff"] == 0.0 and same["tie_rate"] == 1.0
