"""A deterministic, scriptable judge for tests, docs and demos. Its scores carry no meaning.

Default answers are a stable function of the prompt (same prompt -> same score). Scripting:
- `FakeJudge(script=fn)`: `fn(messages) -> str`, or raise to simulate a fault;
- `options={"answers": [...]}`: answers used in turn (cycled); an item may be a dict keyed by
  dimension; the string "!error:<status>" raises a JudgeError with that status;
- `options={"latency": 0.2}`: seconds of simulated latency per call.
"""
from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from ..config import JudgeConfig
from ..errors import JudgeError
from ..parsing import BYSTANDER_CRITERIA
from ..types import Message
from .base import Judge, SamplingParams

Script = Callable[[Sequence[Message]], str]


def dimension_of(messages: Sequence[Message]) -> str:
    """Recover which perspective a rendered prompt belongs to."""
    system = messages[0]["content"].upper() if messages else ""
    if "PAIRWISE" in system[:100]:  # perm.evaluate.pairwise's preference prompt
        return "pairwise"
    for dim in ("RESONATION", "EXPRESSION", "RECEPTION"):
        if dim in system[:400]:
            return dim.lower()
    return "bystander"


def default_answer(messages: Sequence[Message]) -> str:
    digest = hashlib.sha256(messages[-1]["content"].encode()).digest()
    dim = dimension_of(messages)
    if dim == "pairwise":
        return f"Fake comparison.\nVerdict: {('A', 'A', 'B', 'B', 'tie')[digest[0] % 5]}"
    if dim == "bystander":
        parts = {c: 8 + digest[i] % 13 for i, c in enumerate(BYSTANDER_CRITERIA)}
        lines = [f"{c.capitalize()}: {v}" for c, v in parts.items()]
        return "Fake review.\n" + "\n".join(lines) + f"\nTotal: {sum(parts.values())}"
    return f"Fake justification.\nScore: {1 + digest[0] % 5}"


class FakeJudge(Judge):
    name = "fake"
    cacheable = False

    def __init__(self, config: JudgeConfig | None = None, *, script: Script | None = None) -> None:
        super().__init__(config or JudgeConfig(backend="fake"))
        opts: dict[str, Any] = dict(self.config.options)
        self.latency = float(opts.get("latency", 0.0))
        answers = opts.get("answers")
        self._answers = itertools.cycle(answers) if answers else None
        self._script = script
        self.calls: list[list[Message]] = []

    @property
    def model(self) -> str:
        return self.config.model or "fake"

    async def complete(self, messages: Sequence[Message], params: SamplingParams) -> str:
        self.calls.append(list(messages))
        if self.latency:
            await asyncio.sleep(self.latency)
        if self._script is not None:
            return self._script(messages)
        if self._answers is not None:
            item = next(self._answers)
            if isinstance(item, dict):
                item = item.get(dimension_of(messages), "")
            if isinstance(item, str) and item.startswith("!error:"):
                status = int(item.split(":", 1)[1])
                raise JudgeError(f"scripted HTTP {status}", retryable=status >= 500 or status == 429,
                                 status=status)
            return str(item)
        return default_answer(messages)
