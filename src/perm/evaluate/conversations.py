"""The report's per-turn view of `perm simulate` transcripts: reward and seeker state over the
turns of each system, how episodes ended, and one conversation shown side by side for two
systems (the scenario where their episode rewards differ most)."""
from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import PermError
from ..runs import read_finished
from ..signs import SIGNS, rates_of
from . import charts
from .evidence import is_stand_in

Transcripts = dict[str, list[dict[str, Any]]]  # system -> transcript lines


def load_transcripts(paths: Sequence[str | Path]) -> Transcripts:
    """`perm simulate` outputs by system name (each file must hold one system's transcripts)."""
    out: Transcripts = {}
    for p in paths:
        rows = list(read_finished(Path(p), truncate=False).records.values())
        if not rows or any("turns" not in r or "system" not in r for r in rows):
            raise PermError(f"{p}: not a `perm simulate` transcripts file")
        system = str(rows[0]["system"])
        if system in out:
            raise PermError(f"{p}: system {system!r} is given twice; rename one with --name")
        out[system] = rows
    return out


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def per_turn(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[float | None]]:
    """Mean PERM reward, seeker feeling and share of 'need met: yes' at each turn (None: no data)
    and how many episodes reached each turn."""
    longest = max((len(r["turns"]) for r in rows), default=0)
    out: dict[str, list[float | None]] = {"reward": [], "feeling": [], "need_met": [], "n": []}
    for k in range(longest):
        turns = [r["turns"][k] for r in rows if len(r["turns"]) > k]
        rewards = [v for t in turns if (v := _num((t.get("score") or {}).get("reward"))) is not None]
        feelings = [v for t in turns if (v := _num((t.get("seeker") or {}).get("feeling"))) is not None]
        needs = [(t.get("seeker") or {}).get("need_met") for t in turns]
        needs = [n for n in needs if n is not None]
        out["reward"].append(sum(rewards) / len(rewards) if rewards else None)
        out["feeling"].append(sum(feelings) / len(feelings) if feelings else None)
        out["need_met"].append(sum(n == "yes" for n in needs) / len(needs) if needs else None)
        out["n"].append(float(len(turns)))
    return out


def turn_chart(transcripts: Transcripts) -> bytes:
    """Two panels over turns: mean PERM reward, and the seeker's mean feeling (0-10)."""
    with charts.styled():
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
        for i, (name, rows) in enumerate(transcripts.items()):
            curves = per_turn(rows)
            for ax, key in zip(axes, ("reward", "feeling")):
                pts = [(k + 1, v) for k, v in enumerate(curves[key]) if v is not None]
                if pts:
                    ax.plot(*zip(*pts), marker="o", color=charts.color(i), linewidth=2.2, label=name)
        axes[0].set_title("Mean PERM reward of each turn")
        axes[0].set_ylabel("PERM reward")
        axes[1].set_title("Seeker's feeling after each turn (its own report)")
        axes[1].set_ylabel("feeling (0-10)")
        axes[1].set_ylim(0, 10)
        for ax in axes:
            ax.set_xlabel("turn")
            ax.xaxis.get_major_locator().set_params(integer=True)
        if axes[0].get_legend_handles_labels()[0]:
            axes[0].legend(loc="best")
        fig.tight_layout()
        return charts.to_png(fig)


def _esc(v: Any) -> str:
    return html.escape(str(v))


def _f(v: Any, digits: int = 3) -> str:
    n = _num(v)
    return "—" if n is None else f"{n:.{digits}f}"


def summary_table(transcripts: Transcripts) -> str:
    """Per system: episodes, mean episode reward, mean turns, and how the episodes ended."""
    body = ""
    for name, rows in transcripts.items():
        rewards = [v for r in rows if (v := _num((r.get("reward") or {}).get("value"))) is not None]
        ends: dict[str, int] = {}
        for r in rows:
            ends[str(r.get("end"))] = ends.get(str(r.get("end")), 0) + 1
        mean = sum(rewards) / len(rewards) if rewards else None
        body += (f"<tr><td>{_esc(name)}</td><td class='num'>{len(rows)}</td>"
                 f"<td class='num'>{_f(mean)}</td><td class='num'>{len(rows) - len(rewards)}</td>"
                 f"<td class='num'>{sum(len(r['turns']) for r in rows) / len(rows):.2f}</td>"
                 f"<td>{_esc(', '.join(f'{k} {v}' for k, v in sorted(ends.items())))}</td></tr>")
    return ("<div class='scroll'><table><tr><th>system</th><th>episodes</th><th>episode reward</th>"
            "<th>reward missing</th><th>turns played</th><th>ended by</th></tr>" + body + "</table></div>")


def sign_rates(transcripts: Transcripts) -> dict[str, dict[str, float | int | None]]:
    """Per system, each shortcut sign's share of the policy turns that had a reply to check
    (`n`: how many); turns of transcripts written before signs were recorded are left out, and
    a system with none checked gets no rates."""
    out: dict[str, dict[str, float | int | None]] = {}
    for name, rows in transcripts.items():
        shown = [t["signs"] for r in rows for t in r.get("turns") or []
                 if isinstance(t, Mapping) and isinstance(t.get("signs"), list)]
        out[name] = rates_of([{s: s in x for s in SIGNS} for x in shown]) if shown else {}
    return out


def stand_in_note(transcripts: Transcripts) -> str:
    """A warning when a fake judge or a fake seeker made any of the transcripts."""
    fakes = sorted({f"{name} ({who} {r.get(who)})" for name, rows in transcripts.items() for r in rows
                    for who in ("judge", "seeker")
                    if is_stand_in(r.get(who)) or str(r.get(who, "")).startswith("fake")})
    if not fakes:
        return ""
    return ("<p class='warn'>Made with a stand-in (scripted) judge or seeker: these conversations "
            f"and numbers carry no meaning: {_esc('; '.join(fakes[:4]))}"
            f"{' …' if len(fakes) > 4 else ''}</p>")


def pick_pair(transcripts: Transcripts) -> tuple[str, str, str] | None:
    """(scenario id, system a, system b): the first two systems' shared scenario whose episode
    rewards differ most (None with fewer than two systems or no shared scenario)."""
    names = list(transcripts)
    if len(names) < 2:
        return None
    a, b = names[0], names[1]
    by_a = {r["id"]: r for r in transcripts[a]}
    best: tuple[float, str] | None = None
    for r in transcripts[b]:
        other = by_a.get(r["id"])
        if other is None:
            continue
        ra, rb = _num((other.get("reward") or {}).get("value")), _num((r.get("reward") or {}).get("value"))
        gap = abs(ra - rb) if ra is not None and rb is not None else -1.0
        if best is None or gap > best[0]:
            best = (gap, str(r["id"]))
    return None if best is None else (best[1], a, b)


def _column(name: str, color: str, row: Mapping[str, Any]) -> str:
    reward = (row.get("reward") or {}).get("value")
    head = (f"<div class='who'><span class='dot'></span>{_esc(name)} <span class='note'>episode "
            f"reward {_f(reward)} · ended: {_esc(row.get('end'))}</span></div>")
    turns = []
    for t in row["turns"]:
        score = t.get("score") or {}
        dims = " · ".join(f"{k[:3]} {v:g}" for k, v in (score.get("scores") or {}).items()
                          if _num(v) is not None)
        seeker = t.get("seeker") or {}
        if t.get("seeker") is None:
            said = f"<p class='note'>seeker not asked: {_esc(t.get('stop') or 'stopped')}</p>"
        else:
            state = (f"feeling {_f(seeker.get('feeling'), 0)}/10 · need met {_esc(seeker.get('need_met') or '—')}"
                     if seeker.get("error") is None else f"report missing: {seeker['error']}")
            said = (f"<div class='seeker'><div class='text'>{_esc(seeker.get('message') or '(left)')}</div>"
                    f"<span class='note'>{_esc(state)}</span></div>")
        turns.append(f"<div class='turn'><div class='note'>turn {t['turn']} · reward "
                     f"{_f(score.get('reward'))}{' · ' + _esc(dims) if dims else ''}</div>"
                     f"<div class='text'>{_esc(t.get('response') or '(no reply)')}</div>{said}</div>")
    lines = "".join(f"<li>{_esc(line)}</li>" for line in (row.get("reward") or {}).get("lines", []))
    why = f"<details><summary>how the reward was made</summary><ul class='note'>{lines}</ul></details>"
    return f"<div class='reply convo' style='--c:{color}'>{head}{''.join(turns)}{why}</div>"


def side_by_side(transcripts: Transcripts, colors: Mapping[str, str]) -> str:
    """One scenario's conversation for two systems, turn by turn (empty without a shared one)."""
    picked = pick_pair(transcripts)
    if picked is None:
        return ""
    sid, a, b = picked
    rows = {n: next(r for r in transcripts[n] if r["id"] == sid) for n in (a, b)}
    first = rows[a]
    return (f"<div class='example'><div class='situation'><b>{_esc(sid)}</b> · "
            f"{_esc(first.get('persona', ''))} {_esc(first.get('scenario', ''))}<blockquote>"
            f"{_esc(first.get('query', ''))}</blockquote></div><div class='replies'>"
            + "".join(_column(n, colors.get(n, charts.color(k)), rows[n]) for k, n in enumerate((a, b)))
            + "</div></div>")
