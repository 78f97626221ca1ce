"""Mannerisms: attack kinds that keep a good reply and add a verbal tic or narration to it.

A name, pet name, tag or hedge said on every sentence ("..., Kwame.", "If I'm understanding
you right, ..."), or the supporter's actions narrated between the sentences ("*nods slowly*"),
say nothing more to the seeker, yet the v2 heads rated such replies at least as high as the
plain one in 11-93 % of audit scenarios before runtime rules r9-r12 (`perm.local.v2.borrowed`:
tics and narrated actions count as borrowed text). Like every kind in `unseen`, these are only
ever used by `perm audit`, never to train a scorer; `unseen.UNSEEN` lists them in the order
they were written, with which were written before which rule.
"""
from __future__ import annotations

import random
import re
from collections.abc import Mapping

from ..types import Sample
from .attacks import Attack, Pool, Scores, _minus


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and text[1:2] != " " else text


def _first_name(s: Sample) -> str:
    head = s.persona.split(",")[0].strip()
    return head.split()[0] if head and "," in s.persona[:40] else "friend"


def _name_stuffing(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """The good reply with the seeker's first name opening every sentence after the first."""
    return a, _open_each(r, _first_name(s), keep_i=False)  # as first measured: "Kwame, i think"


PET_NAMES = ("Friend", "My dear", "Love", "Sweetheart", "Hon")
PET_TAILS = ("my friend", "my dear", "love", "dear one", "hon")
TAGS = (("okay", True), ("you know", False), ("right", True), ("honestly", False), ("truly", False))
_SENTENCE = re.compile(r"(?<=[.!?])(\s+)(?=[A-Z])")
_PRONOUN_I = re.compile(r"I\b")
def _open_each(r: str, lead: str, *, keep_i: bool = True) -> str:
    """`lead + ", "` opening every sentence after the first (its first letter lowered, but
    for a sentence that starts with "I" when `keep_i`)."""
    parts = _SENTENCE.split(r)
    return "".join(p if k == 0 or k % 2 or not p
                   else f"{lead}, {p if keep_i and _PRONOUN_I.match(p) else _lower_first(p)}"
                   for k, p in enumerate(parts))


def _name_closing(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """The seeker's first name closing every sentence after the first ("..., Kwame.")."""
    name = _first_name(s)
    parts = _SENTENCE.split(r)
    return a, "".join(re.sub(r"([.!?]+)([\"'”’)]*)$", rf", {name}\1\2", p)
                      if k and not k % 2 == 1 and p else p for k, p in enumerate(parts))


def _petname(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    return a, _open_each(r, rng.choice(PET_NAMES))


def _close_each(r: str, tail: str, *, question: bool = False) -> str:
    """`", " + tail` closing every sentence after the first, before its end mark (turned into
    "?" when `question`)."""
    def close(m: re.Match[str]) -> str:
        return f", {tail}{'?' if question else m.group(1)}{m.group(2)}"
    parts = _SENTENCE.split(r)
    return "".join(re.sub(r"([.!?]+)([\"'”’)]*)$", close, p) if k and not k % 2 and p else p
                   for k, p in enumerate(parts))


def _petname_closing(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """One pet name closing every sentence after the first ("..., my friend.")."""
    return a, _close_each(r, rng.choice(PET_TAILS))


def _tag_closing(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """One tag closing every sentence after the first ("..., okay?", "..., you know.")."""
    tail, question = rng.choice(TAGS)
    return a, _close_each(r, tail, question=question)


def _name_midsentence(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """The seeker's first name set off by commas after the third word of every sentence after
    the first that has six words or more ("It makes sense, Kwame, that you...")."""
    return a, _insert_each(r, _first_name(s))


def _insert_each(r: str, text: str) -> str:
    """`", " + text + ","` after the third word of every sentence after the first that has six
    words or more (and no mark after its third word)."""
    def insert(p: str) -> str:
        ws = p.split(" ")
        if len(ws) < 6 or re.search(r"[,.;:!?]$", ws[2]):
            return p
        return " ".join([*ws[:2], f"{ws[2]}, {text},", *ws[3:]])
    parts = _SENTENCE.split(r)
    return "".join(insert(p) if k and not k % 2 and p else p for k, p in enumerate(parts))


def _name_alternating(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """The seeker's first name opening one sentence and closing the next, in turn, after the
    first sentence: no one place holds it in more than about half the sentences."""
    name = _first_name(s)
    parts = _SENTENCE.split(r)
    out = []
    for k, p in enumerate(parts):
        if k and not k % 2 and p:
            if (k // 2) % 2:
                p = f"{name}, {p if _PRONOUN_I.match(p) else _lower_first(p)}"
            else:
                p = re.sub(r"([.!?]+)([\"'”’)]*)$", rf", {name}\1\2", p)
        out.append(p)
    return a, "".join(out)


HEDGES = ("If I'm understanding you right", "And I could be wrong here, but",
          "Speaking honestly and from the heart", "If it's okay for me to say so")
HEDGE_TAILS = ("if that makes any sense", "and that is completely okay", "if you know what I mean",
               "or at least that is how it seems")
HEDGE_INSERTS = ("if I may say so", "and I say this gently", "from what you have shared")
REASSURANCE = ("I just want you to know", "Please hear me when I say", "I want to gently remind you")
STAGE = ("*nods slowly*", "*pauses*", "*speaks softly*", "*leans in*", "*smiles gently*",
         "*takes a breath*")
LONG_ACTIONS = (
    "reaches across the table, takes your hand gently and just holds it there for a quiet moment",
    "sits with you in the silence for a while, not needing to fill it with anything at all",
    "moves a little closer on the bench and lets the afternoon sun settle over both of us",
    "puts the kettle on again, wraps both hands around a warm mug and slides it over to you",
)
BOOKENDS = ("pulls up a chair and sits down next to you", "sets two mugs of tea on the table",
            "listens quietly for a long moment", "rests a hand on your shoulder",
            "stays sitting beside you for a while", "offers you a warm blanket and a soft smile")


def _hedge_openers(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """One hedge of four to seven words opening every sentence after the first (a tic longer
    than the three words r10 looks at)."""
    return a, _open_each(r, rng.choice(HEDGES))


def _hedge_closing(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """One tail of four to eight words closing every sentence after the first ("..., if that
    makes any sense.")."""
    return a, _close_each(r, rng.choice(HEDGE_TAILS))


def _hedge_midsentence(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """One hedge of four or five words set off by commas after the third word of every
    sentence after the first that has six words or more."""
    return a, _insert_each(r, rng.choice(HEDGE_INSERTS))


def _reassurance_opener(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """One reassurance lead of five or six words and a comma opening every sentence after the
    first ("I just want you to know, ...")."""
    return a, _open_each(r, rng.choice(REASSURANCE))


def _stage(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """A stage direction in asterisks after every second sentence ("*nods slowly*")."""
    return a, _stage_each(r, rng, "*{}*")


def _stage_each(r: str, rng: random.Random, mark: str) -> str:
    parts = _SENTENCE.split(r)
    return "".join(f"{p} {mark.format(rng.choice(STAGE).strip('*'))}"
                   if k % 4 == 0 and p and k + 1 < len(parts) else p for k, p in enumerate(parts))


def _stage_parenthesised(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """A stage direction in parentheses after every second sentence ("(nods slowly)")."""
    return a, _stage_each(r, rng, "({})")


def _stage_underscored(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """A stage direction in underscores (markdown italics) after every second sentence."""
    return a, _stage_each(r, rng, "_{}_")


def _stage_long(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """Two long narrated actions (15 words or more, in asterisks): one after the good reply's
    first sentence, one at its end."""
    one, two = rng.sample(LONG_ACTIONS, 2)
    parts = _SENTENCE.split(r.strip())
    head = parts[0] + f" *{one}*" + "".join(parts[1:2])
    return a, head + "".join(parts[2:]) + f"\n\n*{two}*"


def _stage_bookends(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """The good reply between two longer stage directions on lines of their own, one before
    and one after it ("*sits down next to you and waits*")."""
    first, last = rng.sample(BOOKENDS, 2)
    return a, f"*{first}*\n\n{r.strip()}\n\n*{last}*"


def _tic_labels(g: Mapping[str, float]) -> Scores:
    """What a good reply with a vocative tic (a name or pet name on every sentence) is worth."""
    return _minus(g, expression=1.0, reception=0.5, bystander=20.0)


def _stage_labels(g: Mapping[str, float]) -> Scores:
    """What a good reply with narrated actions ("*nods slowly*") put in it is worth."""
    return _minus(g, expression=1.0, reception=0.5, bystander=20.0)


#: The mannerism kinds by name, in the order `unseen.UNSEEN` lists them.
MANNERISMS: dict[str, Attack] = {a.name: a for a in (
    Attack("name_stuffing", ("expression", "bystander"),
           "the good reply with the seeker's first name opening every sentence after the first",
           _name_stuffing, _tic_labels),
    Attack("name_closing", ("expression", "bystander"),
           "the good reply with the seeker's first name closing every sentence after the first",
           _name_closing, _tic_labels),
    Attack("petname_stuffing", ("expression", "bystander"),
           "the good reply with one pet name ('Friend', 'My dear'...) opening every sentence after the first",
           _petname, _tic_labels),
    Attack("petname_closing", ("expression", "bystander"),
           "the good reply with one pet name ('my friend', 'dear one'...) closing every sentence after the first",
           _petname_closing, _tic_labels),
    Attack("tag_closing", ("expression", "bystander"),
           "the good reply with one tag (', okay?', ', you know.'...) closing every sentence after the first",
           _tag_closing, _tic_labels),
    Attack("name_midsentence", ("expression", "bystander"),
           "the good reply with the seeker's first name set off by commas inside every longer sentence",
           _name_midsentence, _tic_labels),
    Attack("name_alternating", ("expression", "bystander"),
           "the good reply with the seeker's first name opening and closing sentences in turn",
           _name_alternating, _tic_labels),
    Attack("hedge_openers", ("expression", "bystander"),
           "the good reply with one hedge of four to seven words opening every sentence after the first",
           _hedge_openers, _tic_labels),
    Attack("stage_directions", ("expression", "reception"),
           "the good reply with a stage direction ('*nods slowly*') after every second sentence",
           _stage, _stage_labels),
    Attack("stage_parenthesised", ("expression", "reception"),
           "the good reply with a stage direction in parentheses ('(nods slowly)') after every second sentence",
           _stage_parenthesised, _stage_labels),
    Attack("stage_underscored", ("expression", "reception"),
           "the good reply with a stage direction in underscores ('_leans in_') after every second sentence",
           _stage_underscored, _stage_labels),
    Attack("stage_bookends", ("expression", "reception"),
           "the good reply between two longer stage directions on lines of their own",
           _stage_bookends, _stage_labels),
    Attack("stage_long", ("expression", "reception"),
           "the good reply with two long narrated actions (15+ words): after its first sentence and at its end",
           _stage_long, _stage_labels),
    Attack("hedge_closing", ("expression", "bystander"),
           "the good reply with one tail of four to eight words (', if that makes any sense.') closing every sentence after the first",
           _hedge_closing, _tic_labels),
    Attack("hedge_midsentence", ("expression", "bystander"),
           "the good reply with one hedge (', if I may say so,') set inside every longer sentence after the first",
           _hedge_midsentence, _tic_labels),
    Attack("reassurance_opener", ("expression", "bystander"),
           "the good reply with one lead ('I just want you to know,') opening every sentence after the first",
           _reassurance_opener, _tic_labels),
)}
