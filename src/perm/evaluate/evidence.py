"""What a report may claim from its head-to-head measures: each measure (PERM reward, pairwise
judge, human raters) as one `Evidence`, which judges are stand-ins, the headline (only from a
real judge or people, and "beats" only with a significant sign test) and where measures
disagree. Pure functions over the result documents; no I/O."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

#: Sign-test level below which a report says "beats" / "trails".
ALPHA = 0.05
#: Judge backends whose answers carry no meaning (tests, demos, dry runs).
STAND_IN_BACKENDS = ("fake",)

Kind = Literal["reward", "pairwise", "human"]


def is_stand_in(judge: str | None) -> bool:
    """Whether a judge identity (`backend:model`) names a stand-in judge such as `fake`."""
    return bool(judge) and str(judge).split(":", 1)[0] in STAND_IN_BACKENDS


def judge_label(judge: str | None) -> str:
    """A judge identity for display, marked when it is a stand-in."""
    if not judge:
        return "unknown judge"
    return f"{judge} (stand-in judge: meaningless)" if is_stand_in(judge) else str(judge)


@dataclass(frozen=True)
class Evidence:
    """One head-to-head measure of B against A."""

    kind: Kind
    a: str
    b: str
    judge: str | None  # judge identity; None for human raters
    rate: float | None
    lo: float | None
    hi: float | None
    wins: int
    ties: int
    losses: int
    p: float | None
    failed: int  # pairs without a usable reward / verdict / answer
    total: int  # pairs asked about
    doc: Mapping[str, Any]

    @property
    def stand_in(self) -> bool:
        return self.kind != "human" and is_stand_in(self.judge)

    @property
    def source(self) -> str:
        """What the measure is, naming its judge (stand-ins marked)."""
        if self.kind == "reward":
            return f"PERM reward, judge {judge_label(self.judge)}"
        if self.kind == "pairwise":
            return f"pairwise judge {judge_label(self.judge)}"
        raters = len(self.doc.get("raters") or {})
        return f"human raters ({raters})"

    @property
    def label(self) -> str:
        short = {"reward": "PERM reward", "pairwise": "pairwise judge", "human": "human raters"}[self.kind]
        tag = " (stand-in)" if self.stand_in else ""
        return f"{self.b} vs {self.a} · {short}{tag}"

    @property
    def significant(self) -> bool:
        return self.p is not None and self.p < ALPHA and self.rate is not None and self.rate != 0.5


def _ints(doc: Mapping[str, Any], key: str) -> int:
    v = doc.get(key)
    return int(v) if isinstance(v, (int, float)) else 0


def _evidence(kind: Kind, doc: Mapping[str, Any], judge: str | None, failed: int, total: int) -> Evidence:
    return Evidence(kind, str(doc["a"]), str(doc["b"]), judge, doc.get("rate"), doc.get("lo"),
                    doc.get("hi"), _ints(doc, "wins"), _ints(doc, "ties"), _ints(doc, "losses"),
                    doc.get("p_sign"), failed, total, doc)


def collect(eval_doc: Mapping[str, Any] | None, compares: Sequence[Mapping[str, Any]] = (),
            humans: Sequence[Mapping[str, Any]] = ()) -> list[Evidence]:
    """Every head-to-head measure of the report's inputs, failed ones included."""
    out: list[Evidence] = []
    for pair in (eval_doc or {}).get("pairs", []):
        unpaired = _ints(pair, "unpaired")
        out.append(_evidence("reward", pair, (eval_doc or {}).get("judge"), unpaired,
                             _ints(pair, "n") + unpaired))
    for c in compares:
        out.append(_evidence("pairwise", c, c.get("judge"), _ints(c, "failed"), _ints(c, "pairs")))
    for h in humans:
        total = _ints(h, "pairs_total")
        out.append(_evidence("human", h, None, total - _ints(h, "pairs_answered"), total))
    return out


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.0%}"


def _p(p: float | None) -> str:
    return "—" if p is None else ("< 0.001" if p < 0.001 else f"{p:.3f}")


def claim(e: Evidence) -> str:
    """One sentence of what a measure shows, worded by its significance."""
    if e.rate is None:
        return (f"{e.b} vs {e.a}: no result ({e.failed} of {e.total} pairs without a usable "
                f"{'answer' if e.kind == 'human' else 'verdict' if e.kind == 'pairwise' else 'reward'})")
    ci = f" [{_pct(e.lo)}, {_pct(e.hi)}]" if e.lo is not None else ""
    wins = f"{e.b} wins {_pct(e.rate)} of scenarios{ci}, sign test p = {_p(e.p)}"
    if not e.significant:
        return f"No significant difference between {e.b} and {e.a}: {wins}"
    verb = "beats" if (e.rate or 0) > 0.5 else "trails"
    return f"{e.b} {verb} {e.a}: {wins}"


_PRIORITY: dict[str, int] = {"human": 0, "pairwise": 1, "reward": 2}


def headline(items: Sequence[Evidence]) -> tuple[str, str] | None:
    """(claim, its source) for the report's headline, or None when there is nothing to say.

    Only measures from a real judge or from people qualify; among them the most significant
    (lowest sign-test p; people before judges before the reward on a tie). When every measure
    comes from a stand-in judge, the headline says so instead of claiming anything."""
    if not items:
        return None
    real = [e for e in items if not e.stand_in and e.rate is not None]
    if not real:
        if all(e.stand_in for e in items):
            return ("No verdict: every comparison here was judged by a stand-in judge, whose "
                    "scores carry no meaning", "use a real judge (e.g. --judge openai) for results")
        if any(e.stand_in for e in items):
            return ("No verdict: the comparisons by a real judge or by people produced no result, "
                    "and the others come from a stand-in judge", "see the failures below")
        return ("No verdict: no comparison produced a result", "see the failures below")
    best = min(real, key=lambda e: (e.p if e.p is not None else 1.0, _PRIORITY[e.kind]))
    return claim(best), f"by {best.source}"


def _direction(e: Evidence) -> str | None:
    if e.rate is None:
        return None
    return "b" if e.rate > 0.5 else "a" if e.rate < 0.5 else "tie"


def disagreements(items: Sequence[Evidence]) -> list[str]:
    """One sentence per pair of systems whose measures point different ways."""
    groups: dict[tuple[str, str], list[Evidence]] = {}
    for e in items:
        groups.setdefault((e.a, e.b), []).append(e)
    out = []
    for (a, b), group in groups.items():
        if len({d for e in group if (d := _direction(e)) is not None}) < 2:
            continue
        parts = "; ".join(f"{e.source}: {b} wins {_pct(e.rate)} (p = {_p(e.p)})"
                          for e in group if e.rate is not None)
        out.append(f"The measures disagree on {b} vs {a}. {parts}.")
    return out
