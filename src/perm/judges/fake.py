"""A deterministic, scriptable judge for tests, docs and demos. Its scores carry no meaning.

Default answers are a stable function of the prompt (same prompt -> same score); the fake
tells the perspectives apart by exact comparison with the rendered judge prompts
(`dimension_of`), never by searching the prompt's text. Scripting:
- `FakeJudge(script=fn)`: `fn(messages) -> str`, or raise to simulate a fault;
- `options={"answers": [...]}`: answers used in turn; an item may be a dict keyed by
  dimension; the string "!error:<status>" raises a JudgeError with that status. A call after
  the last answer is an error (a test asked more than it scripted); `"cycle": true` starts
  over instead;
- `options={"latency": 0.2}`: seconds of simulated latency per call.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Literal

from ..config import JudgeConfig
from ..errors import JudgeError
from ..perspectives import PERSPECTIVES, fused_system_prompt, system_prompt
from ..types import Dimension, Message
from .base import ChatModel, SamplingParams

Script = Callable[[Sequence[Message]], str]
#: What a judge prompt is for: one perspective, all of them at once, or a pairwise preference.
PromptKind = Dimension | Literal["fused", "pairwise"]
#: The rubric of `perm.evaluate.pairwise`'s preference prompt.
PAIRWISE_RUBRIC = "pairwise"


@cache
def _prompt_names() -> dict[str, PromptKind]:
    names: dict[str, PromptKind] = {system_prompt(p.rubric): d for d, p in PERSPECTIVES.items()}
    names[fused_system_prompt()] = "fused"
    names[system_prompt(PAIRWISE_RUBRIC)] = "pairwise"
    return names


def dimension_of(messages: Sequence[Message]) -> PromptKind | None:
    """Which judge prompt `messages` is: a dimension, "fused" or "pairwise", found by comparing
    its system message with the rendered ones of the current rubrics; None for anything else."""
    return _prompt_names().get(messages[0].get("content", "")) if messages else None


def _criteria_lines(criteria: Sequence[str], digest: bytes) -> str:
    parts = {c: 8 + digest[i] % 13 for i, c in enumerate(criteria)}
    lines = [f"{c.capitalize()}: {v}" for c, v in parts.items()]
    return "\n".join(lines) + f"\nTotal: {sum(parts.values())}"


def fused_answer(messages: Sequence[Message], note: str = "ok") -> str:
    """A fused answer: a note per perspective, then the JSON object of all scores."""
    h = hashlib.sha256(str(messages[-1].get("content", "")).encode()).digest()
    scores: dict[str, int | dict[str, int]] = {}
    for k, (dim, p) in enumerate(PERSPECTIVES.items()):
        scores[dim] = ({c: 8 + h[k + i] % 13 for i, c in enumerate(p.criteria)} if p.criteria
                       else 1 + h[k] % 5)
    notes = "\n".join(f"{d.capitalize()}: {note}." for d in PERSPECTIVES)
    return f"{notes}\n{json.dumps(scores)}"


def default_answer(messages: Sequence[Message]) -> str:
    """A stable, parsable answer to a judge prompt (any other prompt gets the bystander's layout)."""
    digest = hashlib.sha256(messages[-1]["content"].encode()).digest()
    dim = dimension_of(messages)
    if dim == "pairwise":
        return f"Fake comparison.\nVerdict: {('A', 'A', 'B', 'B', 'tie')[digest[0] % 5]}"
    if dim == "fused":
        return fused_answer(messages)
    criteria = PERSPECTIVES["bystander" if dim is None else dim].criteria
    if criteria:
        return "Fake review.\n" + _criteria_lines(criteria, digest)
    return f"Fake justification.\nScore: {1 + digest[0] % 5}"


class FakeJudge(ChatModel):
    name = "fake"
    label = "fake judge"  # in errors
    cacheable = False

    def __init__(self, config: JudgeConfig | None = None, *, script: Script | None = None) -> None:
        super().__init__(config or JudgeConfig(backend="fake"))
        opts: dict[str, Any] = dict(self.config.options)
        self.latency = float(opts.get("latency", 0.0))
        answers = opts.get("answers")
        self._answers: list[object] | None = list(answers) if answers else None
        self._cycle = bool(opts.get("cycle", False))
        self._used = 0
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
        if self._answers is None:
            return self.default(messages)
        item = self.select(self._next_answer(), messages)
        if isinstance(item, str) and item.startswith("!error:"):
            status = int(item.split(":", 1)[1])
            raise JudgeError(f"scripted HTTP {status}", retryable=status >= 500 or status == 429,
                             status=status)
        return self.render(item)

    def default(self, messages: Sequence[Message]) -> str:
        """The answer when nothing is scripted."""
        return default_answer(messages)

    def select(self, item: object, messages: Sequence[Message]) -> object:
        """A scripted item for this prompt: a dict holds one answer per dimension."""
        return item.get(dimension_of(messages), "") if isinstance(item, dict) else item

    def render(self, item: object) -> str:
        """The text of a scripted item."""
        return str(item)

    def _next_answer(self) -> object:
        answers, k = self._answers or [], self._used
        self._used += 1
        if k >= len(answers) and not self._cycle:
            raise JudgeError(f"{self.label}: answer {k + 1} asked for, {len(answers)} scripted; "
                             "script more, or set options.cycle: true to reuse them")
        return answers[k % len(answers)]
