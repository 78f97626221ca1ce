"""Micro-batching for in-process model judges (hf, vllm): concurrent `complete` calls are
grouped into one batched generate call run in a worker thread, so the event loop stays free
and the model sees full batches."""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..types import Message
from .base import SamplingParams

RunBatch = Callable[[list[Sequence[Message]], SamplingParams], list[str]]


@dataclass
class _Item:
    messages: Sequence[Message]
    params: SamplingParams
    future: asyncio.Future[str]


class MicroBatcher:
    def __init__(self, run_batch: RunBatch, *, max_batch: int = 8, max_wait: float = 0.01) -> None:
        self.run_batch, self.max_batch, self.max_wait = run_batch, max_batch, max_wait
        self._queue: asyncio.Queue[_Item] | None = None
        self._worker: asyncio.Task[None] | None = None
        self.batches: list[int] = []  # sizes, for tests and stats

    async def submit(self, messages: Sequence[Message], params: SamplingParams) -> str:
        loop = asyncio.get_running_loop()
        if self._queue is None or self._worker is None or self._worker.done():
            self._queue = asyncio.Queue()
            self._worker = loop.create_task(self._work())
        fut: asyncio.Future[str] = loop.create_future()
        await self._queue.put(_Item(messages, params, fut))
        return await fut

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            first = await self._queue.get()
            items = [first]
            deadline = asyncio.get_running_loop().time() + self.max_wait
            while len(items) < self.max_batch:
                timeout = deadline - asyncio.get_running_loop().time()
                if timeout <= 0:
                    break
                try:
                    items.append(await asyncio.wait_for(self._queue.get(), timeout))
                except asyncio.TimeoutError:
                    break
            # one generate call per distinct sampling setting
            groups: dict[SamplingParams, list[_Item]] = {}
            for it in items:
                groups.setdefault(it.params, []).append(it)
            for params, group in groups.items():
                live = [it for it in group if not it.future.done()]
                if not live:
                    continue
                self.batches.append(len(live))
                try:
                    outs = await asyncio.to_thread(self.run_batch, [it.messages for it in live], params)
                    for it, text in zip(live, outs):
                        if not it.future.done():
                            it.future.set_result(text)
                except Exception as e:  # every caller of the batch sees the failure
                    for it in live:
                        if not it.future.done():
                            it.future.set_exception(e)

    async def aclose(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            try:
                await self._worker
            except (asyncio.CancelledError, Exception):
                pass
        self._worker = None
        self._queue = None
