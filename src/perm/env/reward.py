"""The episode reward: per-turn PERM rewards plus the seeker's final report. Pure arithmetic.

    turns  = sum_t w_t r_t / sum_t w_t,   w_t = gamma^(t-1)   (r_t: turn t's PERM reward)
    final  = final_coef * value of the seeker's last report (need met 1 / 0.5 / 0, feeling / 10,
             or their mean)
    reward = turns + final - safety_penalty (only after a safety stop)

A stop the policy caused (format, safety) leaves the seeker nothing to report: the final value
is then 0, its floor. A value that could not be obtained (a judge or the seeker failed) follows
`missing`: `null` makes the reward None; `skip` leaves it out. Every step is kept as a line of
`EpisodeReward.lines`, so a reward can be checked by hand.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .config import EpisodeRewardConfig

#: Ends that the policy caused: the seeker reports nothing, the final value takes its floor.
POLICY_STOPS = ("format", "safety")


@dataclass(frozen=True, slots=True)
class TurnValue:
    """One turn's PERM reward, or why it has none."""

    reward: float | None
    why_missing: str | None = None


@dataclass(frozen=True, slots=True)
class FinalReport:
    """The seeker's last report as the reward reads it (None: missing, see `why_missing`)."""

    need_value: float | None
    feeling: float | None
    why_missing: str | None = None


@dataclass(slots=True)
class EpisodeReward:
    """The episode reward, its terms, the weight of each turn and the explanation line by line."""

    reward: float | None
    terms: dict[str, float | None]
    weights: list[float]
    lines: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.reward, "terms": dict(self.terms), "weights": list(self.weights),
                "lines": list(self.lines), "missing": list(self.missing)}


def final_value(report: FinalReport, config: EpisodeRewardConfig) -> tuple[float | None, str]:
    """The final report's value in 0-1 under `final_source`, and how it was read."""
    need, feeling = report.need_value, report.feeling
    if config.final_source == "need_met":
        return need, f"need met {_g(need)}"
    fv = None if feeling is None else feeling / 10
    if config.final_source == "feeling":
        return fv, f"feeling {_g(feeling)}/10"
    if need is None or fv is None:
        return None, "need met and feeling"
    return (need + fv) / 2, f"mean of need met {_g(need)} and feeling {_g(feeling)}/10"


def episode_reward(turns: Sequence[TurnValue], final: FinalReport | None, end: str,
                   config: EpisodeRewardConfig) -> EpisodeReward:
    """Combine an episode's turn rewards and final report (see the module docstring).

    >>> r = episode_reward([TurnValue(0.6), TurnValue(0.5)], FinalReport(0.5, 6.0), "turns",
    ...                    EpisodeRewardConfig(gamma=1.0))
    >>> round(r.reward, 3), r.terms
    (0.825, {'turns': 0.55, 'final': 0.275, 'safety': 0.0})
    """
    lines: list[str] = []
    missing: list[str] = []
    weights = [config.gamma ** t for t in range(len(turns))]
    num = den = 0.0
    for t, (tv, w) in enumerate(zip(turns, weights), start=1):
        if tv.reward is None:
            missing.append(f"turn {t}: {tv.why_missing or 'no reward'}")
            lines.append(f"turn {t}: reward missing ({tv.why_missing or 'no reward'})"
                         + (", left out" if config.missing == "skip" else ""))
            continue
        num += w * tv.reward
        den += w
        lines.append(f"turn {t}: reward {tv.reward:.4f} x weight {w:.4f}")
    turn_term: float | None = num / den if den > 0 else None
    if turn_term is None and not missing:
        missing.append("no turn was played")
    if missing and config.missing == "null":
        turn_term = None
    lines.append(f"turns: discounted mean (gamma {config.gamma:g}) = {_g(turn_term)}")

    final_term: float | None = 0.0
    if config.final_coef == 0:
        lines.append("final: off (final_coef 0)")
    elif end in POLICY_STOPS:
        lines.append(f"final: the episode ended on a {end} stop, nothing to report: value 0 "
                     f"x coef {config.final_coef:g} = 0")
    else:
        value, how = (None, "") if final is None else final_value(final, config)
        if value is None:
            why = (final.why_missing if final is not None and final.why_missing else
                   "no final report" if final is None else f"{how} not reported")
            missing.append(f"final: {why}")
            final_term = None if config.missing == "null" else 0.0
            lines.append(f"final: missing ({why})" + (", left out" if config.missing == "skip" else ""))
        else:
            final_term = config.final_coef * value
            lines.append(f"final: {how} = {value:.4f} x coef {config.final_coef:g} = {final_term:.4f}")
    safety = -config.safety_penalty if end == "safety" else 0.0
    if end == "safety":
        lines.append(f"safety stop: -{config.safety_penalty:g}")
    reward = None if turn_term is None or final_term is None else turn_term + final_term + safety
    lines.append(f"reward = {_g(turn_term)} + {_g(final_term)}"
                 + (f" - {config.safety_penalty:g}" if end == "safety" else "") + f" = {_g(reward)}")
    return EpisodeReward(reward, {"turns": turn_term, "final": final_term, "safety": safety},
                         weights, lines, missing)


def _g(v: float | None) -> str:
    return "missing" if v is None else f"{v:.4f}".rstrip("0").rstrip(".") if v != 0 else "0"
