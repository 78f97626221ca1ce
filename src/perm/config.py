"""Typed, validated configuration. Defaults reproduce the reference PERM recipe."""
from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError
from .types import EMPATHY_DIMENSIONS

MissingPolicy = Literal["null", "batch_mean", "available"]
FormatPolicy = Literal["penalize", "judge", "null"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class JudgeConfig(_Strict):
    """Which judge answers, and how it is called."""

    backend: str = Field("local", description="Judge backend name (see `perm judges`).")
    model: str | None = Field(None, description="Model name sent to the backend.")
    base_url: list[str] = Field(default_factory=list,
                                description="OpenAI-compatible base URL(s); load is spread across them.")
    api_key_env: list[str] = Field(default_factory=lambda: ["PERM_JUDGE_API_KEY", "OPENAI_API_KEY"],
                                   description="Environment variables read for the API key, in order. "
                                               "Several keys: separate them with commas in the variable.")
    temperature: float = Field(0.3, ge=0.0, le=2.0, description="Judge sampling temperature.")
    max_tokens: int = Field(512, ge=1, description="Judge answer length cap.")
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    seed: int | None = Field(None, description="Sampling seed passed to backends that honour it.")
    timeout: float = Field(120.0, gt=0, description="Seconds per judge request.")
    max_retries: int = Field(4, ge=0, description="Transport retries (timeouts, 429, 5xx) per call.")
    backoff: float = Field(1.0, ge=0, description="First retry delay in seconds; doubles each retry.")
    max_backoff: float = Field(30.0, ge=0)
    max_reasks: int = Field(1, ge=0, description="Extra asks when an answer has no parsable score.")
    concurrency: int = Field(256, ge=1, description="Judge calls in flight at once (256: a GRPO "
                                                    "batch of 64 completions x 4 calls in one round trip).")
    rpm: float | None = Field(None, gt=0, description="Optional requests-per-minute limit.")
    cache: Path | None = Field(None, description="sqlite response cache file (None: no cache).")
    options: dict[str, Any] = Field(default_factory=dict, description="Backend-specific options.")

    @field_validator("base_url", mode="before")
    @classmethod
    def _split_urls(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [u.strip() for u in v.split(",") if u.strip()]
        return v


class ScoringConfig(_Strict):
    """How judge scores become a reward."""

    judge: JudgeConfig = Field(default_factory=JudgeConfig)
    empathy_mode: Literal["harmonic", "mean", "weighted", "geometric"] = "harmonic"
    weights: dict[str, float] | None = Field(
        None, description="Per-dimension weights for empathy_mode=weighted.")
    bystander_coef: float = Field(0.5, ge=0, description="Bystander term = coef * (B/100 - 1).")
    length_limit: int = Field(768, ge=0, description="Tokens allowed before the length penalty.")
    length_coef: float = Field(0.001, ge=0, description="Penalty per token beyond the limit.")
    tokenizer: str | None = Field(
        None, description="HF tokenizer name/path for exact token counts (else an approximation).")
    missing: MissingPolicy = Field(
        "null", description="null: reward is null when a score is missing; batch_mean: impute the "
                            "batch mean (reference behaviour); available: aggregate what exists.")
    on_format_error: FormatPolicy = Field(
        "penalize", description="penalize: no judge calls, floor reward; judge: score the text "
                                "that is there; null: reward null.")
    fused: bool = Field(False, description="One judge call returns all four perspectives as JSON.")

    @field_validator("weights")
    @classmethod
    def _known_dims(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is not None:
            bad = set(v) - set(EMPATHY_DIMENSIONS)
            if bad:
                raise ValueError(f"unknown dimension(s) in weights: {sorted(bad)}")
        return v


def _format_validation(err: ValidationError, source: str) -> str:
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        lines.append(f"{source}: {loc}: {e['msg']} (got {e.get('input')!r})")
    return "\n".join(lines)


def build_config(data: dict[str, Any] | None = None, source: str = "config") -> ScoringConfig:
    """Validate a plain dict into a ScoringConfig, raising ConfigError that names the field."""
    try:
        return ScoringConfig.model_validate(data or {})
    except ValidationError as err:
        raise ConfigError(_format_validation(err, source)) from None


def read_yaml_mapping(path: str | Path, what: str = "config file") -> dict[str, Any]:
    """A YAML (or JSON) file whose top level is a mapping; ConfigError names the file."""
    p = Path(path)
    try:
        loaded = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {p}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{p}: invalid YAML: {e}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{p}: expected a mapping at the top level")
    return loaded


def load_config(path: str | Path | None, overrides: dict[str, Any] | None = None, *,
                base: Mapping[str, Any] | None = None) -> ScoringConfig:
    """Load a YAML/JSON scoring config (or start from `base` when no path is given);
    `overrides` (dotted keys allowed) win over it."""
    data: dict[str, Any] = copy.deepcopy(dict(base)) if base is not None and path is None else {}
    if path is not None:
        loaded = read_yaml_mapping(path)
        data = loaded.get("scoring", loaded) if isinstance(loaded.get("scoring"), dict) else loaded
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        node = data
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return build_config(data, str(path) if path else "config")
