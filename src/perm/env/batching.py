"""Gather the concurrent one-episode steps of an engine into turn batches.

Engines such as verl and OpenRLHF run every episode in its own coroutine; each calls
`SeekerEnv.step_one` when its policy has answered. `StepBatcher` collects the calls that arrive
within `max_wait` seconds of each other (up to `max_batch`) and plays them as one `step`, so the
judges see batches (the embedded scorer batches its model; LLM judges get all calls at once).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ..judges.batching import Gatherer

StepFn = Callable[[Sequence[Any], Sequence[str | None], Sequence[int | None] | None], Awaitable[None]]
Turn = tuple[Any, "str | None", "int | None"]


class StepBatcher:
    """Batches concurrent `submit` calls into calls of `step(episodes, outputs, tokens)`."""

    def __init__(self, step: StepFn, *, max_wait: float = 0.005, max_batch: int = 4096) -> None:
        self.step = step
        self._gather: Gatherer[Turn, None] = Gatherer(self._play, max_batch=max_batch,
                                                      max_wait=max_wait, sliding=True)

    @property
    def batches(self) -> list[int]:
        """Sizes of the steps played, for tests and statistics."""
        return self._gather.batches

    async def submit(self, episode: Any, output: str | None, tokens: int | None = None) -> None:
        """Play one episode's turn in the next batch; returns when that batch is done."""
        await self._gather.submit((episode, output, tokens))

    async def _play(self, turns: list[Turn]) -> list[None]:
        await self.step([t[0] for t in turns], [t[1] for t in turns], [t[2] for t in turns])
        return [None] * len(turns)

    async def aclose(self) -> None:
        await self._gather.aclose()
