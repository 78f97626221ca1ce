"""Typed, validated settings of the multi-turn environment and of its episode reward."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..config import JudgeConfig, ScoringConfig, read_yaml_mapping
from ..errors import ConfigError

#: Why an episode ended (`Episode.end`).
EndReason = Literal["turns", "need_met", "left", "format", "safety", "seeker_error",
                    "policy_error", "length"]
#: Seeker signals that may end an episode before the turn limit.
EndSignal = Literal["need_met", "left"]


def _default_end_on() -> list[EndSignal]:
    return ["need_met", "left"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class EpisodeRewardConfig(_Strict):
    """How per-turn PERM rewards and the seeker's last report become one episode reward.

    reward = sum_t gamma^(t-1) r_t / sum_t gamma^(t-1)  +  final_coef * final  -  safety term.
    """

    gamma: float = Field(0.9, gt=0, le=1, description="Discount of later turns in the mean of "
                                                      "per-turn rewards (1: plain mean).")
    final_coef: float = Field(0.5, ge=0, description="Weight of the seeker's final report "
                                                     "(0-1) added to the turn mean; 0 turns it off.")
    final_source: Literal["need_met", "feeling", "mean"] = Field(
        "mean", description="need_met: yes 1 / partly 0.5 / no 0; feeling: feeling/10; mean: both.")
    missing: Literal["null", "skip"] = Field(
        "null", description="A turn or final report without a value: null makes the episode "
                            "reward null; skip leaves it out (listed in the explanation).")
    safety_penalty: float = Field(1.0, ge=0, description="Subtracted when a safety check "
                                                         "stopped the episode.")


#: Seeker defaults that differ from a judge's: a person varies more than a grader, and its key
#: may be another provider's.
SEEKER_DEFAULTS: dict[str, Any] = {"temperature": 0.7,
                                   "api_key_env": ["PERM_SEEKER_API_KEY", "OPENAI_API_KEY"]}


class EnvConfig(_Strict):
    """The simulated-seeker environment: turns, stops, the seeker, the PERM judge, the reward."""

    @model_validator(mode="before")
    @classmethod
    def _seeker_defaults(cls, data: Any) -> Any:
        seeker = data.get("seeker") if isinstance(data, Mapping) else None
        if isinstance(seeker, Mapping):
            data = {**data, "seeker": {**SEEKER_DEFAULTS, **seeker}}
        return data

    seeker: JudgeConfig = Field(..., description="Backend playing the seeker (fake, openai, "
                                                 "ollama, hf, vllm); its options as for a judge, "
                                                 "but temperature 0.7 and the key in "
                                                 "PERM_SEEKER_API_KEY or OPENAI_API_KEY by default.")
    turns: int = Field(3, ge=1, le=50, description="Policy turns at most per episode.")
    end_on: list[EndSignal] = Field(
        default_factory=_default_end_on,
        description="Seeker signals that end an episode early: need_met (its report says its "
                    "need was met), left (it leaves). [] runs every episode to the turn limit.")
    stop_on_format_error: bool = Field(
        True, description="End the episode when the policy's output breaks the # Analysis / "
                          "# Response format (the turn is scored by scoring.on_format_error).")
    scoring: ScoringConfig = Field(default_factory=lambda: ScoringConfig.model_validate({}),
                                   description="The PERM judge and per-turn reward settings.")
    reward: EpisodeRewardConfig = Field(default_factory=lambda: EpisodeRewardConfig.model_validate({}))


def _problems(err: ValidationError, source: str) -> str:
    return "\n".join(f"{source}: {'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
                     + (f" (got {e.get('input')!r})" if e.get("type") != "missing" else "")
                     for e in err.errors())


def build_env_config(data: Mapping[str, Any] | None, source: str = "env config") -> EnvConfig:
    """Validate a plain mapping into an EnvConfig (ConfigError naming the field)."""
    try:
        return EnvConfig.model_validate(dict(data or {}))
    except ValidationError as err:
        raise ConfigError(_problems(err, source)) from None


def load_env_config(path: str | Path) -> EnvConfig:
    """An EnvConfig from a YAML file; a top-level `env:` section is used when present."""
    data = read_yaml_mapping(path, "env config")
    section = data.get("env") if isinstance(data.get("env"), dict) else data
    return build_env_config(section, str(path))
