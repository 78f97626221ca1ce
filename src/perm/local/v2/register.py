"""Passages that are neither support nor about this seeker: the discount for appended text.

The v2 heads are mostly indifferent to a passage added to a good reply: a four-line poem after
it moved expression by -0.03 on average, so the padded reply beat the good one wherever the
heads' noise was larger than that (`perm audit`, `poem_appendix`: 49 % of scenarios on
expression). Neither of the two obvious tests separates such passages from a good reply's own:
a passage's cosine with the seeker's context (a good reply's least related passage is as far
from the context as a hashtag line), nor its fit to this seeker against other seekers (a good
reply's short closing line is as unspecific as a poem). So the runtime asks both questions at
once, with embeddings it has already computed:

* **Is it the kind of thing a supporter says?** `support` = the mean cosine of the passage's
  `NEIGHBOURS` nearest passages in a bank of our own labelled training replies' passages
  (`own_reply`; 8,151 in the packaged scorer), shipped with the heads. A poem, a stock quote
  or code is far from all of them; "I hear you, and I'm here" is near. `SUPPORT_FULL` and `SUPPORT_NONE` are the
  2nd and 10th percentiles of this measure over the passages of our dev and test splits'
  replies (none of them in the bank): chosen from real replies, not from the attacks.
* **Is it about this seeker?** The passage's `relevance.zscore` against the seeker's context
  and the bank of other seekers' contexts. Practical help the seeker asked for (how to get wax
  out of a tablecloth) is far from support talk but close to its own context, and is left
  alone. A request that names no topic is not protected: games offered to a seeker who asked
  for "something that isn't about the biopsy" lose 13.5 % of their height (MODEL_CARD.md).

Since r8 a third test can stand in for the first:

* **Would it pass as a supporter's words on its own?** The reply head's expression score of the
  passage alone, with this seeker's context. A weather forecast sits as close to our replies'
  passages as a short practical answer does (support 0.38, above the range), but read alone it
  expresses nothing (median 0.97 of 5). `EXPRESSION_FULL` and `EXPRESSION_NONE` are the 2nd and
  10th percentiles of this score over the passages of the replies our labellers gave an
  expression of 4 or 5 in our dev and test splits (1,135 passages of any length; an earlier
  version of this note said the 885 of more than 15 words, whose percentiles are 0.831 and
  1.306): chosen
  from real good replies, not from the attacks.

A passage that is not support talk by either test and not about this seeker counts:

    off = max(fall(support; SUPPORT_FULL, SUPPORT_NONE), fall(expression; EXPRESSION_FULL, EXPRESSION_NONE))
          * fall(z; Z_FULL, Z_NONE) * rise(words; WORDS)

where `fall(x; a, b)` is 1 at or below `a` and 0 at or above `b` (`relevance.ramp(x, b, a)`),
and `rise(n; lo, hi)` is 0 below `lo` words and 1 from `hi` (`relevance.ramp`): a short line
("Your move.", a signature) is never counted.
The z and word ranges were chosen on the audit's trained appendix and the † forms of
`audit.reworded` (poem, quotes, code) against the collateral on the audit's good replies
(MODEL_CARD.md gives the candidates); the ‡ forms were written before and measured after.
Only replies of two or more passages (`text.chunks`) are looked at; a reply judged whole is the
relevance discount's business. The reply's off-register share, `sum(words * off) / words`,
counts like borrowed text. And since r8 (`Settings.cap`), when a passage counts at least half,
the heads also score the reply without such passages (and without its borrowed sentences,
`borrowed.own_text`), and the reply keeps the lower of the two scores before the discount. The
heads' liking for length would otherwise let an appended paragraph lift a short or plain reply
by more than its share takes off: a forecast after the audit's HR summary written for a seeker
took the heads' expression from 1.77 to 2.56. The model applies the same cap to a reply whose
only borrowed text is sentences said again, asides or copied sentences. The expression range
and the cap were chosen without looking at the § forms of `audit.reworded`, written before
them as their clean test.

Since r13 a passage can also count without the z test, when it is about nothing here:

    off = rise(words; WORDS) * max(r8's off / rise, fall(related; RELATED_FULL, RELATED_NONE)
                                                    * fall(expression; QUIET_FULL, QUIET_NONE))

`related` is the passage's cosine with the seeker's context or, where higher, with the closest
other passage of its reply. The z of a passage far from every context is noise (a recipe's
cosine with all 384 bank contexts is near zero, so a small chance lead makes its z high), which
let a recipe after a good reply count less than half in 36 of 45 audit scenarios. A good
reply's paragraphs speak to the seeker or to each other; a paragraph appended from nowhere
does neither. But MiniLM's cosine is weak on short, plain passages ("Not knowing what you want
two days in is where most people are. Where does your head keep going?": 0.12), so the test
alone took our v1 test split from 0.851 to 0.837; it counts only as far as the passage read
alone also expresses less than most good passages do. Both ranges are percentiles over the
885 passages (of more than 15 words, in replies of two or more) of our dev and test replies
labelled 4-5 on expression: `related` at the 1st and 2nd, the expression alone at the 10th and
25th. The six forms of `audit.appended` were written before r13 as its clean test. Pure numpy.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .relevance import ramp, unit, zscores

TENSOR = "register.bank"
NEIGHBOURS = 20
SUPPORT_FULL, SUPPORT_NONE = 0.306, 0.369
Z_FULL, Z_NONE = 1.0, 2.0
WORDS = (15, 25)
EXPRESSION_FULL, EXPRESSION_NONE = 0.754, 1.246
#: r13: `related` (a passage's cosine with the seeker's context or, if higher, with the closest
#: other passage of its reply) at which a passage counts in full / not at all as unrelated: the
#: 1st and 2nd percentiles over the 885 passages of more than 15 words of good dev and test replies
RELATED_FULL, RELATED_NONE = 0.133, 0.174
#: r13: ... and only as far as the passage read alone expresses less than most good passages do:
#: its own expression score falls from counting in full at the 10th percentile of those 885
#: passages' scores to not at all at the 25th
QUIET_FULL, QUIET_NONE = 1.306, 1.764
#: a passage that counts at least this much is left out of the text the cap scores
STRIP = 0.5


@dataclass(frozen=True)
class Settings:
    """The rule's thresholds (recorded in the scorer's meta.json, `register`). `expression`:
    the range over which a passage's own expression score (the reply head on the passage
    alone) falls from "support talk" to "not" (None: only `support` decides, as in r7); `cap`:
    a reply is scored no higher than itself without the passages that count `STRIP` or more
    and without its borrowed sentences (`borrowed.own_text`); `related` and `quiet`: r13's
    ranges for a passage related to nothing here (None: no such test, as in r12)."""

    support: tuple[float, float] = (SUPPORT_FULL, SUPPORT_NONE)
    z: tuple[float, float] = (Z_FULL, Z_NONE)
    words: tuple[float, float] = WORDS
    neighbours: int = NEIGHBOURS
    expression: tuple[float, float] | None = (EXPRESSION_FULL, EXPRESSION_NONE)
    cap: bool = True
    related: tuple[float, float] | None = (RELATED_FULL, RELATED_NONE)
    quiet: tuple[float, float] = (QUIET_FULL, QUIET_NONE)

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> Settings:
        """The settings a scorer folder records (defaults where it records none)."""
        d = cls()

        def pair(key: str, default: tuple[float, float]) -> tuple[float, float]:
            return (float(meta[key][0]), float(meta[key][1])) if key in meta else default

        expr = meta.get("expression", d.expression)  # null: support alone decides (r7)
        rel = meta.get("related", d.related)  # null: no unrelated-passage test (r12)
        return cls(pair("support", d.support), pair("z", d.z), pair("words", d.words),
                   int(meta.get("neighbours", d.neighbours)),
                   None if expr is None else (float(expr[0]), float(expr[1])), bool(meta.get("cap", d.cap)),
                   None if rel is None else (float(rel[0]), float(rel[1])), pair("quiet", d.quiet))

    def as_meta(self) -> dict[str, Any]:
        return {"support": list(self.support), "z": list(self.z), "words": list(self.words),
                "neighbours": self.neighbours,
                "expression": None if self.expression is None else list(self.expression), "cap": self.cap,
                "related": None if self.related is None else list(self.related), "quiet": list(self.quiet)}


def own_reply(source: str) -> bool:
    """Whether a training example's reply goes into the support bank: our own labelled replies
    only. Attacked variants are not support talk, and counsel-chat answers (scraped web text)
    bring signatures, links, quotes and puppet dialogues that would make every appendix look
    like something a supporter says."""
    return not source.startswith("attack:") and source != "counsel-chat"


def bank_passages(replies: Iterable[str], passages_of: Callable[[str], Sequence[str]]) -> list[str]:
    """The distinct passages of `replies` (a reply of one passage is one), in sorted order."""
    out: set[str] = set()
    for r in replies:
        if r.strip():
            out.update(passages_of(r) or [r])
    return sorted(out)


def support(passages: np.ndarray, bank: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Mean cosine of each passage (rows, any scale) with its `k` nearest rows of `bank`
    (unit rows)."""
    sims = unit(passages) @ bank.T
    k = min(k, sims.shape[1])
    top = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
    out: np.ndarray = top.mean(axis=1)
    return out


#: what the rule measures of a passage: (word count, z, support, expression[, related])
Passage = tuple[float, ...]


def weights(passages: Sequence[Passage], settings: Settings | None = None) -> list[float]:
    """How much each passage of a reply counts as neither support talk nor about this seeker,
    or (r13) as related to nothing in its reply or its seeker's message (0..1). `passages`:
    (word count, z, support, expression, related) of each passage (`related` may be left out:
    r12); a value the rule does not need may be nan (the z and `related` of a passage of
    `settings.words[0]` words or fewer, the support and expression of one that is about this
    seeker, the expression of one whose support alone counts it in full or when the settings
    have no `expression` range). A nan never counts."""
    st = settings or Settings()
    if len(passages) < 2:
        return [0.0] * len(passages)
    out = []
    for n, z, near, expr, *rest in passages:
        size = ramp(float(n), *st.words)
        weight = ramp(z, st.z[1], st.z[0]) if size > 0.0 else 0.0  # falls from 1 at z[0] to 0 at z[1]
        if weight > 0.0:
            far = ramp(near, st.support[1], st.support[0])
            if st.expression is not None:
                far = max(far, ramp(expr, st.expression[1], st.expression[0]))
            weight *= far
        if st.related is not None and rest and size > 0.0:  # r13: about nothing here, whatever z says
            quiet = ramp(expr, st.quiet[1], st.quiet[0])
            weight = max(weight, ramp(rest[0], st.related[1], st.related[0]) * quiet)
        out.append(size * weight)
    return out


def word_share(ws: Sequence[float], counts: Sequence[int]) -> float:
    """The share of a reply's words that its passages' `weights` count (0.0 for no words)."""
    total = sum(counts)
    return sum(w * n for w, n in zip(ws, counts)) / total if total else 0.0


def off_share(passages: Sequence[Passage], settings: Settings | None = None) -> float:
    """The share of a reply's words in passages that are neither support talk nor about this
    seeker (`weights` of each passage, weighted by its words)."""
    return word_share(weights(passages, settings), [int(p[0]) for p in passages])


Expression = Callable[[Sequence[tuple[int, int]]], np.ndarray]


def off_weights(replies: Sequence[tuple[np.ndarray, Sequence[int], np.ndarray]], contexts: np.ndarray,
                bank: np.ndarray, settings: Settings | None = None,
                expression: Expression | None = None) -> list[list[float]]:
    """`weights` of each reply's passages: (its passages' embeddings as rows, their word counts,
    the seeker's context embedding). The cheap test runs first: z against the relevance bank
    (`contexts`, 384 rows) for passages long enough to count; the support bank (thousands of
    rows) is read, in one product for the whole batch, only for passages that are not about
    their seeker, and `expression` (given (reply, passage) indices, each passage's own
    expression score; needed when the settings have an `expression` range) only for those of
    them that support alone does not count in full, and (r13) for every long passage whose
    `related` is below `settings.related[1]`, whatever its z."""
    st = settings or Settings()
    measured: list[list[list[float]]] = []
    todo: list[np.ndarray] = []
    where: list[tuple[int, int]] = []
    loose: list[tuple[int, int]] = []  # r13: related to nothing here
    for r, (emb, counts, context) in enumerate(replies):
        rows = [[float(n), float("nan"), float("nan"), float("nan"), float("nan")] for n in counts]
        long = [k for k, n in enumerate(counts) if n > st.words[0]]
        if len(counts) >= 2 and long:
            if st.related is not None:
                for k, rel in zip(long, related(emb, context)[long]):
                    rows[k][4] = float(rel)
                    if rel < st.related[1]:
                        loose.append((r, k))
            for k, z in zip(long, zscores(emb[long], context, contexts)):
                rows[k][1] = float(z)
                if z < st.z[1]:
                    todo.append(emb[k])
                    where.append((r, k))
        measured.append(rows)
    if todo:
        for (r, k), near in zip(where, support(np.stack(todo), bank, st.neighbours)):
            measured[r][k][2] = float(near)
    # the expression test only matters where support alone does not already count it fully,
    # and (r13) for each passage related to nothing here
    ask = [(r, k) for r, k in where if measured[r][k][2] > st.support[0]] if st.expression is not None else []
    ask = sorted(set(ask) | set(loose))
    if ask:
        if expression is None:
            raise ValueError("these register settings need each passage's expression score")
        for (r, k), e in zip(ask, expression(ask)):
            measured[r][k][3] = float(e)
    return [weights([tuple(row) for row in rows], st) for rows in measured]


def related(passages: np.ndarray, context: np.ndarray) -> np.ndarray:
    """Each passage's (rows of one reply, 2 or more) cosine with the seeker's context or, where
    higher, with the closest other passage of the same reply (r13). A paragraph appended from
    nowhere (a recipe, song lines, an FAQ) is close to neither; a reply's own paragraphs speak
    to the seeker or to each other."""
    u = unit(passages)
    sims = u @ u.T
    np.fill_diagonal(sims, -1.0)
    out: np.ndarray = np.maximum(u @ unit(context), sims.max(axis=1))
    return out


def off_shares(replies: Sequence[tuple[np.ndarray, Sequence[int], np.ndarray]], contexts: np.ndarray,
               bank: np.ndarray, settings: Settings | None = None,
               expression: Expression | None = None) -> list[float]:
    """`off_share` of each reply (see `off_weights`)."""
    return [word_share(ws, counts) for (_, counts, _), ws
            in zip(replies, off_weights(replies, contexts, bank, settings, expression))]
