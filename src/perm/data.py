"""Load samples from JSONL per the data contract, reporting every bad line precisely.

Contract: one JSON object per line with string `persona`, `scenario`, `query`; optional `id`,
`hidden_intention`, `history` (list of {role: user|assistant, content}) and `completion`.
The reference's training shape (`persona.identity`, `scenario`, `dialogue[0]`) is accepted too.
A line without `id` gets `line<N>` (its line number); give ids to keep resume stable when a
file is edited. Blank lines are skipped (they are not records). Other fields ride along in
`Sample.extra`; `merge_extras` adds them to a scored record without touching its result fields.

Hostile input costs only its own line, as a DataError naming file, line (and field or byte
offset), never a traceback: the file must be UTF-8 (a UTF-8 byte-order mark is ignored; a
UTF-16/32 file is refused as a whole, naming its encoding); a line may hold at most
`max_line_bytes` bytes (default `MAX_LINE_BYTES`, 1 MiB; read in bounded chunks, so an
oversized line costs no memory); JSON nested too deep, NaN/Infinity and numbers too long to
read are bad records. Lone surrogates (`"\\ud800"`, legal JSON but not encodable as UTF-8) are
repaired by the rule in `perm.text` and listed in `LoadedData.warnings`.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NoReturn, TypedDict

from .errors import ConfigError, DataError, DataErrors
from .text import has_lone_surrogate, replace_lone_surrogates
from .types import Sample, ScoreResult, Turn

_KNOWN = {"id", "persona", "scenario", "query", "hidden_intention", "history", "completion"}
#: Default cap on one input line, in bytes (a 1,024-token completion is about 5 KB).
MAX_LINE_BYTES = 1 << 20
#: Deepest nesting of lists/objects a record may have (real records nest two or three levels).
MAX_DEPTH = 100
_UTF8_BOM = b"\xef\xbb\xbf"
# Longest first: a UTF-32 LE mark starts with the UTF-16 LE one.
_WIDE_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"), (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
              (b"\xfe\xff", "UTF-16 (big-endian)"), (b"\xff\xfe", "UTF-16 (little-endian)"))
_DRAIN = 1 << 16  # chunk size for reading through an oversized line
#: Keys of the scored-output contract; input extras never overwrite them.
RESULT_FIELDS = frozenset(ScoreResult(None, None, None, {}, {}, False, {}, "", "").to_dict())


class _Where(TypedDict):
    """Where a record came from, as DataError takes it."""

    path: str | None
    line: int | None


@dataclass
class LoadedData:
    samples: list[Sample]
    lines: list[int]  # line number of each sample
    errors: list[DataError] = field(default_factory=list)
    #: Lines loaded after a documented repair (lone surrogates replaced), by file, line, field.
    warnings: list[DataError] = field(default_factory=list)


def _preview(value: Any) -> str:
    """A short repr for an error message (never a user's whole text)."""
    r = repr(value)
    return r if len(r) <= 40 else r[:37] + "..."


def _text(obj: Mapping[str, Any], key: str, where: _Where, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise DataError("null; a string is needed" if key in obj else "missing required field",
                            field=key, **where)
        return None
    if not isinstance(value, str):
        raise DataError(f"must be a string, got {type(value).__name__}", field=key, **where)
    if required and not value.strip():
        raise DataError("must not be empty", field=key, **where)
    return value


def _reference_shape(obj: dict[str, Any], where: _Where) -> dict[str, Any]:
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


def _history(value: Any, where: _Where) -> tuple[Turn, ...]:
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
            raise DataError(f"role must be 'user' or 'assistant', got {_preview(role)}",
                            field=f"{fld}.role", **where)
        if not isinstance(content, str):
            raise DataError("content must be a string", field=f"{fld}.content", **where)
        turns.append(Turn(role, content))
    return tuple(turns)


def _repaired(value: Any, fld: str, top: str, depth: int, where: _Where,
              fixed: list[str]) -> Any:
    """`value` with every string (keys too) repaired; `fixed` collects the fields repaired.
    Deeper nesting than MAX_DEPTH is a bad record: it would break the writers downstream."""
    if isinstance(value, str):
        if has_lone_surrogate(value):
            fixed.append(fld)
            return replace_lone_surrogates(value)
        return value
    if not isinstance(value, (dict, list)):
        return value
    if depth >= MAX_DEPTH:
        raise DataError(f"nested more than {MAX_DEPTH} levels deep", field=top or None, **where)
    if isinstance(value, list):
        return [_repaired(v, f"{fld}[{k}]", top, depth + 1, where, fixed) for k, v in enumerate(value)]
    out = {}
    for k, v in value.items():
        key = replace_lone_surrogates(k) if isinstance(k, str) else k
        sub = f"{fld}.{key}" if fld else str(key)
        out[key] = _repaired(v, sub, top or str(key), depth + 1, where, fixed)
    return out


def parse_record(obj: Any, *, path: str | None = None, line: int | None = None,
                 warnings: list[DataError] | None = None) -> Sample:
    """Validate one decoded record into a Sample (DataError names the field).

    Lone surrogates in any string are replaced by U+FFFD (`perm.text`); each repaired field is
    appended to `warnings` when given, once the record has passed validation."""
    where: _Where = {"path": path, "line": line}
    if not isinstance(obj, dict):
        raise DataError(f"expected a JSON object, got {type(obj).__name__}", **where)
    fixed: list[str] = []
    obj = _repaired(obj, "", "", 0, where, fixed)
    obj = _reference_shape(obj, where)
    raw_id = obj.get("id")
    # bool is an int to Python, but `true` as an id is a mistake, not the id "True"
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, (str, int))):
        raise DataError(f"must be a string or integer, got {_json_type(raw_id)}", field="id", **where)
    sample_id = str(raw_id) if raw_id is not None else (f"line{line}" if line is not None else None)
    extra = {k: v for k, v in obj.items() if k not in _KNOWN}
    sample = Sample(
        persona=_text(obj, "persona", where) or "",
        scenario=_text(obj, "scenario", where) or "",
        query=_text(obj, "query", where) or "",
        id=sample_id,
        hidden_intention=_text(obj, "hidden_intention", where, required=False),
        history=_history(obj.get("history"), where),
        completion=_text(obj, "completion", where, required=False),
        extra=extra,
    )
    if warnings is not None:
        warnings.extend(DataError("lone surrogate (not encodable as UTF-8) replaced by U+FFFD",
                                  field=f, **where) for f in fixed)
    return sample


def _json_type(value: Any) -> str:
    """The JSON name of a decoded value's type, as a user wrote it."""
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
             dict: "object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _check_limit(max_line_bytes: int | None) -> None:
    if max_line_bytes is not None and (isinstance(max_line_bytes, bool)
                                       or not isinstance(max_line_bytes, int) or max_line_bytes <= 0):
        raise ConfigError(f"max_line_bytes must be a positive integer or None (no cap), "
                          f"got {max_line_bytes!r}")


def _raw_lines(fh: BinaryIO, limit: int | None) -> Iterator[tuple[int, int, bytes | int]]:
    """(line number, file offset, bytes without the newline) per line. A line over `limit`
    yields its size instead, read through in bounded chunks so it never sits in memory."""
    n = offset = 0
    while True:
        raw = fh.readline(limit + 1) if limit else fh.readline()
        if not raw:
            return
        n, start = n + 1, offset
        offset += len(raw)
        body = raw[:-1] if raw.endswith(b"\n") else raw
        if limit is None or len(body) <= limit:
            yield n, start, body
            continue
        while not raw.endswith(b"\n"):
            raw = fh.readline(_DRAIN)
            if not raw:
                break
            offset += len(raw)
        yield n, start, offset - start - (1 if raw.endswith(b"\n") else 0)


class _NonStandard(ValueError):
    """NaN / Infinity: Python's json reads them, no other JSON reader (or writer) does."""


def _reject_constant(name: str) -> NoReturn:
    raise _NonStandard(name)


def _decode(body: bytes, start: int, where: _Where) -> Any | DataError | None:
    """One line's bytes -> its JSON value, a DataError, or None for a blank line."""
    skip = 0
    if body.startswith(_UTF8_BOM):  # line 1, or any line of BOM-marked files joined by `cat`
        body, skip = body[3:], 3
    if not body.strip():
        return None
    nul = body.find(b"\x00")
    if nul >= 0:  # never in JSON text; the mark of UTF-16/32 without a byte-order mark
        return DataError(f"NUL byte at byte {nul + skip} of the line (file offset {start + skip + nul}): "
                         "not UTF-8 JSON text (UTF-16 or UTF-32 without a byte-order mark?); "
                         "convert the file to UTF-8", **where)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        at = e.start + skip
        return DataError(f"not valid UTF-8: byte 0x{body[e.start]:02x} at byte {at} of the line "
                         f"(file offset {start + at}); the file must be UTF-8 (convert it, e.g. "
                         "`iconv -f <its encoding> -t UTF-8`)", **where)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        return DataError(f"invalid JSON: {e.msg} (column {e.colno})", **where)
    except RecursionError:
        return DataError("invalid JSON: nested too deeply to read", **where)
    except _NonStandard as e:
        return DataError(f"invalid JSON: {e} is not a JSON value (use null or a string)", **where)
    except ValueError as e:  # Python caps integers at 4,300 digits
        why = "a number has too many digits" if "digits" in str(e) else str(e)
        return DataError(f"invalid JSON: {why}", **where)


def iter_records(path: str | Path, *, max_line_bytes: int | None = MAX_LINE_BYTES,
                 ) -> Iterator[tuple[int, Any | DataError]]:
    """(line number, decoded JSON value or the DataError of that line) for each non-blank line.

    Problems of the whole file (missing, unreadable, UTF-16/32) raise DataError; problems of one
    line are yielded in its place. `max_line_bytes=None` lifts the line cap."""
    _check_limit(max_line_bytes)
    p = Path(path)
    try:
        fh = p.open("rb")
    except FileNotFoundError:
        raise DataError("file not found", path=str(p)) from None
    except OSError as e:
        raise DataError(f"cannot read: {e.strerror or e}", path=str(p)) from None
    with fh:
        try:
            head = fh.peek(4)[:4]
        except OSError as e:  # e.g. a directory
            raise DataError(f"cannot read: {e.strerror or e}", path=str(p)) from None
        for bom, name in _WIDE_BOMS:
            if head.startswith(bom):
                raise DataError(f"the file is {name} (byte-order mark {bom.hex(' ').upper()}); perm "
                                "reads UTF-8 only: convert it, e.g. `iconv -f UTF-16 -t UTF-8 "
                                "in.jsonl > in-utf8.jsonl` (UTF-32: `-f UTF-32`)", path=str(p))
        for n, start, body in _raw_lines(fh, max_line_bytes):
            where: _Where = {"path": str(p), "line": n}
            if isinstance(body, int):
                yield n, DataError(f"line is {body:,} bytes, over the {max_line_bytes:,}-byte limit "
                                   "(max_line_bytes)", **where)
                continue
            rec = _decode(body, start, where)
            if rec is not None:
                yield n, rec


def load_samples(path: str | Path, *, require_completion: bool = False,
                 skip_invalid: bool = False, max_line_bytes: int | None = MAX_LINE_BYTES,
                 ) -> LoadedData:
    """Load and validate a JSONL file. Raises DataErrors listing every bad line unless
    `skip_invalid`, in which case bad lines are returned in `errors` and the rest loaded.
    A line longer than `max_line_bytes` bytes is a bad line (None: no cap)."""
    p = str(path)
    out = LoadedData([], [])
    seen: dict[str, int] = {}
    for n, rec in iter_records(path, max_line_bytes=max_line_bytes):
        try:
            if isinstance(rec, DataError):
                raise rec
            notes: list[DataError] = []
            sample = parse_record(rec, path=p, line=n, warnings=notes)
            if require_completion and sample.completion is None:
                why = ("null; a completion string is needed for scoring" if "completion" in rec
                       else "missing required field (needed for scoring)")
                raise DataError(why, field="completion", path=p, line=n)
            if sample.id in seen:
                raise DataError(f"duplicate id {sample.id!r} (first on line {seen[sample.id]})",
                                field="id", path=p, line=n)
            seen[sample.id or ""] = n
            out.samples.append(sample)
            out.lines.append(n)
            out.warnings.extend(notes)
        except DataError as e:
            out.errors.append(e)
    if out.errors and not skip_invalid:
        raise DataErrors(out.errors)
    return out


def merge_extras(scored: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """A scored record with the input's extra fields added after it (README: "carried along").

    Result fields win: an extra named like a key of `scored` or of the scored-output contract
    (`RESULT_FIELDS`, e.g. `reward` from re-scoring a scored file) is left out, so an input can
    never pass for a result."""
    out = dict(scored)
    for k, v in extra.items():
        if k not in out and k not in RESULT_FIELDS:
            out[k] = v
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
