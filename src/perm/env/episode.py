"""One simulated conversation: its turns, their PERM scores, the seeker's trajectory, the reward.

An `Episode` is the state an engine carries between turns. The policy sees the conversation as
chat turns (the policy prompt of `perm.policy`, then its own full outputs and the seeker's
messages); the PERM judges see it as the data contract does (earlier turns in `history`, the
seeker's latest message as `query`, the policy's output as `completion`), with only what the
seeker read (the `# Response` sections) in the history.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from ..data import sample_to_dict
from ..policy import build_messages
from ..shared_lines import SharedLineWindow
from ..signs import SIGNS
from ..types import Message, Sample, ScoreResult, Turn
from .behaviour import SeekerBehaviour
from .config import EndReason
from .reward import EpisodeReward, FinalReport, TurnValue
from .seeker import SeekerReport


@dataclass(slots=True)
class EpisodeTurn:
    """One policy turn: what it wrote, what the seeker read, its PERM score, the seeker's answer."""

    index: int  # 1-based
    output: str | None  # the policy's whole output (None: the policy gave none)
    response: str  # what the seeker read: the # Response section (the whole text if malformed)
    score: ScoreResult | None = None  # None: not scored (the policy gave no output)
    seeker: SeekerReport | None = None  # None: the seeker was not asked (a stop came first)
    stop: str | None = None  # why the episode stopped at this turn, when it did
    signs: dict[str, bool] | None = None  # its shortcut signs (perm.signs); None: no reply to check

    def value(self) -> TurnValue:
        """The turn's PERM reward as the episode reward reads it."""
        if self.score is None:
            return TurnValue(None, self.stop or "not scored")
        if self.score.reward is None:
            why = "; ".join(f"{k}: {v}" for k, v in self.score.failures.items()) or self.score.outcome
            return TurnValue(None, why)
        return TurnValue(self.score.reward)

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.index, "output": self.output, "response": self.response,
                "score": None if self.score is None else self.score.to_dict(),
                "seeker": None if self.seeker is None else self.seeker.to_dict(), "stop": self.stop,
                "signs": None if self.signs is None else [n for n in SIGNS if self.signs[n]]}


@dataclass(slots=True)
class Episode:
    """A conversation in progress (or finished: `end` set, `reward` computed)."""

    id: str
    sample: Sample
    behaviour: SeekerBehaviour
    turns: list[EpisodeTurn] = field(default_factory=list)
    end: EndReason | None = None
    reward: EpisodeReward | None = None

    @property
    def done(self) -> bool:
        return self.end is not None

    def seeker_message(self) -> str:
        """What the seeker said last: the scenario's query, then each of its answers."""
        for turn in reversed(self.turns):
            if turn.seeker is not None and turn.seeker.message:
                return turn.seeker.message
        return self.sample.query

    def conversation(self) -> list[Turn]:
        """What was said, as the judges and the seeker see it (no private analyses)."""
        turns = [*self.sample.history, Turn("user", self.sample.query)]
        for t in self.turns:
            turns.append(Turn("assistant", t.response))
            if t.seeker is not None and t.seeker.message:
                turns.append(Turn("user", t.seeker.message))
        return turns

    def policy_messages(self) -> list[Message]:
        """The policy's prompt for its next turn: the policy prompt, then the chat so far."""
        messages = build_messages(self.sample)
        for t in self.turns:
            messages.append({"role": "assistant", "content": t.output or ""})
            if t.seeker is not None and t.seeker.message:
                messages.append({"role": "user", "content": t.seeker.message})
        return messages

    def judge_sample(self, output: str) -> Sample:
        """The sample PERM scores for the policy's next output, given the whole history."""
        said = self.conversation()
        return replace(self.sample, id=f"{self.id}#t{len(self.turns) + 1}", history=tuple(said[:-1]),
                       query=said[-1].content, completion=output)

    def final_report(self) -> FinalReport | None:
        """The seeker's report after the last policy turn (None when it was not asked)."""
        last = self.turns[-1].seeker if self.turns else None
        if last is None:
            return None
        return FinalReport(last.need_value, last.feeling, last.error)

    def sign_shares(self) -> dict[str, float]:
        """Each shortcut sign's share of the policy turns that had a reply to check (NaN when
        none had): how often this conversation showed it."""
        checked = [t.signs for t in self.turns if t.signs is not None]
        return {n: sum(s[n] for s in checked) / len(checked) if checked else math.nan for n in SIGNS}

    def shared_line_share(self, lines: SharedLineWindow) -> float:
        """The share of the policy turns with a reply that hold a line `lines` has lately seen
        given to several seekers (`perm.shared_lines`; the turns join the window, as one
        seeker); NaN when no turn had a reply."""
        flags = [f for f in lines.flags([replace(self.sample, completion=t.output)
                                         for t in self.turns if t.output]) if not math.isnan(f)]
        return sum(flags) / len(flags) if flags else math.nan

    def turn_values(self) -> list[TurnValue]:
        return [t.value() for t in self.turns]

    def to_dict(self) -> dict[str, Any]:
        """The transcript line of `perm simulate`: the scenario, the seeker behaviour played
        (`seeker_behaviour`, None when the scenario has none; `seeker` is left to name who
        played it), every turn, the reward."""
        out = {k: v for k, v in sample_to_dict(replace(self.sample, id=self.id)).items()
               if k not in ("completion", "seeker")}
        out.update(seeker_behaviour=self.behaviour.to_dict() or None,
                   turns=[t.to_dict() for t in self.turns], end=self.end,
                   reward=None if self.reward is None else self.reward.to_dict())
        return out
