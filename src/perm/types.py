"""Plain data types shared by every layer (no I/O, no heavy imports)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

Dimension = Literal["resonation", "expression", "reception", "bystander"]
EMPATHY_DIMENSIONS: tuple[Dimension, ...] = ("resonation", "expression", "reception")
DIMENSIONS: tuple[Dimension, ...] = (*EMPATHY_DIMENSIONS, "bystander")
# What each dimension's judge sees, its scale and answer format: `perm.perspectives`.

Message = dict[str, str]  # {"role": ..., "content": ...}
#: How a sample's scoring ended (`ScoreResult.outcome`).
Outcome = Literal["scored", "partial", "failed", "format_error"]


@dataclass(frozen=True, slots=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class Sample:
    """One seeker situation, optionally with the model output to judge."""

    persona: str
    scenario: str
    query: str
    id: str | None = None
    hidden_intention: str | None = None
    history: tuple[Turn, ...] = ()
    completion: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class ParsedCompletion:
    """A policy output split into its `# Analysis` and `# Response` sections."""

    analysis: str
    response: str
    format_ok: bool
    problem: str | None = None  # why the format did not hold


@dataclass(frozen=True, slots=True)
class DimensionRequest:
    """Everything one perspective's judge may see for one sample."""

    dimension: Dimension
    sample: Sample
    analysis: str
    response: str


class ScoredRecord(TypedDict):
    """`ScoreResult.to_dict()`: the scored-output contract as JSON, in its key order."""

    id: str | None
    reward: float | None
    empathy: float | None
    scores: dict[str, float | None]
    terms: dict[str, float | None]
    format_ok: bool
    failures: dict[str, str]
    outcome: Outcome
    imputed: list[str]
    tokens: int
    judge: str
    rubric_version: str


@dataclass(slots=True)
class ScoreResult:
    """The scored-output contract (one per input sample); see `to_dict`."""

    id: str | None
    reward: float | None
    empathy: float | None
    scores: dict[str, float | None]
    terms: dict[str, float | None]
    format_ok: bool
    failures: dict[str, str]
    judge: str
    rubric_version: str
    tokens: int = 0
    imputed: list[str] = field(default_factory=list)
    outcome: Outcome = "scored"

    def to_dict(self) -> ScoredRecord:
        return {
            "id": self.id,
            "reward": self.reward,
            "empathy": self.empathy,
            "scores": dict(self.scores),
            "terms": dict(self.terms),
            "format_ok": self.format_ok,
            "failures": dict(self.failures),
            "outcome": self.outcome,
            "imputed": list(self.imputed),
            "tokens": self.tokens,
            "judge": self.judge,
            "rubric_version": self.rubric_version,
        }
