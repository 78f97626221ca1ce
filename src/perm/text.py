"""Text hygiene shared by the data layer and the scorer: unencodable text is repaired by one rule.

A string decoded from JSON may hold a lone UTF-16 surrogate (`"\\ud800"` is legal JSON) that
no UTF-8 encoder, tokenizer, cache key or HTTP client accepts; one such sample used to fail
every sample scored with it. The rule, applied to every text field of a record: a high + low
surrogate pair is joined into its character, and every other surrogate becomes U+FFFD (the
replacement character), which is what a UTF-8 decoder does with broken bytes. Surrogates are
the only code points a Python string can hold that UTF-8 cannot encode.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .types import Sample, Turn

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def has_lone_surrogate(text: str) -> bool:
    """True when `text` holds a surrogate code point (it cannot be encoded as UTF-8)."""
    return _SURROGATE.search(text) is not None


def replace_lone_surrogates(text: str) -> str:
    """`text` with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    if not has_lone_surrogate(text):
        return text
    # UTF-16 round trip: `surrogatepass` keeps every surrogate as its code unit, the decoder
    # joins valid pairs and turns each unpaired unit into U+FFFD.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _opt(text: str | None) -> str | None:
    return None if text is None else replace_lone_surrogates(text)


def clean_sample(sample: Sample) -> Sample:
    """`sample` with every text the judges see repaired (the same object when nothing needs it)."""
    texts = [sample.persona, sample.scenario, sample.query, sample.id, sample.hidden_intention,
             sample.completion, *(t.content for t in sample.history)]
    if not any(t is not None and has_lone_surrogate(t) for t in texts):
        return sample
    return replace(
        sample, persona=replace_lone_surrogates(sample.persona),
        scenario=replace_lone_surrogates(sample.scenario),
        query=replace_lone_surrogates(sample.query), id=_opt(sample.id),
        hidden_intention=_opt(sample.hidden_intention), completion=_opt(sample.completion),
        history=tuple(Turn(t.role, replace_lone_surrogates(t.content)) for t in sample.history))
