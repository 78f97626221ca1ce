"""How a simulated seeker behaves: optional fields of a scenario, in the data's `seeker` object.

    {"id": "p1-s002", ..., "seeker": {"guarded": "high",
                                      "opens_up_if": "someone names the guilt without fixing it",
                                      "leaves_if": "he is told his mother surely understands"}}

`guarded` is `low`, `medium` or `high`; the two sentences are in the data author's own words.
Every field is optional; a scenario without them leaves the seeker to judge from the persona.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import DataError
from ..types import Sample

GUARDED = ("low", "medium", "high")
_GUARDED_TEXT = {
    "low": "You are fairly open: you say what is on your mind once you feel listened to.",
    "medium": "You are somewhat guarded: you share more only after a reply shows real understanding.",
    "high": "You are very guarded: short answers, deflection or humour, and you open up slowly, "
            "if at all.",
}
FIELD = "seeker"


@dataclass(frozen=True, slots=True)
class SeekerBehaviour:
    """Optional behaviour of a simulated seeker (None: not given)."""

    guarded: str | None = None
    opens_up_if: str | None = None
    leaves_if: str | None = None

    def describe(self) -> str:
        """The behaviour as plain sentences for the seeker prompt ('' when nothing is given)."""
        out = []
        if self.guarded:
            out.append(_GUARDED_TEXT[self.guarded])
        if self.opens_up_if:
            out.append(f"You open up when {self.opens_up_if.strip().rstrip('.')}.")
        if self.leaves_if:
            out.append(f"You would end the conversation if {self.leaves_if.strip().rstrip('.')}.")
        return " ".join(out)

    def to_dict(self) -> dict[str, str]:
        """The fields that are set, as in the data."""
        return {k: v for k, v in (("guarded", self.guarded), ("opens_up_if", self.opens_up_if),
                                  ("leaves_if", self.leaves_if)) if v}


def behaviour_of(sample: Sample) -> SeekerBehaviour:
    """The `seeker` object of a sample (DataError naming the field when it is malformed).

    >>> behaviour_of(Sample("p", "s", "q", extra={"seeker": {"guarded": "high"}})).guarded
    'high'
    """
    raw: Any = sample.extra.get(FIELD)
    where = {"path": None, "line": None}
    if raw is None:
        return SeekerBehaviour()
    if not isinstance(raw, Mapping):
        raise DataError(f"must be an object, got {type(raw).__name__} (sample {sample.id})",
                        field=FIELD, **where)
    unknown = sorted(set(raw) - {"guarded", "opens_up_if", "leaves_if"})
    if unknown:
        raise DataError(f"unknown key(s) {unknown} (sample {sample.id}); known: guarded, "
                        "opens_up_if, leaves_if", field=FIELD, **where)
    values: dict[str, str | None] = {}
    for key in ("guarded", "opens_up_if", "leaves_if"):
        v = raw.get(key)
        if v is not None and (not isinstance(v, str) or not v.strip()):
            raise DataError(f"must be a non-empty string (sample {sample.id})",
                            field=f"{FIELD}.{key}", **where)
        values[key] = v
    guarded = values["guarded"]
    if guarded is not None and guarded.strip().lower() not in GUARDED:
        raise DataError(f"must be one of {', '.join(GUARDED)}, got {guarded!r} (sample {sample.id})",
                        field=f"{FIELD}.guarded", **where)
    return SeekerBehaviour(guarded.strip().lower() if guarded else None, values["opens_up_if"],
                           values["leaves_if"])


def check_behaviours(samples: Sequence[Sample], *, path: str | None = None,
                     lines: Sequence[int] | None = None) -> list[DataError]:
    """Every malformed `seeker` object of `samples`, each located by file and line when known
    (checked before a run starts, so one bad scenario cannot stop it half-way)."""
    errors: list[DataError] = []
    for k, sample in enumerate(samples):
        try:
            behaviour_of(sample)
        except DataError as e:
            errors.append(DataError(e.reason, path=path, field=e.field,
                                    line=None if lines is None else lines[k]))
    return errors
