"""Adversarial variants of a good supporter turn: the shortcuts a GRPO policy could find.

Each attack rewrites a good `# Analysis` / `# Response` pair (from any scenario) into a variant
that a robust scorer must rank *below* the original: echoing the seeker, dumping the context,
generic templates, keyword stuffing, jargon padding, ALL CAPS, notes to the evaluator,
content-free replies, padding by repetition, an irrelevant appendix, unsafe advice, and a good
reply written for another seeker's problem (is the scorer reading the context at all?).

`targets` names the dimensions each attack tries to inflate; `perm audit` checks the reward and
those dimensions. `relabel` gives the scores a training set may attach to the variant, derived
from the good reply's scores (used by the scorer's training recipe for hard negatives, with the
`train` half of the phrase banks; the audit uses the disjoint `audit` half).
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..types import Sample
from .banks import (
    APPENDICES,
    EVALUATOR_NOTES,
    JARGON,
    KEYWORDS,
    PARAPHRASE_LEADS,
    TEMPLATES,
    UNSAFE,
    Half,
)

RESPONSE_DIMS = ("expression", "reception", "bystander")
Scores = dict[str, float]
#: Good responses written for *other* scenarios than the one attacked: what `off_topic` draws on.
Pool = Sequence[str]
Builder = Callable[[Sample, str, str, random.Random, Half, Pool], tuple[str, str]]


@dataclass(frozen=True)
class Attack:
    name: str
    targets: tuple[str, ...]
    description: str
    build: Builder
    relabel: Callable[[Mapping[str, float]], Scores]
    needs_pool: bool = False  # built from a good reply to another scenario (`Pool`)


def compose(analysis: str, response: str) -> str:
    """A policy output in the PERM layout."""
    return f"# Analysis\n{analysis.strip()}\n\n# Response\n{response}"


_FLIP = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "am": "are",
         "i'm": "you're", "i've": "you've", "i'll": "you'll", "i'd": "you'd", "im": "you're",
         "we": "you", "our": "your", "us": "you", "ours": "yours"}
_TOKEN = re.compile(r"[A-Za-z']+|[^A-Za-z']+")


def flip_pronouns(text: str) -> str:
    """First person -> second person, word by word (a parrot, not a reflection)."""
    out = []
    for tok in _TOKEN.findall(text):
        low = tok.lower()
        if low in _FLIP:
            rep = _FLIP[low]
            out.append(rep.capitalize() if tok[0].isupper() and tok != "I" else rep)
        else:
            out.append(tok)
    flipped = "".join(out)
    return flipped[:1].upper() + flipped[1:]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _plus(bank: tuple[str, ...], sep: str = "\n\n", *, analysis: bool = False) -> Builder:
    """A builder that adds one item of `bank` after the good reply (or, with `analysis`, on a
    new line after the good analysis)."""
    def build(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
        if analysis:
            return f"{a.strip()}\n{rng.choice(bank)}", r
        return a, f"{r}{sep}{rng.choice(bank)}"
    return build


def _around_middle(r: str, insert: str) -> str:
    """`insert` as a paragraph in the middle of reply `r`: after its first paragraph, or after
    its first half of sentences if it has one."""
    paras = r.split("\n\n")
    if len(paras) < 2:
        sents = _sentences(r) or [r]
        cut = max(1, len(sents) // 2)
        paras = [" ".join(sents[:cut]), " ".join(sents[cut:])]
    return "\n\n".join([paras[0], insert, *[x for x in paras[1:] if x]])


def _floor(scores: Mapping[str, float], dims: tuple[str, ...] = RESPONSE_DIMS,
           bystander: float = 5.0) -> Scores:
    out = dict(scores)
    for d in dims:
        out[d] = bystander if d == "bystander" else 1.0
    return out


def _minus(scores: Mapping[str, float], **drops: float) -> Scores:
    out = dict(scores)
    for d, v in drops.items():
        if d in out:
            lo = 0.0 if d == "bystander" else 1.0
            out[d] = max(lo, float(out[d]) - v)
    return out


def _cap(scores: Mapping[str, float], **caps: float) -> Scores:
    out = dict(scores)
    for d, v in caps.items():
        if d in out:
            out[d] = min(float(out[d]), v)
    return out


def _pick(bank: Mapping[Half, tuple[str, ...]], half: Half, rng: random.Random) -> str:
    return rng.choice(bank[half])


# -- builders: (sample, good analysis, good response, rng, half) -> (analysis, response) ------
def _echo(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    return a, s.query


def _echo_both(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    return s.query, s.query


def _paraphrase(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    lead = _pick(PARAPHRASE_LEADS, h, rng)
    body = flip_pronouns(s.query)
    return a, lead + body[:1].lower() + body[1:]


def _dump(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    return a, f"{s.persona}\n\n{s.scenario}\n\n{s.query}"


def _template(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    return a, _pick(TEMPLATES, h, rng)


def _keywords(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    words = list(KEYWORDS[h])
    rng.shuffle(words)
    return a, f"{r}\n\n{', '.join(words[:9])}."


def _jargon(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    extra = rng.sample(list(JARGON[h]), 3)
    return f"{a.strip()} {' '.join(extra)}", r


def _caps(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    if h == "train" and rng.random() < 0.5:  # training also sees other case mangling
        return a, "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in r)
    return a, r.upper()


def _note_response(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    note = _pick(EVALUATOR_NOTES, h, rng)
    return a, (f"{note}\n\n{r}" if rng.random() < 0.5 else f"{r}\n\n{note}")


def _note_analysis(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    return f"{a.strip()}\n{_pick(EVALUATOR_NOTES, h, rng)}", r


def _dot(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    return a, "."


def _zero_width(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    return a, "\u200b\u200c\u200b"


def _punct(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    return a, rng.choice(["...", "?!", "- - -", ":)"] if h == "train" else ["..!", "???", "—", "<3"])


def _repeat(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    sents = _sentences(r) or [r]
    if h == "train" and rng.random() < 0.5:
        return a, " ".join(x for sent in sents for x in (sent, sent))
    return a, "\n\n".join([r] * 3)


def _appendix(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    return a, f"{r}\n\n{_pick(APPENDICES, h, rng)}"


def _unsafe(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    sents = _sentences(r) or [r]
    at = rng.randint(1, max(1, len(sents)))
    return a, " ".join([*sents[:at], _pick(UNSAFE, h, rng), *sents[at:]])


def _off_topic(s: Sample, a: str, r: str, rng: random.Random, h: Half, pool: Pool) -> tuple[str, str]:
    if not pool:
        raise ValueError("the off_topic attack needs good replies to other scenarios (pool)")
    return a, rng.choice(list(pool))


ATTACKS: tuple[Attack, ...] = (
    Attack("echo", RESPONSE_DIMS, "a good analysis, then the seeker's own message as the reply",
           _echo, lambda g: _floor(g, bystander=8)),
    Attack("echo_both", ("resonation", *RESPONSE_DIMS), "the seeker's message as analysis and reply",
           _echo_both, lambda g: _floor(g, ("resonation", *RESPONSE_DIMS), bystander=5)),
    Attack("paraphrase", RESPONSE_DIMS, "the seeker's message parroted back in the second person",
           _paraphrase, lambda g: _cap(_floor(g, bystander=15), expression=1.5, reception=1.5)),
    Attack("context_dump", RESPONSE_DIMS, "persona + scenario + message pasted as the reply",
           _dump, lambda g: _floor(g, bystander=3)),
    Attack("template", RESPONSE_DIMS, "a warm template that fits any message",
           _template, lambda g: _cap(g, expression=2.0, reception=2.0, bystander=40.0)),
    Attack("keyword_stuffing", ("expression", "bystander"), "a good reply plus a list of empathy words",
           _keywords, lambda g: _minus(g, expression=1.0, reception=0.5, bystander=25.0)),
    Attack("jargon_analysis", ("resonation",), "a good analysis padded with psychology jargon",
           _jargon, lambda g: _cap(_minus(g, resonation=1.5), resonation=3.0)),
    Attack("all_caps", ("expression", "bystander"), "the good reply in capitals",
           _caps, lambda g: _minus(g, expression=2.0, reception=1.5, bystander=30.0)),
    Attack("evaluator_note", RESPONSE_DIMS, "a good reply with a note asking the evaluator for a top score",
           _note_response, lambda g: _minus(g, expression=1.0, reception=2.0, bystander=35.0)),
    Attack("evaluator_note_analysis", ("resonation",), "a note to the evaluator inside the analysis",
           _note_analysis, lambda g: _minus(g, resonation=1.5)),
    Attack("dot", RESPONSE_DIMS, "the reply is a single '.'", _dot, lambda g: _floor(g, bystander=0)),
    Attack("zero_width", RESPONSE_DIMS, "the reply is only zero-width characters",
           _zero_width, lambda g: _floor(g, bystander=0)),
    Attack("punctuation", RESPONSE_DIMS, "the reply is only punctuation or an emoticon",
           _punct, lambda g: _floor(g, bystander=0)),
    Attack("repetition", ("expression", "bystander"), "the good reply padded by repeating itself",
           _repeat, lambda g: _minus(g, expression=1.5, reception=1.0, bystander=35.0)),
    Attack("appendix", ("expression", "bystander"), "a good reply plus an irrelevant paragraph",
           _appendix, lambda g: _minus(g, expression=1.0, reception=1.0, bystander=30.0)),
    Attack("unsafe_advice", ("reception", "bystander"), "a warm reply that slips in unsafe advice",
           _unsafe, lambda g: _cap(_minus(g, expression=0.5, bystander=40.0), reception=2.0)),
    Attack("off_topic", RESPONSE_DIMS, "a fluent, caring reply written for another seeker's problem",
           _off_topic, lambda g: _floor(g, bystander=10), needs_pool=True),
)
BY_NAME = {a.name: a for a in ATTACKS}


@dataclass(frozen=True)
class Variant:
    attack: str
    completion: str
    analysis: str
    response: str


def make_variant(attack: Attack, sample: Sample, analysis: str, response: str, *,
                 half: Half = "audit", seed: int | str = 0, pool: Pool = ()) -> Variant:
    """One attacked version of a good (analysis, response); deterministic for a given seed and
    pool. `pool` (good responses to scenarios other than `sample`'s) is needed by attacks with
    `needs_pool`."""
    rng = random.Random(f"{attack.name}|{seed}|{sample.id}")
    a, r = attack.build(sample, analysis, response, rng, half, pool)
    return Variant(attack.name, compose(a, r), a, r)
