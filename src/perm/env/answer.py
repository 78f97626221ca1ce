"""The simulated seeker's answer -> its message and its private self-report. Pure, no I/O.

The seeker is asked (`prompts/<version>/answer.md`) for a `MESSAGE:` section, then a `REPORT:`
section with `Feeling: 0-10`, `In my words: ...`, `Need met: yes|partly|no` and
`Staying: yes|no`. Real models decorate this (`**Feeling:** 6`, `Feeling: 6/10`, `## Report`),
forget the `MESSAGE:` header, answer `Need met: partially` or `Leaving: yes`, or drop the
report altogether, so:

- the LAST report header counts (the message itself may quote the word "report");
- without a report header, a trailing block of report lines (`Feeling:` ...) is the report;
- the message survives a broken report: the conversation can go on, and the report is missing
  with a reason (`SeekerAnswer.error`), never a guessed number;
- `Staying` may be left out (the person stays); `Feeling` and `Need met` may not;
- an empty message is accepted only from a seeker who is leaving.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

NeedMet = Literal["yes", "partly", "no"]
#: How far a need was met, as a number (the episode reward's final term reads it).
NEED_VALUE: dict[str, float] = {"yes": 1.0, "partly": 0.5, "no": 0.0}
FEELING_RANGE = (0.0, 10.0)

_DECOR = r"[ \t*_`#>]*"  # markdown emphasis, headings and quote marks around a label
_REPORT_HEADER = re.compile(rf"^{_DECOR}(?:private\s+|self[- ]?)?report{_DECOR}:?{_DECOR}$",
                            re.IGNORECASE | re.MULTILINE)
_MESSAGE_HEADER = re.compile(rf"^{_DECOR}message{_DECOR}:?{_DECOR}", re.IGNORECASE)
_FIELD = re.compile(rf"^[ \t\-*_`#>]*(feeling|mood|in my words|words|need met|needs met|need|"
                    rf"staying|stay|continue|continuing|leaving){_DECOR}(?::|=|-){_DECOR}(.*)$",
                    re.IGNORECASE)
_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10}
_NUMBER = re.compile(r"^\[?\s*(\d{1,3}(?:\.\d+)?|zero|one|two|three|four|five|six|seven|eight|nine|ten)"
                     r"\s*\]?\s*(?:(?:/|out\s+of)\s*(\d{1,3}))?", re.IGNORECASE)
_YES = ("yes", "fully", "completely", "entirely", "totally", "definitely", "absolutely")
_PARTLY = ("partly", "partially", "somewhat", "a little", "a bit", "half", "mostly", "some",
           "sort of", "kind of", "in part", "a little bit")
_NO = ("no", "not", "not yet", "not really", "nope", "none", "not at all", "never")


@dataclass(frozen=True, slots=True)
class SeekerAnswer:
    """A parsed seeker answer: the message, and the report or `error` saying why it is missing."""

    message: str | None
    feeling: float | None = None
    words: str | None = None
    need_met: NeedMet | None = None
    staying: bool = True
    error: str | None = None

    @property
    def ok(self) -> bool:
        """A message (or a goodbye) and a complete report."""
        return self.error is None


def _clean(value: str) -> str:
    return value.strip().strip("*_`").strip()


def _feeling(value: str) -> tuple[float | None, str | None]:
    m = _NUMBER.match(_clean(value))
    if m is None:
        return None, f"feeling is not a number ({_preview(value)})"
    token = m.group(1).lower()
    v = float(_WORDS[token]) if token in _WORDS else float(token)
    if m.group(2) is not None and float(m.group(2)) != FEELING_RANGE[1]:
        return None, f"feeling given on a /{m.group(2)} scale, expected /10"
    lo, hi = FEELING_RANGE
    if not lo <= v <= hi:
        return None, f"feeling {v:g} outside {lo:g}-{hi:g}"
    return v, None


def _first_word_match(value: str, table: tuple[str, ...]) -> bool:
    v = re.sub(r"[^a-z ]", " ", _clean(value).lower()).strip()
    return any(v == w or v.startswith(w + " ") for w in table)


def _need(value: str) -> tuple[NeedMet | None, str | None]:
    # "not yet" starts with "no"-words, "partly" words are checked before "yes" ("mostly yes")
    if _first_word_match(value, _PARTLY):
        return "partly", None
    if _first_word_match(value, _NO):
        return "no", None
    if _first_word_match(value, _YES):
        return "yes", None
    return None, f"need met is not yes, partly or no ({_preview(value)})"


def _yes_no(value: str) -> bool | None:
    if _first_word_match(value, _YES):
        return True
    if _first_word_match(value, _NO):
        return False
    return None


def _preview(value: str) -> str:
    v = _clean(value)
    return repr(v if len(v) <= 24 else v[:21] + "...")


def _split(text: str) -> tuple[str, str | None]:
    """(message part, report part or None) of an answer."""
    headers = list(_REPORT_HEADER.finditer(text))
    if headers:
        last = headers[-1]
        return text[:last.start()], text[last.end():]
    lines = text.rstrip().split("\n")
    k = len(lines)
    while k > 0 and (_FIELD.match(lines[k - 1]) or not lines[k - 1].strip()):
        k -= 1
    tail = lines[k:]
    if any(_FIELD.match(line) for line in tail):
        return "\n".join(lines[:k]), "\n".join(tail)
    return text, None


def _message(part: str) -> str:
    msg = part.strip()
    m = _MESSAGE_HEADER.match(msg)
    if m:
        msg = msg[m.end():].strip()
    msg = msg.rstrip("-").strip()  # a `---` rule before the report
    if len(msg) >= 2 and msg[0] == msg[-1] and msg[0] in "\"'" and msg.count(msg[0]) == 2:
        msg = msg[1:-1].strip()
    return msg


def parse_seeker_answer(text: str | None) -> SeekerAnswer:
    """Read a simulated seeker's answer.

    >>> a = parse_seeker_answer("MESSAGE:\\nok. maybe.\\n\\nREPORT:\\nFeeling: 4/10\\nNeed met: partly")
    >>> (a.message, a.feeling, a.need_met, a.staying, a.ok)
    ('ok. maybe.', 4.0, 'partly', True, True)
    >>> parse_seeker_answer("I guess.").error
    'no REPORT section'
    """
    if text is None or not text.strip():
        return SeekerAnswer(None, error="empty seeker answer")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    body, report = _split(text)
    message = _message(body)
    if report is None:
        return SeekerAnswer(message or None, error="no REPORT section")
    found: dict[str, str] = {}
    for line in report.split("\n"):
        m = _FIELD.match(line)
        if m:
            found[m.group(1).lower()] = m.group(2)  # a later line wins
    errors: list[str] = []
    feeling = need = None
    raw_feeling = found.get("feeling", found.get("mood"))
    if raw_feeling is None:
        errors.append("no Feeling line")
    else:
        feeling, err = _feeling(raw_feeling)
        if err:
            errors.append(err)
    raw_need = next((found[k] for k in ("need met", "needs met", "need") if k in found), None)
    if raw_need is None:
        errors.append("no Need met line")
    else:
        need, err = _need(raw_need)
        if err:
            errors.append(err)
    staying = True
    raw_stay = next((found[k] for k in ("staying", "stay", "continue", "continuing") if k in found), None)
    if raw_stay is not None:
        said = _yes_no(raw_stay)
        if said is None:
            errors.append(f"staying is not yes or no ({_preview(raw_stay)})")
        else:
            staying = said
    elif "leaving" in found:
        said = _yes_no(found["leaving"])
        if said is None:
            errors.append(f"leaving is not yes or no ({_preview(found['leaving'])})")
        else:
            staying = not said
    words = next((_clean(found[k]) for k in ("in my words", "words") if k in found), None) or None
    if not message and staying:
        errors.insert(0, "empty message")
    return SeekerAnswer(message or None, feeling, words, need, staying,
                        "; ".join(errors) if errors else None)


def render_answer(message: str, feeling: float, need_met: str, *, words: str = "",
                  staying: bool = True) -> str:
    """An answer in the requested layout (the fake seeker and the tests write with it)."""
    lines = [f"MESSAGE:\n{message}", "", "REPORT:", f"Feeling: {feeling:g}"]
    if words:
        lines.append(f"In my words: {words}")
    lines += [f"Need met: {need_met}", f"Staying: {'yes' if staying else 'no'}"]
    return "\n".join(lines)
