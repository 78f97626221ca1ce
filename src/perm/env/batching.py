"""Gather the concurrent one-episode steps of an engine into turn batches.

Engines such as verl and OpenRLHF run every episode in its own coroutine; each calls
`SeekerEnv.step_one` when its policy has answered. `StepBatcher` collects the calls that arrive
within `max_wait` seconds of each other (up to `max_batch`) and plays them as one `step`, so the
judges see batches (the embedded scorer batches its model; LLM judges get all calls at once).
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

StepFn = Callable[[Sequence[Any], Sequence[str | None], Sequence[int | None] | None], Awaitable[None]]


@dataclass
class _Item:
    episode: Any
    output: str | None
    tokens: int | None
    future: asyncio.Future[None]


class StepBatcher:
    """Batches concurrent `submit` calls into calls of `step(episodes, outputs, tokens)`."""

    def __init__(self, step: StepFn, *, max_wait: float = 0.005, max_batch: int = 4096) -> None:
        self.step, self.max_wait, self.max_batch = step, max_wait, max_batch
        self._queue: asyncio.Queue[_Item] | None = None
        self._worker: asyncio.Task[None] | None = None
        self.batches: list[int] = []  # sizes, for tests and statistics

    async def submit(self, episode: Any, output: str | None, tokens: int | None = None) -> None:
        """Play one episode's turn in the next batch; returns when that batch is done."""
        loop = asyncio.get_running_loop()
        if self._queue is None or self._worker is None or self._worker.done():
            self._queue = asyncio.Queue()
            self._worker = loop.create_task(self._work())
        fut: asyncio.Future[None] = loop.create_future()
        await self._queue.put(_Item(episode, output, tokens, fut))
        await fut

    async def _work(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            items = [await queue.get()]
            while len(items) < self.max_batch:
                try:  # keep collecting while calls keep arriving within max_wait of each other
                    items.append(await asyncio.wait_for(queue.get(), self.max_wait))
                except asyncio.TimeoutError:
                    break
            self.batches.append(len(items))
            try:
                await self.step([it.episode for it in items], [it.output for it in items],
                                [it.tokens for it in items])
            except Exception as e:  # every episode of the batch sees the failure
                for it in items:
                    if not it.future.done():
                        it.future.set_exception(e)
            else:
                for it in items:
                    if not it.future.done():
                        it.future.set_result(None)

    async def aclose(self) -> None:
        if self._worker is not None and self._worker.get_loop() is asyncio.get_running_loop():
            self._worker.cancel()
            try:
                await self._worker
            except (asyncio.CancelledError, Exception):
                pass
        self._worker = None
        self._queue = None
