"""The seam between the PERM algorithm and whatever produces scores: `Rater`.

`perm.scoring.PermScorer` hands a rater every sample's dimension requests of a batch at once
and gets back one `Rating` per request (a score or a reason why there is none). Two kinds of
rater exist:

- `LLMRater`: a chat model as judge. It renders each perspective's prompt, asks through
  `ChatCaller` (concurrency cap, transport retries, re-asks, cache) and parses the answer;
  per dimension (default: one call per dimension) or fused (one call per sample).
- the embedded local scorer (`perm.judges.local.LocalRater`), which predicts scores directly.
"""
from __future__ import annotations

import asyncio
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from .calling import CallStats, ChatCaller
from .config import JudgeConfig
from .judges.base import ChatModel
from .judges.cache import ResponseCache
from .parsing import parse_answer, parse_fused
from .perspectives import RUBRIC_VERSION, render_fused, render_messages
from .types import DimensionRequest, Message


@dataclass(frozen=True, slots=True)
class Rating:
    """One dimension's score, or `error` saying why there is none."""

    value: float | None
    error: str | None = None


#: Called once per job (a sample's requests) with its ratings, in request order.
RatingsDone = Callable[[int, list[Rating]], None]


class Rater(ABC):
    """Rates PERM dimension requests. Implement `rate` and `identity`; hooks are optional."""

    def __init__(self) -> None:
        self.stats = CallStats()

    @property
    @abstractmethod
    def identity(self) -> str:
        """What determines the scores (goes into every result's `judge`)."""

    @property
    def model(self) -> str:
        """The model's name (for display; `identity` is what results record)."""
        return self.identity.split(":", 1)[-1]

    @abstractmethod
    async def rate(self, jobs: Sequence[Sequence[DimensionRequest]], done: RatingsDone) -> None:
        """Rate every job's requests; call `done(k, ratings)` as each job finishes."""

    def concurrency(self) -> int | None:
        """How many requests the rater works on at once; None when it computes in this process
        (more work in flight then only queues: a server keeps its batches small)."""
        return None

    async def check(self) -> None:
        """Raise JudgeUnavailable when the rater cannot work at all (called once, up front)."""

    async def aclose(self) -> None:
        """Release connections and models."""


def prompts_for(requests: Sequence[DimensionRequest], *, fused: bool,
                version: str = RUBRIC_VERSION) -> list[tuple[str, list[Message]]]:
    """The prompts an LLM judge receives for one sample's requests (dry runs, golden files)."""
    if not requests:
        return []
    if fused:
        r = requests[0]
        return [("fused", render_fused(r.sample, r.analysis, r.response, version))]
    return [(r.dimension, render_messages(r, version)) for r in requests]


class LLMRater(Rater):
    """A chat model as PERM judge: prompt per perspective (or fused), ask robustly, parse."""

    def __init__(self, chat: ChatModel, config: JudgeConfig | None = None, *, fused: bool = False,
                 cache: ResponseCache | None = None, rubric_version: str = RUBRIC_VERSION) -> None:
        super().__init__()
        self.chat = chat
        self.config = config or chat.config
        self.fused = fused
        self.cache = cache
        self.rubric_version = rubric_version
        # one caller per event loop (its semaphore belongs to the loop); shared counters
        self._callers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ChatCaller] = (
            weakref.WeakKeyDictionary())

    @property
    def identity(self) -> str:
        return self.chat.identity

    @property
    def model(self) -> str:
        return self.chat.model

    def concurrency(self) -> int | None:
        return min(self.config.concurrency, self.chat.max_concurrency() or self.config.concurrency)

    def caller(self) -> ChatCaller:
        """The robust caller of the running event loop."""
        loop = asyncio.get_running_loop()
        caller = self._callers.get(loop)
        if caller is None:
            caller = ChatCaller(self.chat, self.config, rubric_version=self.rubric_version,
                                cache=self.cache, stats=self.stats)
            self._callers[loop] = caller
        return caller

    async def rate(self, jobs: Sequence[Sequence[DimensionRequest]], done: RatingsDone) -> None:
        caller = self.caller()

        async def one(k: int, reqs: Sequence[DimensionRequest]) -> None:
            ratings = await (self._fused(caller, reqs) if self.fused else self._each(caller, reqs))
            done(k, ratings)

        await asyncio.gather(*(one(k, reqs) for k, reqs in enumerate(jobs)))

    async def _each(self, caller: ChatCaller, reqs: Sequence[DimensionRequest]) -> list[Rating]:
        async def one(req: DimensionRequest) -> Rating:
            out = await caller.ask(render_messages(req, self.rubric_version),
                                   partial(parse_answer, dimension=req.dimension))
            return Rating(out.parsed.value if out.parsed is not None else None, out.error)

        return list(await asyncio.gather(*(one(r) for r in reqs)))

    async def _fused(self, caller: ChatCaller, reqs: Sequence[DimensionRequest]) -> list[Rating]:
        if not reqs:
            return []
        first = reqs[0]
        out = await caller.ask(render_fused(first.sample, first.analysis, first.response,
                                            self.rubric_version), parse_fused)
        ratings = []
        for r in reqs:
            if out.parsed is None:
                ratings.append(Rating(None, out.error or "fused answer failed"))
                continue
            p = out.parsed.values.get(r.dimension)
            if p is None:
                ratings.append(Rating(None, "missing from fused answer"))
            else:
                ratings.append(Rating(p.value, None if p.ok else (p.error or "unparsable")))
        return ratings

    async def check(self) -> None:
        await self.chat.check()

    async def aclose(self) -> None:
        await self.chat.aclose()
