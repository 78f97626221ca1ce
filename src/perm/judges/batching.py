"""Gathering concurrent calls into batches.

`Gatherer` is the mechanism: concurrent `submit(item)` calls on one event loop are collected into
a batch (up to `max_batch`; closed `max_wait` seconds after its first item, or, with `sliding`,
once no new item has arrived for `max_wait`), handed to `process(items)` at once, and each caller
gets its own result back (or its own exception). `MicroBatcher` uses it for the in-process model
judges (hf, vllm): one generate call per distinct sampling setting, run in a worker thread so the
event loop stays free and the model sees full batches. `perm.env` uses it to play concurrent
episodes' turns as one step.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..types import Message
from .base import SamplingParams

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Pending(Generic[T, R]):
    item: T
    future: asyncio.Future[R]


class Gatherer(Generic[T, R]):
    """Batches concurrent `submit` calls into calls of `process(items)` (see the module doc).
    `process` returns one result per item, in order; an exception in place of a result fails
    only that item's caller, an exception raised fails every caller of the batch."""

    def __init__(self, process: Callable[[list[T]], Awaitable[Sequence[R | BaseException]]], *,
                 max_batch: int, max_wait: float, sliding: bool = False) -> None:
        self.process, self.max_batch, self.max_wait, self.sliding = process, max_batch, max_wait, sliding
        self._queue: asyncio.Queue[_Pending[T, R]] | None = None
        self._worker: asyncio.Task[None] | None = None
        self.batches: list[int] = []  # sizes, for tests and statistics

    async def submit(self, item: T) -> R:
        """Put `item` in the next batch; returns its result when that batch is done."""
        loop = asyncio.get_running_loop()
        if self._queue is None or self._worker is None or self._worker.done():
            self._queue = asyncio.Queue()
            self._worker = loop.create_task(self._work(self._queue))
        fut: asyncio.Future[R] = loop.create_future()
        await self._queue.put(_Pending(item, fut))
        return await fut

    async def _collect(self, queue: asyncio.Queue[_Pending[T, R]]) -> list[_Pending[T, R]]:
        loop = asyncio.get_running_loop()
        items = [await queue.get()]
        deadline = loop.time() + self.max_wait
        while len(items) < self.max_batch:
            timeout = self.max_wait if self.sliding else deadline - loop.time()
            if timeout <= 0:
                break
            try:
                items.append(await asyncio.wait_for(queue.get(), timeout))
            except asyncio.TimeoutError:
                break
        return items

    async def _work(self, queue: asyncio.Queue[_Pending[T, R]]) -> None:
        while True:
            live = [p for p in await self._collect(queue) if not p.future.done()]  # not cancelled
            if not live:
                continue
            self.batches.append(len(live))
            try:
                results = await self.process([p.item for p in live])
            except Exception as e:  # every caller of the batch sees the failure
                for p in live:
                    if not p.future.done():
                        p.future.set_exception(e)
                continue
            for p, res in zip(live, results):
                if p.future.done():
                    continue
                if isinstance(res, BaseException):
                    p.future.set_exception(res)
                else:
                    p.future.set_result(res)

    async def aclose(self) -> None:
        if self._worker is not None and self._worker.get_loop() is asyncio.get_running_loop():
            self._worker.cancel()
            try:
                await self._worker
            except (asyncio.CancelledError, Exception):
                pass
        self._worker = None
        self._queue = None


RunBatch = Callable[[list[Sequence[Message]], SamplingParams], list[str]]
Request = tuple[Sequence[Message], SamplingParams]


class MicroBatcher:
    """Concurrent `submit(messages, params)` calls -> `run_batch(messages, params)` in a worker
    thread, one call per distinct sampling setting of a gathered batch."""

    def __init__(self, run_batch: RunBatch, *, max_batch: int = 8, max_wait: float = 0.01) -> None:
        self.run_batch = run_batch
        self._gather: Gatherer[Request, str] = Gatherer(self._run, max_batch=max_batch,
                                                        max_wait=max_wait)
        self.batches: list[int] = []  # sizes of the generate calls, for tests and stats

    async def submit(self, messages: Sequence[Message], params: SamplingParams) -> str:
        return await self._gather.submit((messages, params))

    async def _run(self, requests: list[Request]) -> list[str | BaseException]:
        out: list[str | BaseException] = [""] * len(requests)
        groups: dict[SamplingParams, list[int]] = {}
        for i, (_, params) in enumerate(requests):
            groups.setdefault(params, []).append(i)
        for params, idx in groups.items():
            self.batches.append(len(idx))
            texts: Sequence[str | BaseException]
            try:
                texts = await asyncio.to_thread(self.run_batch, [requests[i][0] for i in idx], params)
            except Exception as e:  # every caller of this generate call sees the failure
                texts = [e] * len(idx)
            for i, text in zip(idx, texts):
                out[i] = text
        return out

    async def aclose(self) -> None:
        await self._gather.aclose()
