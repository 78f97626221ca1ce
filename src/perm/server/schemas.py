"""Request and response bodies of the reward server (they make up its OpenAPI spec)."""
from __future__ import annotations

from dataclasses import fields
from typing import Any, Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..types import ScoreResult


class _Strict(BaseModel):
    # No lax coercion (false -> 0 -> "0"): what the spec says is what is accepted.
    model_config = ConfigDict(strict=True)


class TurnIn(_Strict):
    role: Literal["user", "assistant"]
    content: str


# At least one character that is not whitespace by Python's rules (what the data contract
# strips) nor by ECMAScript's (what OpenAPI clients read the pattern with): `\S` alone let
# "\x85" pass a client's check and then fail ours.
NONBLANK = r"[^\s\x1c-\x1f\x85\ufeff]"


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


_RESULT_TYPES = get_type_hints(ScoreResult)


# Derived field by field from ScoreResult, so the two cannot drift; every field is required,
# as `ScoreResult.to_dict` always writes it.
class ScoreOut(create_model("ScoreOutFields", **{  # type: ignore[misc]  # mypy cannot follow a base built at run time
        f.name: (_RESULT_TYPES[f.name], ...) for f in fields(ScoreResult)})):
    """The scored-output contract (see `perm.types.ScoreResult.to_dict`)."""


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
    # NaN marks what nobody scored: Python's json and OpenRLHF read it as a float (a JSON
    # Schema cannot state NaN; tests/server/test_server_fuzz.py validates this body with pydantic).
    extra_logs: dict[str, list[float]] = Field(
        description="Per-sample logs by name; NaN where a dimension was not scored (Python's "
                    "json reads it; strict JSON parsers need NaN support).")


class Health(BaseModel):
    status: Literal["ok"]
    judge: str
    rubric_version: str
    pending_samples: int


class Problem(BaseModel):
    detail: Any
