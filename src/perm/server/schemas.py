"""Request and response bodies of the reward server (they make up its OpenAPI spec)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    # No lax coercion (false -> 0 -> "0"): what the spec says is what is accepted.
    model_config = ConfigDict(strict=True)


class TurnIn(_Strict):
    role: Literal["user", "assistant"]
    content: str


NONBLANK = r"\S"  # at least one non-space character (the data contract refuses blank text)


class ContextIn(_Strict):
    """The seeker's situation, per the data contract."""

    model_config = ConfigDict(extra="allow", strict=True)  # extra keys travel along, as in JSONL files

    persona: str = Field(pattern=NONBLANK, description="Who the seeker is.")
    scenario: str = Field(pattern=NONBLANK, description="What has happened.")
    query: str = Field(pattern=NONBLANK, description="The seeker's message being answered.")
    id: str | int | None = None
    hidden_intention: str | None = Field(None, description="What the seeker wants but does not say.")
    history: list[TurnIn] | None = Field(None, description="Earlier turns before the query.")


class SampleIn(ContextIn):
    """One sample per the data contract, with the completion to judge."""

    completion: str = Field(description="The policy output to judge (# Analysis, # Response).")


class ScoreRequest(_Strict):
    samples: list[SampleIn]


class ScoreOut(BaseModel):
    """The scored-output contract (see `perm.types.ScoreResult.to_dict`)."""

    id: str | None
    reward: float | None
    empathy: float | None
    scores: dict[str, float | None]
    terms: dict[str, float | None]
    format_ok: bool
    failures: dict[str, str]
    outcome: Literal["scored", "partial", "failed", "format_error"]
    imputed: list[str]
    tokens: int
    judge: str
    rubric_version: str


class ScoreResponse(BaseModel):
    results: list[ScoreOut]


class RewardRequest(_Strict):
    """OpenRLHF's remote reward model request."""

    query: list[str] = Field(description="Prompt + response text as OpenRLHF decodes it.")
    prompts: list[str] | None = Field(None, description="The prompts; used to cut the response out.")
    labels: list[str | ContextIn] = Field(
        description="Per sample (as many as `query`): persona, scenario, query (and optional id, "
                    "hidden_intention, history) as JSON text, or as an object.")


class RewardResponse(BaseModel):
    rewards: list[float]
    scores: list[float]
    extra_logs: dict[str, list[float]]


class Health(BaseModel):
    status: Literal["ok"]
    judge: str
    rubric_version: str
    pending_samples: int


class Problem(BaseModel):
    detail: Any
