"""`perm train` and `perm plot` from the command line (tiny random policy, fake judge)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from perm.cli import cli, main

pytest.importorskip("trl", reason="training tests need the train extra")


def recipe_file(tmp_path: Path, recipe: dict) -> Path:
    recipe = {**recipe, "scoring": {"judge": {"backend": "local"}, "on_format_error": "judge"}}
    p = tmp_path / "tiny.yaml"
    p.write_text(yaml.safe_dump(recipe))
    return p


def test_train_then_plot(tmp_path, tiny_recipe):
    p = recipe_file(tmp_path, tiny_recipe)
    out = tmp_path / "cli-run"
    res = CliRunner().invoke(cli, ["train", "-c", str(p), "--max-steps", "1", "--judge", "fake",
                                   "--output-dir", str(out), "--seed", "3"])
    assert res.exit_code == 0, res.output
    assert "done: 1 steps" in res.output
    saved = yaml.safe_load((out / "perm_train_config.yaml").read_text())
    assert saved["scoring"]["judge"]["backend"] == "fake" and saved["seed"] == 3
    assert saved["grpo"]["max_steps"] == 1
    assert json.loads((out / "run_info.json").read_text())["global_step"] == 1
    # the real TRL trainer logged the batch's shortcut-sign rates (perm.signs) with the scores
    rec = next(json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()
               if "reward" in json.loads(line))
    signs = {k: v for k, v in rec.items() if k.startswith("perm/sign_")}
    assert set(signs) == {"perm/sign_copied", "perm/sign_unfinished", "perm/sign_plan_as_reply",
                          "perm/sign_talks_about", "perm/sign_to_the_grader", "perm/sign_about_itself",
                          "perm/sign_mannerism"}
    assert all(0.0 <= v <= 1.0 for v in signs.values())
    res = CliRunner().invoke(cli, ["plot", str(out), "--out", str(tmp_path / "c.png")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_dry_run_prints_the_resolved_recipe(tmp_path, tiny_recipe):
    p = recipe_file(tmp_path, tiny_recipe)
    res = CliRunner().invoke(cli, ["train", "-c", str(p), "--dry-run", "--set", "grpo.beta=0.05",
                                   "--model", "some/model"])
    assert res.exit_code == 0, res.output
    assert "beta: 0.05" in res.output and "name_or_path: some/model" in res.output
    assert "6 training prompts, 0 held out" in res.output


def test_bad_override_is_a_friendly_error(tmp_path, tiny_recipe, capsys):
    p = recipe_file(tmp_path, tiny_recipe)
    with pytest.raises(SystemExit) as exc:
        main(["train", "-c", str(p), "--set", "grpo.num_generations=1", "--dry-run"])
    assert exc.value.code == 2
    assert "grpo.num_generations" in capsys.readouterr().err
