"""Judge text -> scores. Pure functions, no I/O.

The judge is asked to end with `Score: N` (1-5 dimensions) or one `Name: N` line per sub-score
criterion plus `Total: N` (the bystander); scales and criteria come from `perm.perspectives`. Real judges decorate this (`**Score:** 4`, `Score: [4]`, `4/5`,
`4.5`), quote the judged text (which may itself contain "Score: 5") or wander off format, so:

- the LAST score line counts (justification comes first and may quote other scores);
- two different scores among the closing lines are ambiguous -> failure;
- a value outside the dimension's range, or on a foreign scale (`8/10`), is a failure;
- a bare number as the whole answer is accepted; anything else without a score is a failure.
Every failure carries a short reason that ends up in the output's `failures`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .perspectives import PERSPECTIVES, SCORE_RANGE, Perspective
from .types import EMPATHY_DIMENSIONS, Dimension

#: The sub-score criteria of the perspectives that have them (the bystander's five).
_CRITERIA = tuple(c for p in PERSPECTIVES.values() for c in p.criteria)
_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NUM = r"(\d{1,3}(?:\.\d+)?|zero|one|two|three|four|five)"
_LEAD = r"[ \t*_`#>\-]*"  # list bullets, headings and emphasis before a label
_SP = r"[ \t*_`]*"  # emphasis/space inside a line (never a newline or a minus sign)
# "Score: 4", "**Score:** 4", "Final score = [4/5]", "Rating - 4 out of 5", "score is 4"
_SCORE_LINE = re.compile(
    rf"(?:final\s+|overall\s+)?(?:score|rating){_SP}(?::|=|-|\bis\b){_SP}\[*{_SP}{_NUM}{_SP}"
    rf"(?:(?:/|out\s+of)\s*(\d{{1,3}}))?{_SP}\]*",
    re.IGNORECASE,
)
_BARE = re.compile(rf"^{_LEAD}\[*{_NUM}(?:\s*/\s*(\d{{1,3}}))?\]*{_SP}\.?$", re.IGNORECASE)
_CRITERION = re.compile(
    rf"^{_LEAD}({'|'.join(_CRITERIA)}|total){_SP}(?::|=|-){_SP}\[*{_NUM}"
    rf"{_SP}(?:(?:/|out\s+of)\s*(\d{{1,3}}))?",
    re.IGNORECASE | re.MULTILINE,
)
_TAIL_LINES = 3  # how many closing non-empty lines count as "the verdict"


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed judge answer: `value` on success, else `error` explains why not."""

    value: float | None
    error: str | None = None
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.value is not None


def _num(token: str) -> float:
    t = token.lower()
    return float(_WORDS[t]) if t in _WORDS else float(t)


def _check(value: float, denom: str | None, lo: float, hi: float, what: str) -> Parsed:
    if denom is not None and float(denom) != hi:
        return Parsed(None, f"{what} given on a /{denom} scale, expected /{hi:g}")
    if not lo <= value <= hi:
        return Parsed(None, f"{what} {value:g} outside {lo:g}-{hi:g}")
    return Parsed(value)


def tail_start(text: str, lines_: int = _TAIL_LINES) -> int:
    """Offset where the last `lines_` non-empty lines begin (the judge's closing verdict)."""
    lines = text.rstrip().splitlines(keepends=True)
    kept, n = 0, 0
    for line in reversed(lines):
        kept += len(line)
        if line.strip():
            n += 1
            if n == lines_:
                break
    return len(text.rstrip()) - kept


def parse_score(text: str | None, dimension: str = "resonation") -> Parsed:
    """Parse a 1-5 (or the dimension's range) score from a judge answer.

    >>> parse_score("Warm and specific.\\n**Score:** 4").value
    4.0
    >>> parse_score("Score: 8/10").error
    'score given on a /10 scale, expected /5'
    """
    lo, hi = SCORE_RANGE[dimension]
    if text is None or not text.strip():
        return Parsed(None, "empty judge answer")
    matches = list(_SCORE_LINE.finditer(text))
    if not matches:
        bare = _BARE.match(text.strip())
        if bare:
            return _check(_num(bare.group(1)), bare.group(2), lo, hi, "score")
        return Parsed(None, "no score found in judge answer")
    last = matches[-1]
    tail = tail_start(text)
    closing = {(_num(m.group(1)), m.group(2)) for m in matches if m.start() >= tail}
    if len(closing) > 1:
        values = ", ".join(sorted(f"{v:g}" for v, _ in closing))
        return Parsed(None, f"conflicting scores in judge answer ({values})")
    return _check(_num(last.group(1)), last.group(2), lo, hi, "score")


def parse_criteria(text: str | None, perspective: Perspective) -> Parsed:
    """Parse a perspective's sub-scores (authoritative when all present) or else its total."""
    dim, criteria = perspective.dimension, perspective.criteria
    lo, hi = perspective.criterion_scale or perspective.scale  # perspectives() requires the former
    if text is None or not text.strip():
        return Parsed(None, "empty judge answer")
    found: dict[str, tuple[float, str | None]] = {}
    for m in _CRITERION.finditer(text):  # later lines overwrite earlier (quoted) ones
        found[m.group(1).lower()] = (_num(m.group(2)), m.group(3))
    parts: dict[str, float] = {}
    for name in criteria:
        if name in found:
            value, denom = found[name]
            checked = _check(value, denom, lo, hi, name)
            if not checked.ok:
                return checked
            parts[name] = value
    if len(parts) == len(criteria):
        return Parsed(sum(parts.values()), None, parts)
    if "total" in found:
        value, denom = found["total"]
        checked = _check(value, denom, *perspective.scale, "total")
        return Parsed(checked.value, checked.error, parts) if checked.ok else checked
    if parts:
        missing = ", ".join(n for n in criteria if n not in parts)
        return Parsed(None, f"incomplete {dim} sub-scores (missing {missing}) and no total")
    single = parse_score(text, dim)
    return single if single.ok else Parsed(None, f"no {dim} score found in judge answer")


def parse_bystander(text: str | None) -> Parsed:
    """Parse the bystander's sub-scores (0-20 each) or its total (0-100)."""
    return parse_criteria(text, PERSPECTIVES["bystander"])


def parse_answer(text: str | None, dimension: Dimension) -> Parsed:
    """Parse the answer of `dimension`'s judge: sub-scores when it has criteria, else a score."""
    p = PERSPECTIVES[dimension]
    return parse_criteria(text, p) if p.criteria else parse_score(text, dimension)


@dataclass(frozen=True, slots=True)
class FusedParsed:
    """All four perspectives from one fused answer; per-dimension results in `values`."""

    values: dict[str, Parsed]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


_JSON_START = re.compile(r"\{")


def _json_number(value: object) -> float | None:
    """A JSON number as a float; None for anything else (a boolean is not a number here)."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def parse_fused(text: str | None) -> FusedParsed:
    """Parse the last JSON object of a fused answer into per-dimension results."""
    import json

    if text is None or not text.strip():
        return FusedParsed({}, "empty judge answer")
    decoder = json.JSONDecoder()
    found: dict[str, Any] | None = None
    for m in _JSON_START.finditer(text):
        try:
            obj, _ = decoder.raw_decode(text, m.start())
        except ValueError:
            continue
        if isinstance(obj, dict) and set(EMPATHY_DIMENSIONS) & set(obj):
            found = obj
    if found is None:
        return FusedParsed({}, "no JSON score object found in judge answer")
    values: dict[str, Parsed] = {}
    for dim, p in PERSPECTIVES.items():
        raw = found.get(dim)
        number = _json_number(raw)
        if not p.criteria:
            values[dim] = (_check(number, None, *p.scale, "score") if number is not None
                           else Parsed(None, f"fused answer has no numeric '{dim}'"))
        elif isinstance(raw, dict):
            lines = "\n".join(f"{k}: {v}" for k, v in raw.items() if isinstance(v, (int, float)))
            values[dim] = parse_criteria(lines, p) if lines else Parsed(None, f"empty {dim}")
        elif number is not None:
            values[dim] = _check(number, None, *p.scale, "total")
        else:
            values[dim] = Parsed(None, f"fused answer has no '{dim}' scores")
    return FusedParsed(values)
