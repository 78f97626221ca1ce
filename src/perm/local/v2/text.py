"""What the v2 scorer reads: the context text, the judged text, and a few robust statistics.

Shared by training (`perm.local.v2.train`) and the runtime (`perm.local.v2.model`), so both see
exactly the same inputs. Pure Python + numpy.

The statistics are the things a word-piece encoder cannot see or tends to overlook, each a
known way to game a learned scorer: letter case (the encoder is uncased), copying the seeker's
own words back, repetition, word salad, evaluator-directed text, and content-free replies.
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata

import numpy as np

from ...types import Sample

HISTORY_TURNS = 4
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_EVAL = re.compile(
    r"\b(?:evaluat\w*|grader|grading|judge|reviewer|assessor|rubric|rated?|rating|scor\w*)\b"
    r"|\b\d{1,3}\s*/\s*(?:5|10|100)\b|\btotal\s*:\s*\d", re.IGNORECASE)
_STOP = frozenset("""a an the and or but if of to in on at for with from by as is are was were be been
being it its this that these those i me my you your we our he she they them his her their so not no
do does did have has had will would can could should just very really about what how when where who
which there here than then also too""".split())
STAT_NAMES = ("log_words", "upper_ratio", "copy_ratio", "repeat_ratio", "stopword_ratio",
              "evaluator_terms", "no_content", "questions")


def context_text(sample: Sample, *, seeker_view: bool = False) -> str:
    """Persona, scenario, the last turns and the seeker's message (and, for the seeker's own
    view, what they hoped for). The encoder keeps the end when this is too long."""
    parts = [sample.persona.strip(), sample.scenario.strip()]
    for t in sample.history[-HISTORY_TURNS:]:
        parts.append(("Seeker: " if t.role == "user" else "Supporter: ") + t.content.strip())
    parts.append("Seeker: " + sample.query.strip())
    if seeker_view and sample.hidden_intention:
        parts.append("Hoping for: " + sample.hidden_intention.strip())
    return "\n".join(parts)


NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _drop_format(m: re.Match[str]) -> str:
    return "".join(c for c in m.group() if unicodedata.category(c) != "Cf")


def visible(text: str) -> str:
    """The text without invisible format characters (zero-width spaces, joiners, BOMs). ASCII
    has none, so only runs of other characters are looked at (the scorer calls this on every
    reply, passage and context: a character-by-character pass cost a fifth of its CPU time)."""
    return text if text.isascii() else NON_ASCII.sub(_drop_format, text)


_PLACEHOLDERS = frozenset({"none", "n/a", "na", "null", "nil", "nothing", "empty", "no analysis",
                           "not applicable", "tbd", "todo"})


def has_content(text: str) -> bool:
    """Whether the text says anything: some letter or digit once invisible characters are gone,
    and not just a placeholder such as "(none)" or "N/A" (how replies without private notes are
    written in the PERM layout)."""
    shown = visible(text)
    if not any(c.isalnum() for c in shown):
        return False
    return shown.strip().strip("()[]{}<>*_.:-—'\"`").strip().lower() not in _PLACEHOLDERS


def one_character(text: str) -> bool:
    """Whether the text has fewer than two letters or digits ("b", "k", ":D", "<3"): too little
    to rate. A runtime rule (`perm.local.v2.model`, r6), not a training feature: the heads,
    which never saw such replies, rated a lone letter up to the top of every scale."""
    seen = 0
    for c in visible(text):  # stops at the second one: most texts start with a word
        if c.isalnum():
            seen += 1
            if seen == 2:
                return False
    return True


SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
CHUNK_WORDS = 40
MAX_CHUNKS = (6, 2)  # the first and the last chunks kept when a text has more


def chunks(text: str) -> list[str]:
    """The text cut into passages of whole sentences (paragraphs never merged, about
    `CHUNK_WORDS` words each); [] when it is a single passage. Each passage is encoded on its
    own, so one off-topic, unsafe or evaluator-directed passage shows up in the max-pooled
    features instead of being averaged away."""
    return list(_chunks(text))


@functools.lru_cache(maxsize=2048)
def _chunks(text: str) -> tuple[str, ...]:
    """`chunks`, cut once per text (the runtime asks for a reply's passages once to embed them
    and once for each head that reads the reply)."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", visible(text)):
        cur: list[str] = []
        n = 0
        for sent in SENTENCE_END.split(para.strip()):
            w = len(sent.split())
            if cur and n + w > CHUNK_WORDS:
                out.append(" ".join(cur))
                cur, n = [], 0
            if sent:
                cur.append(sent)
                n += w
        if cur:
            out.append(" ".join(cur))
    out = [c for c in out if has_content(c)]
    if len(out) < 2:
        return ()
    head, tail = MAX_CHUNKS
    return tuple(out if len(out) <= head + tail else out[:head] + out[-tail:])


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _grams(ws: list[str], n: int) -> set[str]:
    return {" ".join(ws[i:i + n]) for i in range(len(ws) - n + 1)}


@functools.lru_cache(maxsize=256)
def _context_grams(context: str) -> tuple[frozenset[str], frozenset[str]]:
    """The context's lower-cased words and word trigrams (a GRPO group's rows share one context,
    so it is read once, not once per row)."""
    ctx = [w.lower() for w in words(context)]
    return frozenset(ctx), frozenset(_grams(ctx, 3))


@functools.lru_cache(maxsize=2048)
def _text_side(text: str) -> tuple[frozenset[str], frozenset[str], tuple[float, ...]]:
    """What `statistics` needs of the judged text alone: its lower-cased words and word
    trigrams, and every statistic but the copy ratio (a reply is read by two heads, each with
    its own context, so this is computed once per reply)."""
    text = visible(text)
    ws = [w.lower() for w in words(text)]
    n = len(ws)
    letters = "".join(filter(str.isalpha, text))
    upper = sum(map(str.isupper, letters)) / len(letters) if letters else 0.0
    seq = [" ".join(ws[i:i + 3]) for i in range(max(0, n - 2))]
    repeat = 1 - len(set(seq)) / len(seq) if seq else 0.0
    stop = sum(w in _STOP for w in ws) / n if n else 0.0
    return frozenset(ws), frozenset(seq), (
        math.log1p(n), upper, repeat, stop, math.log1p(len(_EVAL.findall(text))),
        0.0 if has_content(text) else 1.0, math.log1p(text.count("?")))


def statistics(text: str, context: str) -> np.ndarray:
    """`STAT_NAMES` for one judged text against the seeker's context (float32)."""
    ws, tri, (log_n, upper, repeat, stop, evaluator, empty, questions) = _text_side(text)
    ctx_words, ctx_tri = _context_grams(context)
    if tri:
        copy = len(tri & ctx_tri) / len(tri)
    else:  # one or two words: copied when every word is the seeker's
        copy = 1.0 if ws and ws <= ctx_words else 0.0
    return np.array([log_n, upper, copy, repeat, stop, evaluator, empty, questions], dtype=np.float32)
