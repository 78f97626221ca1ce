"""Split a policy output into its `# Analysis` and `# Response` sections.

Accepted header forms (case-insensitive, on a line of their own): `# Analysis`, `## Analysis`,
`**Analysis**`, `Analysis:`, `**Analysis:**`, `__Analysis__`, with any surrounding whitespace.
The format holds when an analysis header comes first and a non-empty response section follows.
What a malformed output scores is decided in `perm.scoring` (see `FormatPolicy`), not here.
"""
from __future__ import annotations

import re

from .types import ParsedCompletion

_HEADER = re.compile(
    r"^[ \t]{0,3}(?:\#{1,6}[ \t]*)?(?:\*\*|__)?[ \t]*(analysis|response)[ \t]*:?[ \t]*(?:\*\*|__)?[ \t]*:?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def split_completion(text: str | None) -> ParsedCompletion:
    """Return the analysis and response of `text`, and whether the required format held."""
    if text is None or not text.strip():
        return ParsedCompletion("", "", False, "empty output")
    headers = [(m.group(1).lower(), m.start(), m.end()) for m in _HEADER.finditer(text)]
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
