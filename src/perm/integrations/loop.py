"""A private asyncio event loop on a daemon thread, for the engine adapters.

Engines call rewards from their own threads and event loops. The adapters keep perm's
coroutines (the scorer's, the environment's) on one loop of their own instead, so concurrent
calls are gathered into batches and the judge's connections stay on the loop that opened them.
"""
from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


class Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closable)


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


class PerProcess(Generic[C]):
    """One object per settings key in this process (an adapter's runner), built once under a
    lock and reused by every call; all are closed at interpreter exit (or by `close_all`)."""

    def __init__(self) -> None:
        self._items: dict[str, C] = {}
        self._lock = threading.Lock()
        atexit.register(self.close_all)

    def get(self, key: str, build: Callable[[], C]) -> C:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                item = self._items[key] = build()
            return item

    def __len__(self) -> int:
        return len(self._items)

    def close_all(self) -> None:
        """Close every object (their judge connections, caches)."""
        with self._lock:
            items = list(self._items.values())
            self._items.clear()
        for item in items:
            try:
                item.close()
            except Exception:  # exiting anyway: one that fails to close must not mask the exit
                pass
