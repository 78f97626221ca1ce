"""The fair scheduler: big requests in chunks, newcomers first, failures and cancellation."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from perm.server.fair import FairScheduler, plan_chunks, sample_chars
from perm.types import Sample, Turn


def _s(chars: int) -> Sample:
    return Sample("p", "s", "q", completion="x" * (chars - 3))


def test_sample_chars_counts_all_text() -> None:
    s = Sample("ab", "c", "d", hidden_intention="ef", completion="ghi",
               history=(Turn("user", "jk"),))
    assert sample_chars(s) == 11


def test_plan_chunks_respects_both_limits() -> None:
    samples = [_s(10)] * 7
    assert plan_chunks(samples, 3, 1000) == [slice(0, 3), slice(3, 6), slice(6, 7)]
    assert plan_chunks(samples, 10, 25) == [slice(0, 2), slice(2, 4), slice(4, 6), slice(6, 7)]
    assert plan_chunks([_s(100), _s(10)], 5, 50) == [slice(0, 1), slice(1, 2)]  # alone if huge
    assert plan_chunks([], 5, 50) == []


def _chunk(log: list[str], name: str, seconds: float = 0.05, size: int = 1,
           fail: bool = False) -> tuple[int, Any]:
    async def run() -> list[str]:
        log.append(f"start {name}")
        await asyncio.sleep(seconds)
        if fail:
            raise RuntimeError(f"{name} failed")
        log.append(f"end {name}")
        return [name]

    return size, run


async def test_results_in_order_and_capacity_held() -> None:
    sched = FairScheduler(capacity=4, reserve=1)
    log: list[str] = []
    peak = 0

    async def watch() -> None:
        nonlocal peak
        while True:
            peak = max(peak, sched.in_flight)
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    out = await sched.run([_chunk(log, f"c{i}", 0.02 * (5 - i)) for i in range(5)])
    watcher.cancel()
    assert out == [[f"c{i}"] for i in range(5)]
    assert peak == 3  # one request never takes the reserved slot
    assert sched.in_flight == 0 and sched.waiting == 0


async def test_newcomer_starts_while_a_big_request_runs() -> None:
    sched = FairScheduler(capacity=4, reserve=1)
    log: list[str] = []
    big = asyncio.create_task(sched.run([_chunk(log, f"big{i}", 0.1) for i in range(12)]))
    await asyncio.sleep(0.01)
    small = await asyncio.wait_for(sched.run([_chunk(log, "small", 0.01)]), timeout=0.08)
    assert small == [["small"]]
    assert "end big0" not in log  # it did not wait for a chunk of the big request
    assert len(await big) == 12


async def test_fewest_in_flight_goes_first_when_full() -> None:
    sched = FairScheduler(capacity=2, reserve=0)
    log: list[str] = []
    a = asyncio.create_task(sched.run([_chunk(log, f"a{i}", 0.05) for i in range(4)]))
    await asyncio.sleep(0.01)  # a holds both slots
    b = asyncio.create_task(sched.run([_chunk(log, "b0", 0.05)]))
    await asyncio.gather(a, b)
    starts = [x for x in log if x.startswith("start")]
    assert starts.index("start b0") == 2  # the first slot freed went to b, not a2


async def test_a_failing_chunk_fails_its_request_only() -> None:
    sched = FairScheduler(capacity=4, reserve=1)
    log: list[str] = []
    other = asyncio.create_task(sched.run([_chunk(log, "ok", 0.05)]))
    with pytest.raises(RuntimeError, match="bad1 failed"):
        await sched.run([_chunk(log, "bad0", 0.2), _chunk(log, "bad1", 0.01, fail=True),
                         _chunk(log, "bad2"), _chunk(log, "bad3")])
    assert await other == [["ok"]]
    await asyncio.sleep(0)
    assert "end bad0" not in log  # cancelled, not left running
    assert sched.in_flight == 0 and sched.waiting == 0


async def test_cancelled_request_frees_its_slots() -> None:
    sched = FairScheduler(capacity=2, reserve=0)
    log: list[str] = []
    doomed = asyncio.create_task(sched.run([_chunk(log, f"d{i}", 1.0) for i in range(5)]))
    await asyncio.sleep(0.01)
    doomed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await doomed
    assert await asyncio.wait_for(sched.run([_chunk(log, "next", 0.01)]), 0.5) == [["next"]]
    assert sched.in_flight == 0


def test_bad_settings() -> None:
    with pytest.raises(ValueError):
        FairScheduler(capacity=2, reserve=2)

    async def too_big() -> None:
        await FairScheduler(4, 1).run([(4, None)])  # type: ignore[list-item]

    with pytest.raises(ValueError, match="does not fit"):
        asyncio.run(too_big())


def test_fair_share_follows_the_judge() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from server_helpers import WholeBatchRater, fake_config

    from perm.scoring import PermScorer
    from perm.server import ServerLimits, create_app

    chat = create_app(fake_config()).state.scheduler  # 256 calls / 4 per sample
    assert (chat.capacity, chat.reserve) == (64, 8)
    fused = create_app({**fake_config(), "fused": True}).state.scheduler
    assert (fused.capacity, fused.reserve) == (256, 32)
    # a judge computing in this process: one chunk for a batch, one kept for newcomers
    local = create_app(PermScorer(fake_config(), rater=WholeBatchRater()),
                       limits=ServerLimits(chunk_samples=4)).state.scheduler
    assert (local.capacity, local.reserve) == (8, 4)
