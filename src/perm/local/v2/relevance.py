"""Whether a reply is about *this* seeker: the discount for replies that would fit anyone.

The v2 heads read the reply and the context, and rate a fluent, caring reply written for
another seeker's problem almost as high as the right one (`perm audit`, `off_topic`: 11 % of
held-out scenarios on expression and reception). Plain cosine between reply and context does not
settle it either: a generic reply ("that sounds really hard, your feelings are valid...") is
about as close to every context, so its cosine says little about fit.

So the runtime asks how much closer the reply is to its own seeker's context than to a fixed
bank of other seekers' contexts (drawn from the training data, shipped with the heads):

    z = (cos(reply, context) - mean_b cos(reply, b)) / std_b cos(reply, b)

A reply written for this seeker stands well above the bank (the audit's held-out good replies:
median z 5.0, 5th percentile 2.0); a reply for someone else, or one that fits anyone, does not
(medians between -0.7 and 0.2). Each expression, reception and bystander score keeps `fit` of its height above the
dimension's floor:

    fit = 1 - (1 - ramp(z; Z_NONE, Z_FULL)) * ramp(words; WORDS)

`ramp(x; a, b)` rises from 0 at `a` to 1 at `b`. Length matters because short turns in a
conversation ("Okay. Go on.") are naturally not specific, and nothing about them is a shortcut:
a reply under `WORDS[0]` words is never discounted, one over `WORDS[1]` fully. Resonation (the
private analysis) is untouched. Embeddings are the encoder's last layer, mean-pooled; pure numpy.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

BANK_SIZE = 384
Z_NONE, Z_FULL = -0.5, 0.75
WORDS = (10, 40)
TENSOR = "relevance.bank"


def bank_contexts(contexts: Iterable[str], size: int = BANK_SIZE) -> list[str]:
    """`size` distinct contexts, evenly spaced through their sorted order (deterministic)."""
    distinct = sorted(set(contexts))
    if len(distinct) <= size:
        return distinct
    step = len(distinct) / size
    return [distinct[int(k * step)] for k in range(size)]


def unit(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (float32)."""
    m = np.asarray(rows, dtype=np.float32)
    out: np.ndarray = m / (np.linalg.norm(m, axis=-1, keepdims=True) + 1e-8)
    return out


def zscore(reply: np.ndarray, context: np.ndarray, bank: np.ndarray) -> float:
    """How many standard deviations closer the reply is to its context than to the bank's
    contexts (`bank`: unit rows)."""
    r = unit(reply)
    sims = bank @ r
    return float((float(unit(context) @ r) - sims.mean()) / (sims.std() + 1e-6))


def zscores(texts: np.ndarray, context: np.ndarray, bank: np.ndarray) -> np.ndarray:
    """`zscore` of each row of `texts` against one context, in one product (the register rule
    asks it of a reply's passages)."""
    r = unit(texts)
    sims = r @ bank.T
    out: np.ndarray = (r @ unit(context) - sims.mean(axis=1)) / (sims.std(axis=1) + 1e-6)
    return out


def ramp(x: float, lo: float, hi: float) -> float:
    """0 at or below `lo`, 1 at or above `hi`, linear between (`lo > hi` makes it fall)."""
    return min(1.0, max(0.0, (x - lo) / (hi - lo)))


def fit(z: float, n_words: int, z_range: tuple[float, float] = (Z_NONE, Z_FULL),
        words: tuple[float, float] = WORDS) -> float:
    """The share of a response-side score's height above the floor that a reply keeps."""
    return 1.0 - (1.0 - ramp(z, *z_range)) * ramp(float(n_words), *words)
