"""Helpers shared by the tests (import them from here; conftest.py only holds fixtures)."""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from perm.judges.base import SamplingParams
from perm.judges.fake import FakeJudge
from perm.types import Message

GOOD = "# Analysis\nShe feels guilty and alone.\n# Response\nThat sounds so heavy. I'm here."


def make_record(i: int, **kw: Any) -> dict[str, Any]:
    """One input line of the data contract, with a well-formed completion."""
    rec = {"id": f"s{i}", "persona": "A 40-year-old teacher.", "scenario": "Her father died.",
           "query": f"I can't stop thinking about it ({i})", "completion": GOOD + f" ({i})"}
    rec.update(kw)
    return rec


class InFlightJudge(FakeJudge):
    """A fake judge that counts its calls in flight (`peak`) and holds each call until `expect`
    are in flight at once: concurrency is observed, never inferred from a wall clock. If they
    never all arrive, every call is released after `patience` seconds and `peak` tells."""

    def __init__(self, expect: int, patience: float = 5.0) -> None:
        super().__init__()
        self.expect, self.patience = expect, patience
        self.now = self.peak = 0
        self._all_in: asyncio.Event | None = None

    async def complete(self, messages: Sequence[Message], params: SamplingParams) -> str:
        self.calls.append(list(messages))
        if self._all_in is None:  # made on the scorer's own event loop
            self._all_in = asyncio.Event()
        self.now += 1
        self.peak = max(self.peak, self.now)
        if self.now >= self.expect:
            self._all_in.set()
        try:
            await asyncio.wait_for(self._all_in.wait(), self.patience)
        except asyncio.TimeoutError:
            self._all_in.set()
        finally:
            self.now -= 1
        return self.default(messages)  # the fake judge's answer (a fake seeker's, in a subclass)
