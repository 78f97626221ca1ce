"""Lines a system says to many different seekers: the stock padding a reward model misses.

The embedded scorer cannot see short supportive sentences that fit anyone added to a good reply
(MODEL_CARD.md: they tie or beat the good reply on expression in 44-67 % of `perm audit`'s
scenarios), and no rule over one output can tell them from a real reply's own short lines. A
policy that learns this padding, though, says the *same* lines to everyone. Across a whole
evaluation set that is plain to see: a sentence of `MIN_WORDS` or more words that the system's
outputs give to `MIN_SEEKERS` or more different seekers (persona and scenario: the turns of
one conversation are one seeker) is a shared line. No model; sentences are compared after
lower-casing and folding spaces, quotes and the closing punctuation.

Real replies share lines too: 5.4 % of counsel-chat answers ("Thank you for your question."),
5.3 % of ESConv turns ("I'm sorry to hear that."), 0.1 % of AnnoMI turns; every padding form of
`perm audit`, 98-100 % of its variants. So, like the shortcut signs, the number to watch is a rate
that rises over the base policy's.
"""
from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from typing import Any

from .completion import split_completion
from .local.v2.text import SENTENCE_END, has_content, visible, words
from .types import Sample

MIN_WORDS = 5
MIN_SEEKERS = 3
#: lines shown per system
TOP = 5
#: outputs a training run's window keeps (`SharedLineWindow`)
WINDOW = 512
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _line_key(sentence: str) -> str:
    return " ".join(sentence.translate(_FOLD).lower().split()).strip(" \"'*-.!?\u2026")


def _reply(sample: Sample) -> str | None:
    parts = split_completion(sample.completion)
    reply = parts.response if parts.format_ok else sample.completion
    return reply if reply and has_content(reply) else None


def _lines(sample: Sample, min_words: int) -> dict[str, str] | None:
    """The output's lines of `min_words` or more words, folded key -> wording; None when it has
    no reply with content."""
    reply = _reply(sample)
    if reply is None:
        return None
    out: dict[str, str] = {}
    for sentence in (x for line in visible(reply).splitlines() for x in SENTENCE_END.split(line)):
        key = _line_key(sentence)
        if len(words(key)) >= min_words:
            out.setdefault(key, sentence.strip())
    return out


def _seeker(sample: Sample) -> tuple[str, str]:
    return sample.persona, sample.scenario


def shared_lines(samples: Sequence[Sample], *, min_words: int = MIN_WORDS,
                 min_seekers: int = MIN_SEEKERS, top: int = TOP) -> dict[str, Any]:
    """`rate`: the share of the outputs with a reply that hold at least one shared line (None
    for no such output); `n`: those outputs; `lines`: the `top` most shared lines, as
    `{"line": first wording seen, "seekers": how many different seekers got it}`."""
    seekers: dict[str, set[tuple[str, str]]] = defaultdict(set)
    first: dict[str, str] = {}
    keys_of: list[set[str]] = []
    for s in samples:
        lines = _lines(s, min_words)
        if lines is None:
            continue
        for key, wording in lines.items():
            first.setdefault(key, wording)
            seekers[key].add(_seeker(s))
        keys_of.append(set(lines))
    shared = {k for k, who in seekers.items() if len(who) >= min_seekers}
    ranked = sorted(shared, key=lambda k: (-len(seekers[k]), k))[:top]
    return {"n": len(keys_of),
            "rate": sum(bool(k & shared) for k in keys_of) / len(keys_of) if keys_of else None,
            "lines": [{"line": first[k], "seekers": len(seekers[k])} for k in ranked]}


class SharedLineWindow:
    """The same measure during training, where one batch may hold a single prompt (or one
    sample: verl's and OpenRLHF's reward calls): the lines of the last `size` outputs are kept
    (per process, thread-safe), and each output of a batch is flagged when it holds a line the
    window has seen given to `min_seekers` or more different seekers. Logged as
    `perm/shared_lines` (TRL: `rate`) and `shared_line` (verl, OpenRLHF: `flags`, which the
    engine averages into the same rate)."""

    def __init__(self, size: int = WINDOW, *, min_words: int = MIN_WORDS,
                 min_seekers: int = MIN_SEEKERS) -> None:
        if size < 1:
            raise ValueError(f"a shared-line window holds at least 1 output, not {size}")
        self.size, self.min_words, self.min_seekers = size, min_words, min_seekers
        self._empty()

    def _empty(self) -> None:
        self._recent: deque[tuple[tuple[str, str], frozenset[str]]] = deque()
        self._who: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:  # a pickled copy starts empty (a lock cannot travel)
        return {"size": self.size, "min_words": self.min_words, "min_seekers": self.min_seekers}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._empty()

    def flags(self, samples: Sequence[Sample | None]) -> list[float]:
        """Per output: 1.0 when it holds a shared line, 0.0 when not, NaN for one without a
        reply with content (or None: a sample refused before scoring). The batch joins the
        window first, so lines said to several seekers within one batch count."""
        batch: list[frozenset[str] | None] = []
        with self._lock:
            for s in samples:
                lines = None if s is None else _lines(s, self.min_words)
                if s is None or lines is None:
                    batch.append(None)
                    continue
                keys, seeker = frozenset(lines), _seeker(s)
                batch.append(keys)
                self._recent.append((seeker, keys))
                for k in keys:
                    self._who[k][seeker] += 1
            while len(self._recent) > self.size:
                seeker, keys = self._recent.popleft()
                for k in keys:
                    self._who[k][seeker] -= 1
                    if not self._who[k][seeker]:
                        del self._who[k][seeker]
                        if not self._who[k]:
                            del self._who[k]
            return [math.nan if keys is None else
                    float(any(len(self._who.get(k, ())) >= self.min_seekers for k in keys))
                    for keys in batch]

    def rate(self, samples: Sequence[Sample]) -> float | None:
        """The share of the batch's outputs with a reply that hold a shared line (`flags`);
        None when none has a reply."""
        got = [f for f in self.flags(samples) if not math.isnan(f)]
        return sum(got) / len(got) if got else None
