"""A private asyncio event loop on a daemon thread, for the engine adapters.

Engines call rewards from their own threads and event loops. The adapters keep perm's
coroutines (the scorer's, the environment's) on one loop of their own instead, so concurrent
calls are gathered into batches and the judge's connections stay on the loop that opened them.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """Runs coroutines on a loop of its own from any thread (except the loop's own)."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the loop and wait for its result."""
        return self.submit(coro).result(timeout)

    def close(self, last: Coroutine[Any, Any, Any] | None = None, timeout: float = 10) -> None:
        """Run `last` (a clean-up such as `aclose()`), then stop the loop and its thread.
        Idempotent: a second call only discards `last`."""
        if self.loop.is_closed():
            if last is not None:
                last.close()
            return
        try:
            if last is not None:
                self.run(last, timeout)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout)
            self.loop.close()
