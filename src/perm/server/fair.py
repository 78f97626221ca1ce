"""Fair sharing of the judge between requests: big batches in chunks, small ones first.

Without it a request's samples all go to the scorer at once: one request of 1,000 samples
puts 4,000 calls in the judge's queue (or minutes of CPU into the embedded scorer) ahead of a
one-sample request that arrives a moment later. Here every request is cut into chunks of at
most `chunk_samples` samples and `chunk_chars` characters, and at most `capacity` samples are
being scored at once, all requests together. When a sample slot frees, the next chunk comes
from the request with the fewest samples in flight (ties: the one served longest ago), so a
newcomer goes first; and no request may hold more than `capacity - reserve` slots, so a
newcomer finds room even while a big batch runs.
"""
from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ..types import Sample

T = TypeVar("T")
Chunk = tuple[int, Callable[[], Awaitable[list[T]]]]  # (samples, run)


def sample_chars(sample: Sample) -> int:
    """Characters a judge reads for this sample (the completion and its context)."""
    return (len(sample.persona) + len(sample.scenario) + len(sample.query)
            + len(sample.hidden_intention or "") + len(sample.completion or "")
            + sum(len(t.content) for t in sample.history))


def plan_chunks(samples: Sequence[Sample], max_samples: int, max_chars: int) -> list[slice]:
    """Consecutive slices of `samples`, each within both limits (a sample over `max_chars`
    on its own gets a slice of its own)."""
    out, start, chars = [], 0, 0
    for i, sample in enumerate(samples):
        n = sample_chars(sample)
        if i > start and (i - start >= max_samples or chars + n > max_chars):
            out.append(slice(start, i))
            start, chars = i, 0
        chars += n
    if start < len(samples):
        out.append(slice(start, len(samples)))
    return out


@dataclass(eq=False)
class _Job(Generic[T]):
    chunks: list[Chunk[T]]
    done: asyncio.Future[list[list[T]]]
    results: list[list[T] | None] = field(default_factory=list)
    next: int = 0
    in_flight: int = 0  # samples
    served: int = 0  # order of its last start, for ties
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


class FairScheduler(Generic[T]):
    """Runs each request's chunks under a shared budget of samples in flight (one event loop)."""

    def __init__(self, capacity: int, reserve: int = 0) -> None:
        if capacity < 1 or not 0 <= reserve < capacity:
            raise ValueError(f"need capacity >= 1 and 0 <= reserve < capacity, got "
                             f"{capacity} and {reserve}")
        self.capacity, self.reserve = capacity, reserve
        self.in_flight = 0
        self._jobs: list[_Job[T]] = []
        self._clock = itertools.count(1)

    @property
    def waiting(self) -> int:
        """Requests with chunks not yet started."""
        return sum(1 for j in self._jobs if j.next < len(j.chunks))

    async def run(self, chunks: Sequence[Chunk[T]]) -> list[list[T]]:
        """Run these chunks (results in their order) when their turns come. If one fails, the
        rest are cancelled and its exception is raised; cancelling `run` cancels them too."""
        if not chunks:
            return []
        for size, _ in chunks:
            if not 1 <= size <= self.capacity - self.reserve:
                raise ValueError(f"a chunk of {size} samples does not fit "
                                 f"{self.capacity - self.reserve} slots")
        job: _Job[T] = _Job(list(chunks), asyncio.get_running_loop().create_future(),
                            [None] * len(chunks))
        self._jobs.append(job)
        self._pump()
        try:
            return await asyncio.shield(job.done)
        finally:
            self._drop(job)

    def _pump(self) -> None:
        """Start chunks while they fit, fewest-in-flight request first."""
        while True:
            ready = [j for j in self._jobs if j.next < len(j.chunks) and not j.done.done()
                     and self.in_flight + j.chunks[j.next][0] <= self.capacity
                     and j.in_flight + j.chunks[j.next][0] <= self.capacity - self.reserve]
            if not ready:
                return
            job = min(ready, key=lambda j: (j.in_flight, j.served))
            self._start(job)

    def _start(self, job: _Job[T]) -> None:
        index = job.next
        size, run = job.chunks[index]
        job.next += 1
        job.in_flight += size
        job.served = next(self._clock)
        self.in_flight += size

        async def chunk() -> None:
            try:
                result = await run()
            except asyncio.CancelledError:
                if not job.done.done():
                    job.done.cancel()
                raise
            except Exception as e:  # delivered to the request through its future
                if not job.done.done():
                    job.done.set_exception(e)
            else:
                job.results[index] = result
                finished = [r for r in job.results if r is not None]
                if len(finished) == len(job.results) and not job.done.done():
                    job.done.set_result(finished)
            finally:
                job.in_flight -= size
                self.in_flight -= size
                self._pump()

        task = asyncio.get_running_loop().create_task(chunk())
        job.tasks.add(task)
        task.add_done_callback(job.tasks.discard)

    def _drop(self, job: _Job[T]) -> None:
        """Forget a finished, failed or abandoned request; cancel what it still runs."""
        if job in self._jobs:
            self._jobs.remove(job)
        job.next = len(job.chunks)
        for task in list(job.tasks):
            task.cancel()
        if not job.done.done():
            job.done.cancel()
        elif not job.done.cancelled():
            job.done.exception()  # retrieved: no "exception never retrieved" warning later
