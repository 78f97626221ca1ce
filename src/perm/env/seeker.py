"""The seeker simulator: a chat model that plays the sample's person and reports how it feels.

`Seeker.respond` asks through `perm.calling.ChatCaller` (concurrency cap, transport retries)
and parses the answer (`perm.env.answer`). An answer whose report does not parse is asked
again (bounded by `max_reasks`); after the last ask, a readable message still continues the
conversation and the report is missing with its reason. A seeker that cannot answer at all
gives a `SeekerReport` with no message and the reason: the episode ends there, explicitly.
"""
from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..calling import REASK, CallStats, ChatCaller
from ..config import JudgeConfig
from ..judges.base import ChatModel
from ..judges.registry import create_chat_model
from ..types import Message, Sample, Turn
from .answer import NEED_VALUE, NeedMet, SeekerAnswer, parse_seeker_answer
from .behaviour import SeekerBehaviour
from .prompt import SEEKER_PROMPT_VERSION, render_seeker_messages


@dataclass(frozen=True, slots=True)
class SeekerReport:
    """What the seeker said after one policy turn, and how it says it feels.

    `message` None: the seeker could not answer (see `error`). A message with `error` set: the
    conversation goes on, but the self-report is missing for the reason given.
    """

    message: str | None
    feeling: float | None = None
    words: str | None = None
    need_met: NeedMet | None = None
    staying: bool = True
    error: str | None = None

    @property
    def need_value(self) -> float | None:
        """Need met as 1 / 0.5 / 0 (None when the report is missing)."""
        return None if self.need_met is None else NEED_VALUE[self.need_met]

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, "feeling": self.feeling, "words": self.words,
                "need_met": self.need_met, "staying": self.staying, "error": self.error}

    @classmethod
    def from_answer(cls, answer: SeekerAnswer) -> SeekerReport:
        if answer.error is not None:  # a broken report is missing as a whole, never half-read
            return cls(answer.message, error=f"seeker report unusable: {answer.error}")
        return cls(answer.message, answer.feeling, answer.words, answer.need_met, answer.staying)


def create_seeker_model(config: JudgeConfig) -> ChatModel:
    """The seeker's chat backend: `fake` is the scripted fake seeker, anything else a judge
    backend that answers prompts (openai, ollama, hf, vllm)."""
    if config.backend == "fake":
        from .fake import FakeSeeker

        return FakeSeeker(config)
    model = create_chat_model(config)
    if hasattr(model, "role"):  # error messages name what the model is used as
        model.role = "seeker"
    return model


class Seeker:
    """Plays the person of each episode, one answer per policy turn."""

    def __init__(self, chat: ChatModel, config: JudgeConfig | None = None, *,
                 version: str = SEEKER_PROMPT_VERSION) -> None:
        self.chat = chat
        self.config = config or chat.config
        self.version = version
        self.stats = CallStats()
        self._callers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ChatCaller] = (
            weakref.WeakKeyDictionary())

    @property
    def identity(self) -> str:
        """What plays the seeker (recorded in every transcript)."""
        return self.chat.identity

    def caller(self) -> ChatCaller:
        """The robust caller of the running event loop (one cap for every episode)."""
        loop = asyncio.get_running_loop()
        caller = self._callers.get(loop)
        if caller is None:
            caller = ChatCaller(self.chat, self.config, rubric_version=f"seeker-{self.version}",
                                stats=self.stats)
            self._callers[loop] = caller
        return caller

    async def respond(self, sample: Sample, behaviour: SeekerBehaviour,
                      conversation: Sequence[Turn]) -> SeekerReport:
        """The seeker's answer to the last reply in `conversation`."""
        caller = self.caller()
        messages = render_seeker_messages(sample, behaviour, conversation, self.version)
        convo: list[Message] = list(messages)
        answer: SeekerAnswer | None = None
        for ask in range(self.config.max_reasks + 1):
            if ask:
                self.stats.reasks += 1
            out = await caller.generate(convo)
            if out.parsed is None:
                return SeekerReport(None, error=f"seeker {out.error or 'gave no answer'}")
            answer = parse_seeker_answer(out.parsed.text)
            if answer.ok:
                return SeekerReport.from_answer(answer)
            convo = [*messages, {"role": "assistant", "content": out.parsed.text},
                     {"role": "user", "content": REASK.format(error=answer.error)}]
        assert answer is not None
        self.stats.failures += 1
        self.stats.reasons["seeker report unusable"] += 1
        return SeekerReport.from_answer(answer)

    async def check(self) -> None:
        """Raise JudgeUnavailable when the seeker backend cannot work at all."""
        await self.chat.check()

    async def aclose(self) -> None:
        await self.chat.aclose()
