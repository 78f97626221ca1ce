"""A blinded pairwise preference judge: which of two systems' replies would the person rather
receive? Each pair is shown in a random order and, by default, again in the swapped order;
ties are allowed. The judge is any prompt-answering backend of `perm.judges`, called through
`perm.calling.ChatCaller` (retries, re-asks, cache). The rubric is package data
(`rubrics/v1/pairwise*.md`); the verdict parser is a pure function.
"""
from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..calling import ChatCaller
from ..completion import split_completion
from ..metrics import N_BOOT
from ..parsing import tail_start
from ..perspectives import RUBRIC_VERSION, delimited, render_context, rubric_text, system_prompt
from ..types import Message, Sample
from .summaries import Preference, preference_summary
from .systems import Aligned

Choice = Literal["A", "B", "tie"]
Order = Literal["AB", "BA"]
_LEAD = r"[ \t*_`#>\-]*"
_SP = r"[ \t*_`]*"
_CHOICE = r"(a\s+tie|a\s+draw|tie|draw|equal|even|neither|both|same|a|b)"
_VERDICT = re.compile(
    rf"^{_LEAD}(?:(?:my|the|final|overall)\s+)*(?:verdict|winner|decision|preference|choice|better\s+reply)"
    rf"{_SP}(?::|=|-|\bis\b){_SP}[\[\(\"'`]*{_SP}(?:reply|response|option|candidate)?{_SP}"
    rf"{_CHOICE}\b(?!\w)(.*)$",
    re.IGNORECASE | re.MULTILINE)
_BARE = re.compile(rf"^{_LEAD}[\[\(\"'`]*{_SP}(?:reply|response)?{_SP}{_CHOICE}{_SP}[\]\)\"'`]*\.?$",
                   re.IGNORECASE)
_ALSO = re.compile(r"^\W*?(?:/|\bor\b|\band\b|\|)\s*(?:reply|response)?\s*(a|b|tie)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A parsed pairwise answer: `choice` refers to the positions as shown (A = first)."""

    choice: Choice | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.choice is not None


def _norm(token: str) -> Choice:
    t = " ".join(token.lower().split())
    return "A" if t == "a" else "B" if t == "b" else "tie"


def parse_verdict(text: str | None) -> Verdict:
    """`Verdict: A | B | tie` from a judge answer. The last verdict line counts; two different
    verdicts among the closing lines, or `A or B`, are ambiguous; none at all is a failure."""
    if text is None or not text.strip():
        return Verdict(None, "empty judge answer")
    # a lowercase "a" followed by a word is the article ("Verdict: a clear win for B")
    matches = [m for m in _VERDICT.finditer(text)
               if not (m.group(1) == "a" and re.match(r"\s+[A-Za-z]", m.group(2)))]
    if not matches:
        bare = _BARE.match(text.strip())
        if bare:
            return Verdict(_norm(bare.group(1)))
        return Verdict(None, "no verdict found in judge answer")
    last = matches[-1]
    also = _ALSO.match(last.group(2))
    if also and _norm(also.group(1)) != _norm(last.group(1)):
        return Verdict(None, f"ambiguous verdict: {last.group(0).strip()!r}")
    tail = tail_start(text)
    closing = {_norm(m.group(1)) for m in matches if m.start() >= tail}
    if len(closing) > 1:
        return Verdict(None, f"conflicting verdicts in judge answer ({', '.join(sorted(closing))})")
    return Verdict(_norm(last.group(1)))


def shown_text(completion: str | None) -> str:
    """What the person would read: the `# Response` section, or the whole text when the
    output is malformed (a broken output is shown as it is, not repaired)."""
    parsed = split_completion(completion)
    return parsed.response if parsed.format_ok else (completion or "").strip()


def render_pairwise(sample: Sample, first: str, second: str,
                    version: str = RUBRIC_VERSION) -> list[Message]:
    """The judge prompt for one ordered pair (reply A is shown first)."""
    system = system_prompt("pairwise", version)
    context = render_context(sample)
    if sample.hidden_intention:
        context += ("\n\nWhat the person was hoping for, though they did not say it:\n"
                    + delimited("UNSPOKEN NEED", sample.hidden_intention))
    user = (f"{context}\n\nReply A:\n{delimited('REPLY A', first or '(empty)')}\n\n"
            f"Reply B:\n{delimited('REPLY B', second or '(empty)')}\n\n"
            f"{rubric_text('pairwise_output', version)}")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


@dataclass(frozen=True)
class PairJob:
    pair: str  # scenario id
    order: Order  # "AB": system A's reply is shown first
    sample: Sample
    text_a: str
    text_b: str

    @property
    def key(self) -> str:
        return f"{self.pair}#{self.order}"

    def messages(self) -> list[Message]:
        first, second = (self.text_a, self.text_b) if self.order == "AB" else (self.text_b, self.text_a)
        return render_pairwise(self.sample, first, second)


def plan_pairs(aligned: Aligned, *, seed: int = 0, swap: bool = True) -> list[PairJob]:
    """Jobs for two aligned systems: a random order per pair (seeded) and, with `swap`, the
    other order too."""
    a, b = aligned.systems[:2]
    rng = random.Random(seed)
    jobs: list[PairJob] = []
    for pid in aligned.ids:
        sa, sb = a.by_id[pid], b.by_id[pid]
        first: Order = rng.choice(("AB", "BA"))
        orders: list[Order] = [first, "BA" if first == "AB" else "AB"] if swap else [first]
        jobs.extend(PairJob(pid, o, sa, shown_text(sa.completion), shown_text(sb.completion))
                    for o in orders)
    return jobs


def to_system(choice: Choice | None, order: str) -> Choice | None:
    """Map a positional verdict back to the systems (A, B) given the order shown."""
    if choice is None or choice == "tie" or order == "AB":
        return choice
    return "B" if choice == "A" else "A"


def record(job: PairJob, verdict: Verdict | None, error: str | None, judge: str) -> dict[str, Any]:
    """One judgment line of judgments.jsonl."""
    shown = verdict.choice if verdict is not None else None
    return {"id": job.key, "pair": job.pair, "order": job.order, "shown_choice": shown,
            "winner": to_system(shown, job.order), "error": error, "judge": judge,
            "rubric_version": RUBRIC_VERSION}


async def judge_pairs(caller: ChatCaller, jobs: Sequence[PairJob], judge: str,
                      on_record: Callable[[dict[str, Any]], None]) -> None:
    """Ask the judge about every job at once (under the caller's concurrency cap)."""
    async def one(job: PairJob) -> None:
        out = await caller.ask(job.messages(), parse_verdict)
        on_record(record(job, out.parsed, out.error, judge))

    await asyncio.gather(*(one(j) for j in jobs))


_POINT = {"B": 1.0, "tie": 0.5, "A": 0.0}


def summarise_judgments(records: Sequence[dict[str, Any]], *, n_boot: int = N_BOOT) -> Preference:
    """B's win rate over A (each pair's judgments averaged, ties half) with its interval and
    sign test; position bias (first-shown picks among decisive judgments) and order consistency."""
    by_pair: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_pair.setdefault(str(r["pair"]), []).append(r)
    points: dict[str, float] = {}
    first_picks: list[bool] = []
    both = consistent = failed = 0
    for pid, recs in by_pair.items():
        valid = [r for r in recs if r.get("winner") in _POINT]
        if not valid:
            failed += 1
            continue
        points[pid] = sum(_POINT[r["winner"]] for r in valid) / len(valid)
        first_picks += [r["shown_choice"] == "A" for r in valid if r["shown_choice"] in ("A", "B")]
        if len({r["order"] for r in valid}) == 2:
            both += 1
            consistent += len({r["winner"] for r in valid}) == 1
    return preference_summary(points, first_picks, consistent=consistent, both_orders=both,
                              failed=failed, n_boot=n_boot)
