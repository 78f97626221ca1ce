"""The chat-model interface: one required async method, everything else an optional hook.

A `ChatModel` is any backend that answers chat messages with text (OpenAI-compatible servers,
transformers, vLLM, the fake). It plays two roles: a *judge* (wrapped by `perm.rating.LLMRater`
to rate PERM dimensions) and a *policy* (`perm generate`). Scorers that rate outputs without
answering prompts, like the embedded local scorer, implement `perm.rating.Rater` instead.
"""
from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from ..config import JudgeConfig
from ..errors import JudgeError
from ..types import Message


@dataclass(frozen=True, slots=True)
class SamplingParams:
    temperature: float = 0.3
    max_tokens: int = 512
    top_p: float | None = None
    seed: int | None = None

    @classmethod
    def from_config(cls, cfg: JudgeConfig) -> SamplingParams:
        return cls(cfg.temperature, cfg.max_tokens, cfg.top_p, cfg.seed)


class ChatModel(ABC):
    """A chat model: messages in, answer text out.

    Subclasses implement `complete`. Optional hooks: `max_concurrency` (a backend-specific cap
    below the configured one), `is_retryable` / `retry_after` (transport fault policy),
    `check` (fail fast before any work), `aclose` (release connections).
    """

    name: ClassVar[str] = "chat"
    #: Whether answers may be stored in the response cache (cheap or non-deterministic-by-design
    #: backends such as `fake` opt out).
    cacheable: ClassVar[bool] = True

    def __init__(self, config: JudgeConfig | None = None) -> None:
        self.config = config or JudgeConfig(backend=self.name)

    @property
    def model(self) -> str:
        return self.config.model or "default"

    @property
    def identity(self) -> str:
        """What determines this judge's answers (goes into results and cache keys)."""
        return f"{self.name}:{self.model}"

    @abstractmethod
    async def complete(self, messages: Sequence[Message], params: SamplingParams) -> str:
        """Return the judge's answer to `messages`. Raise JudgeError on failure."""

    def max_concurrency(self) -> int | None:
        return None

    def is_retryable(self, exc: BaseException) -> bool:
        if isinstance(exc, JudgeError):
            return exc.retryable
        return isinstance(exc, (asyncio.TimeoutError, ConnectionError, OSError))

    def retry_after(self, exc: BaseException) -> float | None:
        return exc.retry_after if isinstance(exc, JudgeError) else None

    async def check(self) -> None:
        """Raise JudgeUnavailable if the judge cannot work at all (called once, up front)."""

    async def aclose(self) -> None:
        """Release resources (HTTP sessions, models)."""


#: The judge role of a chat model (the name the rest of the code base and users know).
Judge = ChatModel
