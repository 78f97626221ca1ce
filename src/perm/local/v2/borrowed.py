"""How much of a reply is not the supporter's own words, and the discount that follows.

The v2 heads read embeddings, and an embedding of "the seeker's message, then a good reply" is
close to both: the heads rated such replies at least as high as the reply alone (`perm audit`,
`quote_back`: 31 % of scenarios on the reward). Copying is padding, and PERM's bystander
punishes padding, so the runtime credits a reply only for the share of it that is its own:

* **copied words**: words in runs of at least `RUN_WORDS` words that also occur in what the
  supporter was shown of the seeker (persona, scenario, the seeker's earlier turns and
  message), verbatim or with the pronouns turned round ("I"/"you", "my"/"your"...: a parrot is
  still a copy). Shorter quotes ("you said you feel invisible at work") are ordinary reflective
  listening and cost nothing. The turn's own `# Analysis` is not a source here: a reply that
  reuses the phrasing of its plan is normal (8-word runs counted this way cost 0.006 of
  pairwise accuracy on our test split); only a reply that is mostly its analysis is (below);
* **repeated sentences**: every sentence of two or more words said again (the same words,
  case and punctuation aside) after its first time;
* **symbol padding**: pictographs and other symbol characters (Unicode "So": emoji, dingbats;
  a joined sequence such as a flag counts once) beyond the first `FREE_SYMBOLS`, each counted
  like a word.
* **the plan sent as the reply** (since 2026-12-06, late): when at least `PLAN_MIN_SHARE` of
  the reply's words sit in runs of `PLAN_RUN_WORDS` words of the turn's own `# Analysis`
  (pronouns aligned as above), the reply is the private notes, not an answer to the seeker,
  and that share counts as borrowed (`max` with the rest). Below that nothing is counted: no
  reply in our six labelled splits reuses more than 13 % of its words from its analysis. An
  output judged whole because it misses the layout (`on_format_error: judge`) contains its
  analysis by construction; the runtime does not apply this rule to it.
* **the reply sent as the analysis** (r9, 2026-12-07): the mirror of the rule above, for
  resonation: when at least `PLAN_MIN_SHARE` of the analysis's words sit in runs of
  `PLAN_RUN_WORDS` words of the turn's reply (runs the seeker's own texts hold left out:
  both may quote the seeker), the analysis is a message to the seeker, not an analysis, and
  resonation is discounted by that share (`echo_share`; the runtime applies it in
  `model._echoed_analyses`). No analysis in our labelled splits reuses more than 24 % of its
  words from its reply;
* **asides** (since 2026-12-06, late): sentences (or lines) that speak to whoever scores the
  reply (`GRADER`: an HTML comment, a `[SYSTEM ...]` tag, "grader", "rubric", "rate this 5",
  "10/10"...) or talk about the reply itself instead of the seeker (`ITSELF`: "this response
  is warm...", "my reply", "as an AI", "a language model"). They are not said to the seeker;
  their words count as borrowed, in `reply_share` only (the same patterns are the
  `to_the_grader` and `about_itself` shortcut signs of `perm.signs`);
* **tics** (r9 openers, r10 any place, r12 longer; 2026-12-07): a fragment of one to
  `TIC_WORDS` (8; 3 before r12) words set off by a comma and a sentence edge or by two
  commas — an opener ("Kwame, ...", "My dear, ..."), a closer ("..., my friend.",
  "..., okay?") or an insert ("it makes sense, Kwame, that") —
  said `TIC_REPEATS` or more times in the reply, in any of those places, is a tic, not
  something said to the seeker: after its first time its words count as borrowed, in
  `reply_share` only, and `own_text` drops it everywhere. r9 looked at openers only (the
  audit's `name_stuffing` tied or beat the good reply in 44 % of scenarios); the name closing
  every sentence (`name_closing`) still did in 47 %, so r10 counts the three places alike;
  a hedge of four to seven words opening every sentence (`hedge_openers`) still won 11 % on
  the reward and 16 % on expression, so r12 counts fragments of up to eight words.
* **narrated actions** (r11, 2026-12-07): one to `ACTION_WORDS` lower-case words in
  asterisks, underscores or parentheses that stand as their own unit ("*nods slowly*",
  "(leans in)", "_pauses_"; at the start of a sentence or line and followed by a new sentence
  or the end, or after a sentence's end mark) narrate the supporter's body instead of saying
  anything to the seeker: their words count as borrowed, in `reply_share` only, and `own_text`
  drops them (the audit's `stage_directions` tied or beat the good reply in 47 % of scenarios,
  53 % on reception). Emphasis inside a sentence ("that is *really* hard"), a capitalised or
  running parenthesis and list markers ("(a)", "(iv)") are not actions.

`share = (borrowed words + extra symbols) / (words + extra symbols)`, and every response-side
score keeps `1 - share` of its height above the dimension's floor. Since r8 the score it keeps
that share of is also no higher than the heads' score of `own_text` (the reply without its
repeated sentences, asides and mostly-copied sentences): the heads rated "I hear you." said
five times, or the seeker's message restated before a good reply, above the reply alone by
more than the share takes off. A reply with nothing
borrowed is untouched; a reply that is all borrowed text sits at the floor. Runs must match
word for word once the pronouns are aligned: a looser restatement is left to the heads.
Pure Python.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from ...types import Sample
from .text import NON_ASCII, SENTENCE_END, visible, words

RUN_WORDS = 12
FREE_SYMBOLS = 2
#: A fragment of one to `TIC_WORDS` words set off by commas ("Kwame," opening a sentence, ", my
#: friend." closing one, ", Kwame," inside one) said this many times or more is a tic, not
#: something said to the seeker: after its first time, its words count as borrowed (`asides`
#: only: in `reply_share` and `own_text`)
TIC_REPEATS = 3
#: The longest fragment that can be a tic, in words (r10: 3; r12: 8).
TIC_WORDS = 8
_FRAGMENT = rf"([A-Za-z][\w'’-]*(?: [\w'’-]+){{0,{TIC_WORDS - 1}}})"
OPENER = re.compile(r"^\s*[\"'“‘(*_-]*" + _FRAGMENT + r",\s+")
CLOSER = re.compile(r",\s+" + _FRAGMENT + r"\s*[.!?…]*[\"'”’)*_]*\s*$")
INSERT = re.compile(r",\s+" + _FRAGMENT + r"(?=,\s)")
#: A narrated action ("*nods slowly*", "(leans in)", "_pauses_"): one to `ACTION_WORDS`
#: lower-case words in asterisks, underscores or parentheses that stand as their own unit (r11)
ACTION_WORDS = 24
_ACTION = r"(?P<open>[*_(])(?P<act>[a-z][a-z'’ ,-]*?)(?P<close>[*_)])"
ACTION_START = re.compile(r"\s*" + _ACTION + r"\s*")
ACTION_END = re.compile(r"(?<=[.!?…)\"'”’])\s+" + _ACTION + r"\s*$")
_PAIRS = {"*": "*", "_": "_", "(": ")"}
_NUMERAL = re.compile(r"[ivxlc]+")
PLAN_RUN_WORDS = 8
PLAN_MIN_SHARE = 0.5


#: Text that speaks to whoever scores the turn.
GRADER = re.compile("|".join((
    r"<!--", r"\[\s*(?:system|meta|note|grader|evaluator|reviewer|judge)\b",
    r"\b(?:grader|evaluator|reviewer|assessor|rater|rubric|full marks)\b",
    r"\b(?:score|rating|rate|rated)\s*(?:this|it)?\s*(?:reply|response|answer|turn)?\s*"
    r"(?:[:=]|as|at|of)?\s*(?:\d|five|ten|maximum|highest|perfect|full|top|excellent)\b",
    r"\b(?:maximum|highest|perfect|full|top)\b[^.\n]{0,20}?\b(?:score|rating|marks)\b",
    r"\b(?:5\s*/\s*5|10\s*/\s*10|100\s*/\s*100)\b",
)), re.IGNORECASE)
#: Text in which a reply talks about itself: calls itself a reply, response or answer, or says
#: what writes it (apostrophes normalised to ' before matching).
ITSELF = re.compile("|".join((
    r"\b(?:this|my|the above) (?:(?!(?:is|was|seems|sounds|can be|may be)\b)[\w-]+,? ){0,3}?"
    r"(?:reply|response|answer)\b",
    r"\b(?:a|an) (?:[\w-]+,? ){0,3}?(?:reply|response|answer) (?:that|which) (?:names|validates|"
    r"follows|shows|reflects|acknowledges|invites)\b",
    r"\bas (?:an?|your) (?:ai|a\.i\.|artificial intelligence|language model|llm|chatbot|bot|"
    r"virtual assistant|ai assistant)\b",
    r"\b(?:i am|i'm|im) (?:just |only |an? )*(?:ai|a\.i\.|artificial intelligence|language "
    r"model|llm|chatbot|bot|computer program|virtual assistant)\b",
    r"\b(?:large )?language model\b",
)), re.IGNORECASE)


def is_aside(text: str) -> bool:
    """Whether the text speaks to the grader or talks about the reply itself."""
    return GRADER.search(text) is not None or ITSELF.search(text.replace("\u2019", "'")) is not None


def sources(sample: Sample) -> list[str]:
    """The texts a reply should not repeat at length: what the supporter was shown of the
    seeker."""
    seeker = [t.content for t in sample.history if t.role == "user"]
    return [sample.persona, sample.scenario, *seeker, sample.query]


#: First and second person mapped to one form, so a run matches whichever way it is turned.
_PERSON = {"i": "you", "me": "you", "we": "you", "us": "you", "my": "your", "our": "your",
           "mine": "yours", "ours": "yours", "myself": "yourself", "ourselves": "yourselves",
           "am": "are", "was": "were", "i'm": "you're", "im": "you're", "we're": "you're",
           "i've": "you've", "we've": "you've", "i'll": "you'll", "we'll": "you'll",
           "i'd": "you'd", "we'd": "you'd"}


def _norm(text: str) -> list[str]:
    return [_PERSON.get(w, w) for w in map(str.lower, words(visible(text).replace("\u2019", "'")))]


def runs(texts: Iterable[str]) -> set[tuple[str, ...]]:
    """Every `RUN_WORDS`-word run of the texts, person-aligned (build once per context)."""
    out: set[tuple[str, ...]] = set()
    for text in texts:
        ws = _norm(text)
        out.update(tuple(ws[i:i + RUN_WORDS]) for i in range(len(ws) - RUN_WORDS + 1))
    return out


def _flags(reply: str, seen: set[tuple[str, ...]], asides: bool, *,
           tics: bool = True) -> tuple[list[bool], int, list[str]]:
    """Per word of the reply: borrowed or not (tics only with `asides` and `tics`); the
    symbols beyond the free ones; the reply's words (`_norm(reply)`: sentences split at
    whitespace, so no word is cut)."""
    raw = _split(visible(reply))
    sentences = [_norm(x) for x in raw]
    ws = [w for sent in sentences for w in sent]
    borrowed = [False] * len(ws)
    for i in range(len(ws) - RUN_WORDS + 1):
        if tuple(ws[i:i + RUN_WORDS]) in seen:
            borrowed[i:i + RUN_WORDS] = [True] * RUN_WORDS
    said: set[tuple[str, ...]] = set()
    found_tics = _tics(raw) if asides and tics else [[] for _ in raw]
    at = 0
    for text, sent, found in zip(raw, sentences, found_tics):
        key = tuple(sent)
        if key in said or (asides and is_aside(text)):
            borrowed[at:at + len(sent)] = [True] * len(sent)
        else:
            for t in found:  # never past the sentence: the list keeps its length
                lo, hi = at + min(t.word, len(sent)), at + min(t.word + t.size, len(sent))
                borrowed[lo:hi] = [True] * (hi - lo)
            if len(key) > 1:  # "Yeah. Yeah." is a backchannel, not padding
                said.add(key)
        at += len(sent)
    return borrowed, max(0, _symbols(reply) - FREE_SYMBOLS), ws


def _split(shown: str) -> list[str]:
    """The sentences of a (visible) text, line by line: the units every rule here counts in."""
    return [x for line in re.split(r"\n+", shown) for x in SENTENCE_END.split(line)]


class _Tic(NamedTuple):
    key: str  # the fragment, lower-cased
    word: int  # its first word's index among the sentence's words
    size: int  # its words
    cut: tuple[int, int]  # the characters `own_text` removes
    opener: bool  # the sentence's first letter follows the cut (upper-cased)


def _fragments(text: str) -> list[_Tic]:
    """The sentence's comma-set fragments that could be a tic, in reading order."""
    found = []
    m = OPENER.match(text)
    if m:
        found.append((m, (m.start(1), m.end()), True))
    found += [(x, (x.start(), x.end() + 1), False) for x in INSERT.finditer(text)
              if not m or x.start(1) >= m.end()]
    c = CLOSER.search(text, m.end(1) if m else 0)  # "You deserved better, Kwame." has both
    if c:
        found.append((c, (c.start(), c.end(1)), False))
    return [_Tic(x.group(1).lower().replace("’", "'"), len(_norm(text[:x.start(1)])),
                 len(words(x.group(1))), cut, opener) for x, cut, opener in found]


def _is_action(m: re.Match[str]) -> bool:
    """Paired marks around one to `ACTION_WORDS` words, not a list marker ("(a)", "(iv)")."""
    act = m["act"]
    return (_PAIRS[m["open"]] == m["close"] and 0 < len(words(act)) <= ACTION_WORDS
            and sum(c.isalpha() for c in act) >= 4 and not _NUMERAL.fullmatch(act))


def _actions(text: str) -> list[_Tic]:
    """The sentence's narrated actions: at its start, each followed by the end of the sentence
    or a new one (a capital, a quote or another action), and one after its end mark."""
    found: list[re.Match[str]] = []
    at = 0
    while (m := ACTION_START.match(text, at)) and _is_action(m):
        rest = text[m.end():]
        if rest and not re.match(r"[\"'“‘(*_]?[A-Z]|[*_(][a-z]", rest):
            break
        found.append(m)
        at = m.end()
    end = ACTION_END.search(text, at)
    if end and _is_action(end):
        found.append(end)
    return [_Tic("", len(_norm(text[:x.start("act")])), len(words(x["act"])), (x.start(), x.end()), False)
            for x in found]


def _tics(sentences: list[str], *, first: bool = False) -> list[list[_Tic]]:
    """Per sentence, its narrated actions (`_actions`, every one) and its fragments that are a
    tic (said `TIC_REPEATS` times or more in the reply, in any place) said again: [] for most
    sentences; the first time a tic is said is left out unless `first`."""
    found = [_fragments(x) for x in sentences]
    counts: dict[str, int] = {}
    for tics in found:
        for t in tics:
            counts[t.key] = counts.get(t.key, 0) + 1
    out: list[list[_Tic]] = []
    said: set[str] = set()
    for tics in found:
        out.append([t for t in tics if counts[t.key] >= TIC_REPEATS and (first or t.key in said)])
        said.update(t.key for t in tics)
    return [sorted([*acts, *tics], key=lambda t: t.cut)
            for acts, tics in zip(map(_actions, sentences), out)]


def has_mannerism(reply: str) -> bool:
    """Whether the reply says a comma-set tic `TIC_REPEATS` or more times ("..., Kwame." on
    every sentence) or narrates an action ("*nods slowly*"): the shapes r10 to r12 count."""
    return any(_tics(_split(visible(reply)), first=True))


def own_text(reply: str, seen: set[tuple[str, ...]]) -> str:
    """The reply without its borrowed sentences: those said again, asides, and those whose
    words are mostly inside copied runs (lines kept, sentences of a line joined by a space),
    and without its tics in the sentences it keeps (the first time included: the reply
    without the tic). What a reply is scored no
    higher than (`register.Settings.cap`)."""
    flags, _, _ = _flags(reply, seen, asides=True, tics=False)  # tics are cut, not weighed
    shown = visible(reply)
    tics = iter(_tics(_split(shown), first=True))
    out: list[str] = []
    at = 0
    parts = re.split(r"(\n+)", shown)
    for line, brk in zip(parts[::2], [*parts[1::2], ""]):
        kept = []
        for text in SENTENCE_END.split(line):
            n, found = len(_norm(text)), next(tics, [])
            if n and sum(flags[at:at + n]) * 2 < n and words(cut := _without(text, found)):
                kept.append(cut)  # a sentence that was only tics ("Kwame, okay.") goes
            at += n
        if kept:
            out.append(" ".join(kept) + brk)
    return "".join(out).strip()


def _without(text: str, tics: list[_Tic]) -> str:
    """The sentence without its tics (an opener's sentence then starts with a capital). Cuts
    are made from the end, each ending where the one after it began (two tics may share a
    comma: "Kwame, okay.")."""
    end = len(text)
    for t in sorted(tics, key=lambda t: t.cut, reverse=True):
        lo, hi = t.cut[0], min(t.cut[1], end)
        if lo >= hi:
            continue
        rest = text[hi:].lstrip() if t.opener else text[hi:]
        text = text[:lo] + (rest[:1].upper() + rest[1:] if t.opener else rest)
        end = lo
    return text


def _share(flags: list[bool], symbols: int) -> float:
    total = len(flags) + symbols
    return (sum(flags) + symbols) / total if total else 0.0


def borrowed_share(reply: str, seen: set[tuple[str, ...]]) -> float:
    """The share of the reply (words plus symbols beyond the free ones) that is copied, said
    again or symbol padding; 0.0 for a reply that is all its own."""
    flags, symbols, _ = _flags(reply, seen, asides=False)
    return _share(flags, symbols)


def plan_share(reply: str, analysis: str | None) -> float:
    """The share of the reply's words inside runs of `PLAN_RUN_WORDS` words of the analysis
    (pronouns aligned); 0.0 without an analysis."""
    return _plan_share(_norm(reply), analysis)


def _plan_share(ws: list[str], analysis: str | None) -> float:
    plan = _norm(analysis or "")
    n = PLAN_RUN_WORDS
    seen = {tuple(plan[i:i + n]) for i in range(len(plan) - n + 1)}
    hit = [False] * len(ws)
    for i in range(len(ws) - n + 1):
        if tuple(ws[i:i + n]) in seen:
            hit[i:i + n] = [True] * n
    return sum(hit) / len(ws) if ws else 0.0


def plan_runs(texts: Iterable[str]) -> set[tuple[str, ...]]:
    """Every `PLAN_RUN_WORDS`-word run of the texts, person-aligned (for `echo_share`)."""
    n = PLAN_RUN_WORDS
    return {tuple(ws[i:i + n]) for ws in map(_norm, texts) for i in range(len(ws) - n + 1)}


def echo_share(analysis: str, reply: str, theirs: set[tuple[str, ...]]) -> float:
    """The share of the analysis's words inside runs of `PLAN_RUN_WORDS` words of its reply
    (pronouns aligned), the runs of the seeker's own texts (`theirs`, `plan_runs(sources)`)
    left out: an analysis and a reply that both quote the seeker share those words without
    one being the other."""
    n = PLAN_RUN_WORDS
    rep = _norm(reply)
    mine = {tuple(rep[i:i + n]) for i in range(len(rep) - n + 1)} - theirs
    ws = _norm(analysis)
    hit = [False] * len(ws)
    for i in range(len(ws) - n + 1):
        if tuple(ws[i:i + n]) in mine:
            hit[i:i + n] = [True] * n
    return sum(hit) / len(ws) if ws else 0.0


def reply_share(reply: str, seen: set[tuple[str, ...]], analysis: str | None) -> float:
    """What the runtime discounts: the borrowed share with the asides counted in, or the
    `plan_share` when the reply is mostly its own analysis (at least `PLAN_MIN_SHARE`),
    whichever is larger."""
    flags, symbols, ws = _flags(reply, seen, asides=True)
    share = _share(flags, symbols)
    plan = _plan_share(ws, analysis)
    return max(share, plan) if plan >= PLAN_MIN_SHARE else share


def _symbols(text: str) -> int:
    """Symbol characters, a joined emoji sequence (family, flag: parts glued by U+200D) as one."""
    if text.isascii():  # no symbol characters (category So) in ASCII
        return 0
    plain = text.replace("\ufe0f", "")
    # only non-ASCII characters can be symbols; the glue is looked up at the same position of
    # `text` (with its variation selectors), as this rule has always done
    return sum(unicodedata.category(plain[i]) == "So" and (i == 0 or text[i - 1] != "\u200d")
               for m in NON_ASCII.finditer(plain) for i in range(m.start(), m.end()))


def discount(value: float, floor: float, share: float) -> float:
    """`value` keeps `1 - share` of its height above `floor`."""
    return floor + (value - floor) * (1.0 - share)
