"""The PERM reward arithmetic. Pure functions of numbers; no judges, no I/O.

    empathy  = harmonic mean of s/5 over resonation, expression, reception   (0.2 .. 1)
    bystander term = coef * (B/100 - 1)                                       (penalty only)
    length term    = -coef * max(0, tokens - limit)
    reward   = empathy + bystander term + length term
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

EmpathyMode = Literal["harmonic", "mean", "weighted", "geometric"]
EMPATHY_MODES: tuple[str, ...] = ("harmonic", "mean", "weighted", "geometric")


def normalise(score: float, top: float = 5.0) -> float:
    """Map a 1-5 empathy score onto 0.2-1."""
    return score / top


def empathy(scores: Sequence[float], mode: EmpathyMode = "harmonic",
            weights: Sequence[float] | None = None) -> float:
    """Combine normalised empathy scores (each in (0, 1]) into one value.

    >>> round(empathy([0.8, 0.4, 1.0]), 4)  # harmonic: one low score pulls hard
    0.6316
    >>> round(empathy([0.8, 0.4, 1.0], "mean"), 4)
    0.7333
    """
    if not scores:
        raise ValueError("empathy needs at least one score")
    if any(s <= 0 for s in scores):
        raise ValueError(f"normalised scores must be positive, got {list(scores)}")
    if mode == "harmonic":
        return len(scores) / sum(1.0 / s for s in scores)
    if mode == "mean":
        return sum(scores) / len(scores)
    if mode == "geometric":
        return math.exp(sum(math.log(s) for s in scores) / len(scores))
    if mode == "weighted":
        if weights is None or len(weights) != len(scores):
            raise ValueError("weighted mode needs one weight per score")
        total = sum(weights)
        if total <= 0 or any(w < 0 for w in weights):
            raise ValueError(f"weights must be non-negative with a positive sum, got {list(weights)}")
        return sum(w * s for w, s in zip(weights, scores)) / total
    raise ValueError(f"unknown empathy mode {mode!r}; choose one of {', '.join(EMPATHY_MODES)}")


def bystander_term(score: float, coef: float = 0.5) -> float:
    """coef * (B/100 - 1): zero for a perfect 100, -coef for 0.

    >>> round(bystander_term(80), 6), bystander_term(100)
    (-0.1, 0.0)
    """
    return coef * (score / 100.0 - 1.0)


def length_term(tokens: int, limit: int = 768, coef: float = 0.001) -> float:
    """-coef per token beyond `limit`."""
    over = tokens - limit
    return -coef * over if over > 0 else 0.0


_TOKENISH = re.compile(r"\w+|[^\w\s]")
#: Words up to this many characters count as one; English words are shorter (about 5 on average).
LONG_WORD = 12
#: Characters per token beyond LONG_WORD in a run without spaces (a BPE tokenizer's usual rate).
CHARS_PER_TOKEN = 4
_LONG_RUN = re.compile(rf"\w{{{LONG_WORD + 1},}}")


def approx_tokens(text: str) -> int:
    """Tokenizer-free token count: words and punctuation marks, times 1.3 for sub-word splits.

    Within ~15 % of common BPE tokenizers on English prose; pass a real tokenizer for exact
    counts (`ScoringConfig.tokenizer`). A word longer than LONG_WORD characters adds one token
    per CHARS_PER_TOKEN characters past the LONG_WORD-th, so text without spaces cannot hide
    from the length penalty (a long run counts about one token per 4 characters); text of
    ordinary words counts exactly as before.
    """
    words = len(_TOKENISH.findall(text))
    beyond = sum(len(run) - LONG_WORD for run in _LONG_RUN.findall(text))
    return math.ceil(words * 1.3 + beyond / CHARS_PER_TOKEN)


TokenCounter = Callable[[str], int]


def weights_for(dimensions: Sequence[str], weights: Mapping[str, float] | None) -> list[float] | None:
    if weights is None:
        return None
    return [float(weights.get(d, 1.0)) for d in dimensions]
