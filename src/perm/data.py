"""Load samples from JSONL per the data contract, reporting every bad line precisely.

Contract: one JSON object per line with string `persona`, `scenario`, `query`; optional `id`,
`hidden_intention`, `history` (list of {role: user|assistant, content}) and `completion`.
The reference's training shape (`persona.identity`, `scenario`, `dialogue[0]`) is accepted too.
A line without `id` gets `line<N>` (its line number); give ids to keep resume stable when a
file is edited. Blank lines are skipped (they are not records).
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataError, DataErrors
from .types import Sample, Turn

_KNOWN = {"id", "persona", "scenario", "query", "hidden_intention", "history", "completion"}


@dataclass
class LoadedData:
    samples: list[Sample]
    lines: list[int]  # line number of each sample
    errors: list[DataError] = field(default_factory=list)


def _text(obj: Mapping[str, Any], key: str, where: dict[str, Any], required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise DataError("missing required field", field=key, **where)
        return None
    if not isinstance(value, str):
        raise DataError(f"must be a string, got {type(value).__name__}", field=key, **where)
    if required and not value.strip():
        raise DataError("must not be empty", field=key, **where)
    return value


def _reference_shape(obj: dict[str, Any], where: dict[str, Any]) -> dict[str, Any]:
    """Map {persona: {identity}, scenario, dialogue: [...]} onto the contract."""
    out = dict(obj)
    persona = obj.get("persona")
    if isinstance(persona, Mapping):
        identity = persona.get("identity")
        if not isinstance(identity, str):
            raise DataError("reference-format persona needs a string 'identity'",
                            field="persona.identity", **where)
        out["persona"] = identity
    if "query" not in obj and "dialogue" in obj:
        dialogue = obj["dialogue"]
        if not isinstance(dialogue, list) or not dialogue:
            raise DataError("must be a non-empty list", field="dialogue", **where)
        first = dialogue[0]
        if isinstance(first, Mapping):
            first = next((first[k] for k in ("content", "text", "utterance") if k in first), None)
        if not isinstance(first, str):
            raise DataError("first turn must be a string or {content: string}",
                            field="dialogue[0]", **where)
        out["query"] = first
    return out


def _history(value: Any, where: dict[str, Any]) -> tuple[Turn, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise DataError(f"must be a list of turns, got {type(value).__name__}", field="history", **where)
    turns = []
    for k, turn in enumerate(value):
        fld = f"history[{k}]"
        if not isinstance(turn, Mapping):
            raise DataError("must be an object {role, content}", field=fld, **where)
        role, content = turn.get("role"), turn.get("content")
        if role not in ("user", "assistant"):
            raise DataError(f"role must be 'user' or 'assistant', got {role!r}", field=f"{fld}.role", **where)
        if not isinstance(content, str):
            raise DataError("content must be a string", field=f"{fld}.content", **where)
        turns.append(Turn(role, content))
    return tuple(turns)


def parse_record(obj: Any, *, path: str | None = None, line: int | None = None) -> Sample:
    """Validate one decoded record into a Sample (DataError names the field)."""
    where: dict[str, Any] = {"path": path, "line": line}
    if not isinstance(obj, dict):
        raise DataError(f"expected a JSON object, got {type(obj).__name__}", **where)
    obj = _reference_shape(obj, where)
    raw_id = obj.get("id")
    if raw_id is not None and not isinstance(raw_id, (str, int)):
        raise DataError("must be a string or integer", field="id", **where)
    sample_id = str(raw_id) if raw_id is not None else (f"line{line}" if line is not None else None)
    extra = {k: v for k, v in obj.items() if k not in _KNOWN}
    return Sample(
        persona=_text(obj, "persona", where) or "",
        scenario=_text(obj, "scenario", where) or "",
        query=_text(obj, "query", where) or "",
        id=sample_id,
        hidden_intention=_text(obj, "hidden_intention", where, required=False),
        history=_history(obj.get("history"), where),
        completion=_text(obj, "completion", where, required=False),
        extra=extra,
    )


def iter_records(path: str | Path) -> Iterator[tuple[int, Any | DataError]]:
    p = Path(path)
    try:
        fh = p.open(encoding="utf-8")
    except FileNotFoundError:
        raise DataError("file not found", path=str(p)) from None
    with fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as e:
                yield n, DataError(f"invalid JSON: {e.msg} (column {e.colno})", path=str(p), line=n)


def load_samples(path: str | Path, *, require_completion: bool = False,
                 skip_invalid: bool = False) -> LoadedData:
    """Load and validate a JSONL file. Raises DataErrors listing every bad line unless
    `skip_invalid`, in which case bad lines are returned in `errors` and the rest loaded."""
    p = str(path)
    out = LoadedData([], [])
    seen: dict[str, int] = {}
    for n, rec in iter_records(path):
        try:
            if isinstance(rec, DataError):
                raise rec
            sample = parse_record(rec, path=p, line=n)
            if require_completion and sample.completion is None:
                raise DataError("missing required field (needed for scoring)", field="completion",
                                path=p, line=n)
            if sample.id in seen:
                raise DataError(f"duplicate id {sample.id!r} (first on line {seen[sample.id]})",
                                field="id", path=p, line=n)
            seen[sample.id or ""] = n
            out.samples.append(sample)
            out.lines.append(n)
        except DataError as e:
            out.errors.append(e)
    if out.errors and not skip_invalid:
        raise DataErrors(out.errors)
    return out


def sample_to_dict(sample: Sample) -> dict[str, Any]:
    """Inverse of `parse_record` (contract shape)."""
    d: dict[str, Any] = {"id": sample.id, "persona": sample.persona, "scenario": sample.scenario,
                         "query": sample.query}
    if sample.hidden_intention is not None:
        d["hidden_intention"] = sample.hidden_intention
    if sample.history:
        d["history"] = [{"role": t.role, "content": t.content} for t in sample.history]
    if sample.completion is not None:
        d["completion"] = sample.completion
    d.update(sample.extra)
    return d
