"""Render the judge prompt of each PERM perspective from the versioned rubrics (package data).

Message layout (chosen so servers with prefix caching reuse work across calls):
  system: the dimension's rubric + the data guard        (identical for every sample)
  user:   delimited context, the judged text, the answer format
The judged material sits between `<<<BEGIN X>>>` / `<<<END X>>>` markers; marker look-alikes in
the data are defused so a response cannot close its block and talk to the judge.
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources

from .types import EMPATHY_DIMENSIONS, DimensionRequest, Message, Sample

RUBRIC_VERSION = "v1"
_WHAT = {
    "resonation": ("the supporter's private analysis, written before replying", "ANALYSIS"),
    "expression": ("the supporter's reply", "RESPONSE"),
    "reception": ("the reply you received", "RESPONSE"),
    "bystander": ("the supporter's reply", "RESPONSE"),
}


@cache
def rubric_text(name: str, version: str = RUBRIC_VERSION) -> str:
    """The text of one rubric file (e.g. 'resonation', 'guard', 'output_single')."""
    path = resources.files("perm") / "rubrics" / version / f"{name}.md"
    return path.read_text(encoding="utf-8").strip()


def _defuse(text: str) -> str:
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def delimited(label: str, text: str) -> str:
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


def render_messages(req: DimensionRequest, version: str = RUBRIC_VERSION) -> list[Message]:
    """The chat messages a judge receives for one dimension of one sample."""
    dim = req.dimension
    system = f"{rubric_text(dim, version)}\n\n{rubric_text('guard', version)}"
    what, label = _WHAT[dim]
    text = req.analysis if dim == "resonation" else req.response
    fmt = rubric_text("output_bystander" if dim == "bystander" else "output_single", version)
    user = (f"{render_context(req.sample, seeker_view=dim == 'reception')}\n\n"
            f"Now evaluate {what}:\n{delimited(label, text or '(empty)')}\n\n{fmt}")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def render_fused(sample: Sample, analysis: str, response: str,
                 version: str = RUBRIC_VERSION) -> list[Message]:
    """One prompt asking for all four perspectives at once (the optional `fused` mode)."""
    rubrics = "\n\n".join(f"## Perspective: {d.upper()}\n{rubric_text(d, version)}"
                          for d in (*EMPATHY_DIMENSIONS, "bystander"))
    system = (f"You will rate one supporter turn from four perspectives.\n\n{rubrics}\n\n"
              f"RESONATION judges only the analysis; the other three judge only the reply.\n\n"
              f"{rubric_text('guard', version)}")
    user = (f"{render_context(sample, seeker_view=True)}\n\n"
            f"The supporter's private analysis:\n{delimited('ANALYSIS', analysis or '(empty)')}\n\n"
            f"The supporter's reply:\n{delimited('RESPONSE', response or '(empty)')}\n\n"
            f"{rubric_text('output_fused', version)}")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def messages_fingerprint(messages: list[Message]) -> str:
    return json.dumps(messages, ensure_ascii=False, sort_keys=True)
