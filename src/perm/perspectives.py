"""The PERM perspectives as data, and the judge prompt of each, rendered from the versioned
rubrics (package data).

`rubrics/<version>/manifest.json` is the one table of the perspectives: for each dimension who
judges it (supporter, seeker or bystander), which section of the policy output they see,
whether they see the seeker's hidden intention, the score scale, the answer format and any
sub-score criteria. Everything else (the parsers, the range check of `perm.scoring`, the fake
judge, the embedded scorer) reads it from here. The dimension names themselves stay the static
`perm.types.Dimension`; the table must list exactly those.

Message layout (chosen so servers with prefix caching reuse work across calls):
  system: the dimension's rubric + the data guard        (identical for every sample)
  user:   delimited context, the judged text, the answer format
The judged material sits between `<<<BEGIN X>>>` / `<<<END X>>>` markers; marker look-alikes in
the data are defused so a response cannot close its block and talk to the judge.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from .types import DIMENSIONS, Dimension, DimensionRequest, Message, Sample

RUBRIC_VERSION = "v1"


@dataclass(frozen=True, slots=True)
class Perspective:
    """One row of the perspective table: how one dimension is judged."""

    dimension: Dimension
    role: Literal["supporter", "seeker", "bystander"]  # whose view the judge takes
    rubric: str  # rubric file: the system prompt
    sees: Literal["analysis", "response"]  # the section of the policy output judged
    what: str  # how the prompt names the judged text
    label: str  # the delimiter label around it
    hidden_intention: bool  # whether the judge is told the seeker's unspoken need
    scale: tuple[float, float]  # inclusive score range
    output: str  # answer-format file
    criteria: tuple[str, ...] = ()  # sub-scores whose sum is the score
    criterion_scale: tuple[float, float] | None = None  # inclusive range of each sub-score


@cache
def rubric_text(name: str, version: str = RUBRIC_VERSION) -> str:
    """The text of one rubric file (e.g. 'resonation', 'guard', 'output_single')."""
    path = resources.files("perm") / "rubrics" / version / f"{name}.md"
    return path.read_text(encoding="utf-8").strip()


@cache
def manifest(version: str = RUBRIC_VERSION) -> dict[str, Any]:
    """The table of a rubric version (`rubrics/<version>/manifest.json`), as stored."""
    path = resources.files("perm") / "rubrics" / version / "manifest.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _pair(value: Any) -> tuple[float, float]:
    lo, hi = value
    return float(lo), float(hi)


@cache
def perspectives(version: str = RUBRIC_VERSION) -> dict[Dimension, Perspective]:
    """Every dimension's perspective in a rubric version, in `perm.types.DIMENSIONS` order."""
    rows = manifest(version)["perspectives"]
    if tuple(rows) != DIMENSIONS:  # the static type and the data must agree
        raise ValueError(f"rubrics/{version}/manifest.json lists {list(rows)}; "
                         f"perm.types.Dimension is {list(DIMENSIONS)}")
    table = {dim: Perspective(
        dimension=dim, role=row["role"], rubric=row["rubric"], sees=row["sees"], what=row["what"],
        label=row["label"], hidden_intention=bool(row["hidden_intention"]), scale=_pair(row["scale"]),
        output=row["output"], criteria=tuple(row.get("criteria", ())),
        criterion_scale=_pair(row["criterion_scale"]) if "criterion_scale" in row else None)
        for dim, row in ((d, rows[d]) for d in DIMENSIONS)}
    for p in table.values():
        if p.criteria and p.criterion_scale is None:
            raise ValueError(f"rubrics/{version}/manifest.json: {p.dimension} has criteria "
                             "but no criterion_scale")
    return table


#: The perspectives of the current rubric version.
PERSPECTIVES = perspectives()
#: Inclusive score range of each dimension (from the table).
SCORE_RANGE: dict[str, tuple[float, float]] = {d: p.scale for d, p in PERSPECTIVES.items()}


def _defuse(text: str) -> str:
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def delimited(label: str, text: str) -> str:
    """`text` between `<<<BEGIN label>>>` / `<<<END label>>>`, with marker look-alikes defused."""
    return f"<<<BEGIN {label}>>>\n{_defuse(text.strip())}\n<<<END {label}>>>"


def render_context(sample: Sample, *, seeker_view: bool = False) -> str:
    """Persona, scenario, earlier turns and the query; the hidden intention for the seeker."""
    parts = [delimited("PERSONA", sample.persona), delimited("SCENARIO", sample.scenario)]
    if seeker_view and sample.hidden_intention:
        parts.append("What you (the seeker) were really hoping for, though you did not say it:\n"
                     + delimited("UNSPOKEN NEED", sample.hidden_intention))
    if sample.history:
        turns = "\n\n".join(f"[{'seeker' if t.role == 'user' else 'supporter'}] {t.content.strip()}"
                            for t in sample.history)
        parts.append("Earlier in the conversation:\n" + delimited("EARLIER TURNS", turns))
    parts.append("The seeker's latest message:\n" + delimited("SEEKER MESSAGE", sample.query))
    return "\n\n".join(parts)


def system_prompt(rubric: str, version: str = RUBRIC_VERSION) -> str:
    """A rubric followed by the data guard: the system message of a judge prompt."""
    return f"{rubric_text(rubric, version)}\n\n{rubric_text(manifest(version)['guard'], version)}"


def render_messages(req: DimensionRequest, version: str = RUBRIC_VERSION) -> list[Message]:
    """The chat messages a judge receives for one dimension of one sample."""
    p = perspectives(version)[req.dimension]
    text = req.analysis if p.sees == "analysis" else req.response
    user = (f"{render_context(req.sample, seeker_view=p.hidden_intention)}\n\n"
            f"Now evaluate {p.what}:\n{delimited(p.label, text or '(empty)')}\n\n"
            f"{rubric_text(p.output, version)}")
    return [{"role": "system", "content": system_prompt(p.rubric, version)},
            {"role": "user", "content": user}]


def fused_system_prompt(version: str = RUBRIC_VERSION) -> str:
    """The system message of the fused prompt: every perspective's rubric, then the guard."""
    rubrics = "\n\n".join(f"## Perspective: {d.upper()}\n{rubric_text(p.rubric, version)}"
                          for d, p in perspectives(version).items())
    return (f"You will rate one supporter turn from four perspectives.\n\n{rubrics}\n\n"
            f"RESONATION judges only the analysis; the other three judge only the reply.\n\n"
            f"{rubric_text(manifest(version)['guard'], version)}")


def render_fused(sample: Sample, analysis: str, response: str,
                 version: str = RUBRIC_VERSION) -> list[Message]:
    """One prompt asking for all four perspectives at once (the optional `fused` mode)."""
    fused = manifest(version)["fused"]
    user = (f"{render_context(sample, seeker_view=fused['hidden_intention'])}\n\n"
            f"The supporter's private analysis:\n{delimited('ANALYSIS', analysis or '(empty)')}\n\n"
            f"The supporter's reply:\n{delimited('RESPONSE', response or '(empty)')}\n\n"
            f"{rubric_text(fused['output'], version)}")
    return [{"role": "system", "content": fused_system_prompt(version)},
            {"role": "user", "content": user}]
