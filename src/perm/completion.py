"""Split a policy output into its `# Analysis` and `# Response` sections.

Accepted header forms (case-insensitive, on a line of their own): `# Analysis`, `## Analysis`,
`**Analysis**`, `Analysis:`, `**Analysis:**`, `__Analysis__`, with any surrounding whitespace.
The format holds when an analysis header comes first and a non-empty response section follows.
Line endings are normalised first (Windows CR LF and a lone CR become LF), so the sections
returned use LF whatever the policy wrote.
What a malformed output scores is decided in `perm.scoring` (see `FormatPolicy`), not here.
"""
from __future__ import annotations

import re

from .types import ParsedCompletion

# One header line, already stripped of surrounding whitespace. Every optional part is anchored
# by a literal, so matching is linear (the old whole-text pattern with adjacent `[ \t]*` groups
# took 26 s on "# Analysis" + 400 spaces + "x": a few bytes could stall a server).
_HEADER = re.compile(r"(?:\#{1,6}[ \t]*)?(?:\*\*|__)?[ \t]*(analysis|response)"
                     r"(?:[ \t]*:)?(?:[ \t]*(?:\*\*|__))?(?:[ \t]*:)?", re.IGNORECASE)
_MAX_HEADER = 40  # characters of a stripped header line; longer lines are text


def _headers(text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of every header line: at most 3 leading spaces, nothing else on it."""
    out = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip(" \t")
        lead = len(line) - len(line.lstrip(" \t"))
        if stripped and len(stripped) <= _MAX_HEADER and lead <= 3:
            m = _HEADER.fullmatch(stripped)
            if m:
                out.append((m.group(1).lower(), pos, pos + len(line)))
        pos += len(line) + 1
    return out


def split_completion(text: str | None) -> ParsedCompletion:
    """Return the analysis and response of `text`, and whether the required format held.

    >>> split_completion("# Analysis\\nShe feels alone.\\n# Response\\nI'm here.").response
    "I'm here."
    >>> split_completion("just a reply").problem
    'missing # Response section'
    """
    if text is None or not text.strip():
        return ParsedCompletion("", "", False, "empty output")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    headers = _headers(text)
    first_analysis = next((h for h in headers if h[0] == "analysis"), None)
    start_after = first_analysis[2] if first_analysis else 0
    first_response = next((h for h in headers if h[0] == "response" and h[1] >= start_after), None)

    if first_response is None:
        if any(h[0] == "response" for h in headers):
            body = text[next(h for h in headers if h[0] == "response")[2]:].strip()
            return ParsedCompletion("", body, False, "# Response comes before # Analysis")
        analysis = text[start_after:].strip() if first_analysis else ""
        return ParsedCompletion(analysis, "", False, "missing # Response section")

    response = text[first_response[2]:].strip()
    if first_analysis is None:
        return ParsedCompletion("", response, False, "missing # Analysis section")
    analysis = text[first_analysis[2]:first_response[1]].strip()
    if not response:
        return ParsedCompletion(analysis, "", False, "empty # Response section")
    if not analysis:
        return ParsedCompletion("", response, False, "empty # Analysis section")
    return ParsedCompletion(analysis, response, True, None)
