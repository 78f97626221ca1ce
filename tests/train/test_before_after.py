"""The before/after check of a trained policy with the evaluation commands: train a tiny
policy, `perm generate` on the same prompts with the base model and with the trained adapter
(same seed, so the same draws), then `perm eval --cluster-by scenario_id` compares them with
intervals over prompts."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.evaluate.helpers import read_jsonl, run_cli
from tests.train.helpers import TINY_LLAMA

pytest.importorskip("trl", reason="training tests need the train extra")


@pytest.fixture
def tiny_model_dir(tmp_path, smol_tokenizer_dir) -> Path:
    """A random tiny Llama saved with SmolLM2's tokenizer: a base model `perm generate` can load."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(smol_tokenizer_dir)
    arch = {k: v for k, v in TINY_LLAMA.items() if k != "model_type"}
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), pad_token_id=tok.pad_token_id,
                                         eos_token_id=tok.eos_token_id, **arch))
    out = tmp_path / "base-model"
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def test_base_and_trained_policy_on_the_same_prompts(tmp_path, tiny_recipe, tiny_model_dir,
                                                     scenarios_file):
    from perm.train.config import build_train_config
    from perm.train.trainer import build_trainer, run_training

    recipe = {**tiny_recipe, "model": {"name_or_path": str(tiny_model_dir), "dtype": "float32"},
              "save_steps": 100}
    run_training(build_trainer(build_train_config(recipe)))
    final = Path(recipe["output_dir"]) / "final"
    common = ["--backend", "hf", "--model", tiny_model_dir, "--num-samples", "2",
              "--temperature", "1.0", "--seed", "5", "--max-new-tokens", "6", "--no-progress"]
    for name, extra in (("base", []), ("again", []), ("trained", ["--adapter", final])):
        run_cli("generate", scenarios_file, "-o", tmp_path / f"{name}.jsonl", "--name", name,
                *common, *extra)
    base, again, trained = (read_jsonl(tmp_path / f"{n}.jsonl") for n in ("base", "again", "trained"))
    assert len(base) == 12 and {r["scenario_id"] for r in base} == {f"t{i}" for i in range(6)}
    # same seed, same policy: the same draws (what makes base vs trained a fair comparison)
    assert [r["completion"] for r in base] == [r["completion"] for r in again]
    assert trained[0]["generation"]["adapter"] == str(final)

    out = tmp_path / "ev"
    run_cli("eval", tmp_path / "base.jsonl", tmp_path / "again.jsonl", tmp_path / "trained.jsonl",
            "-o", out, "--judge", "fake", "--on-format-error", "judge", "--cluster-by", "scenario_id",
            "--bootstrap", "200", "--no-progress")
    summary = json.loads((out / "eval.json").read_text())
    same, vs_trained = summary["pairs"]
    assert (same["a"], same["b"], vs_trained["b"]) == ("base", "again", "trained")
    assert same["n"] == 12 and same["ties"] == 12 and same["mean_diff"]["mean"] == 0.0
    assert same["clusters"] == {"n": 6, "better": 0, "worse": 0, "ties": 6, "p_sign": 1.0}
    assert vs_trained["n"] == 12 and vs_trained["clusters"]["n"] == 6
    assert summary["systems"]["trained"]["reward_missing_rate"] == 0.0
