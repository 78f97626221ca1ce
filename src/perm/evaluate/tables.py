"""Console tables (rich) for `perm eval`, `perm compare` and `perm human import`."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table

from ..signs import SIGNS
from .evidence import judge_label


def _ci(stat: Mapping[str, Any] | None, digits: int = 3, pct: bool = False) -> str:
    if not stat or stat.get("mean" if "mean" in stat else "rate") is None:
        return "—"
    v = stat.get("mean", stat.get("rate"))

    def f(x: float) -> str:
        return f"{x:.1%}" if pct else f"{x:.{digits}f}"

    return f"{f(v)} [{f(stat['lo'])}, {f(stat['hi'])}]" if stat.get("lo") is not None else f(v)


def _rate(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _p(p: float | None) -> str:
    return "—" if p is None else ("<0.001" if p < 0.001 else f"{p:.3f}")


def eval_tables(summary: Mapping[str, Any]) -> list[Table]:
    """Per-system means with intervals, rates and lengths; then the paired comparisons."""
    dims = summary["dimensions"]
    n = summary["ids"]
    t = Table(title=f"PERM eval — {n} scenario{'' if n == 1 else 's'}, judge {judge_label(summary['judge'])} "
                    f"(mean [95% CI])")
    t.add_column("metric")
    for name in summary["systems"]:
        t.add_column(name, justify="right")
    systems = list(summary["systems"].values())
    t.add_row("reward", *[_ci(s["reward"]) for s in systems])
    t.add_row("empathy", *[_ci(s["empathy"]) for s in systems])
    for d in dims:
        t.add_row(f"  {d}", *[_ci(s["scores"][d], 1 if d == "bystander" else 2) for s in systems])
    t.add_section()
    t.add_row("format kept", *[f"{s['format_ok_rate']:.1%}" for s in systems])
    t.add_row("judge failure rate", *[f"{s['judge_failure_rate']:.1%}" for s in systems])
    t.add_row("reward missing", *[f"{s['reward_missing_rate']:.1%}" for s in systems])
    t.add_section()
    t.add_row("tokens mean / median / p90",
              *[f"{s['length']['mean']:.0f} / {s['length']['median']:.0f} / {s['length']['p90']:.0f}"
                for s in systems])
    if any(s.get("signs") for s in systems):  # eval.json files written before 2026-12-06 have none
        t.add_section()
        for name in SIGNS:
            t.add_row(f"sign: {name.replace('_', ' ')}", *[_rate((s.get("signs") or {}).get(name)) for s in systems])
    if any(s.get("shared_lines") for s in systems):  # since 2026-12-06 (tenth session)
        t.add_row("lines said to many seekers", *[_rate((s.get("shared_lines") or {}).get("rate")) for s in systems])
    out = [t]
    if summary["pairs"]:
        p = Table(title="Paired by scenario: win rate of B over A by PERM reward (ties count half)")
        for col in ("B vs A", "win rate [95% CI]", "W / T / L", "sign test p", "reward B−A [95% CI]"):
            p.add_column(col, justify="left" if col == "B vs A" else "right")
        for pair in summary["pairs"]:
            p.add_row(f"{pair['b']} vs {pair['a']}", _ci(pair, pct=True),
                      f"{pair['wins']} / {pair['ties']} / {pair['losses']}", _p(pair["p_sign"]),
                      _ci(pair["mean_diff"]))
        out.append(p)
    return out


def preference_table(summary: Mapping[str, Any], title: str) -> Table:
    """Win rate, its interval, the sign test and the position-bias estimate."""
    t = Table(title=title)
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_row(f"win rate of {summary['b']} over {summary['a']} [95% CI]", _ci(summary, pct=True))
    t.add_row("pairs won / tied / lost", f"{summary['wins']} / {summary['ties']} / {summary['losses']}")
    t.add_row("sign test p (two-sided)", _p(summary["p_sign"]))
    pos = summary.get("position") or {}
    if pos.get("first_rate") is not None:
        t.add_row("first-shown reply chosen [95% CI] (0.5 = no bias)",
                  _ci({"mean": pos["first_rate"], "lo": pos["lo"], "hi": pos["hi"]}, pct=True))
    if pos.get("consistency") is not None:
        t.add_row("same winner in both orders", f"{pos['consistency']:.1%} of {pos['both_orders']}")
    if summary.get("failed"):
        t.add_row("pairs without a usable verdict", str(summary["failed"]))
    if summary.get("rater_agreement") is not None:
        t.add_row("rater agreement (same answer)", f"{summary['rater_agreement']:.1%}")
    return t
