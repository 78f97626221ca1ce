"""Multi-turn episodes: a batch of 16 episodes x 3 turns against a stub server that plays both
the PERM judge and the seeker with the same latency (200 ms in the full run). The environment
plays the batch turn-synchronously: every judge call and every seeker call of a turn, across
all episodes, is in flight together, so the batch should take about 3 round trips (one per
turn: the judges and the seeker answer the same policy turn at the same time), not 16 x 3.

The policy is instant (a fixed, well-formed output) so that only the environment is measured.
For comparison, `sequential` plays the same episodes one at a time (what a naive agent loop
that awaits each judge and seeker in turn would cost at best: one round trip per turn per
episode, ignoring that it would also wait for the judges before asking the seeker).
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from perm.env import SeekerEnv
from perm.types import Message

from .common import StubProcess, make_samples, openai_scoring_config, summary

NAME = "episodes"
OUTPUT = ("# Analysis\nShe is minimising a real disappointment.\n# Response\nThat doesn't sound "
          "fine, and it makes sense that it keeps replaying. What stings most?")


async def _policy(prompts: Sequence[Sequence[Message]]) -> list[str | None]:
    return [OUTPUT for _ in prompts]


def _env(url: str) -> SeekerEnv:
    judge = openai_scoring_config(url, max_retries=0, timeout=60)
    return SeekerEnv({"seeker": {**judge["judge"], "max_reasks": 0}, "turns": 3, "end_on": [],
                      "scoring": judge})


def _one(stub: StubProcess, episodes: int, sequential: bool) -> dict[str, Any]:
    samples = make_samples(episodes, generations=1, prefix="e")
    env = _env(stub.url)
    stub.reset()

    async def go() -> list[Any]:
        if not sequential:
            return await env.run(samples, _policy)
        done = []
        for s in samples:
            done += await env.run([s], _policy)
        return done

    async def timed() -> tuple[float, list[Any]]:
        await env.run(samples[:1], _policy)  # warm the connection pool
        stub.reset()
        t0 = time.perf_counter()
        eps = await go()
        wall = time.perf_counter() - t0
        await env.aclose()
        return wall, eps

    wall, eps = asyncio.run(timed())
    st = stub.stats()
    return {"wall": wall, "hits": st["hits"], "max_in_flight": st["max_in_flight"],
            "turns": sum(len(e.turns) for e in eps), "ended": sorted({str(e.end) for e in eps}),
            "rewarded": sum(1 for e in eps if e.reward is not None and e.reward.reward is not None)}


def bench(latency: float, episodes: int, reps: int, with_sequential: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"latency_s": latency, "episodes": episodes, "turns": 3, "reps": reps}
    with StubProcess(latency=latency) as stub:
        out["stub_command"] = stub.command
        runs = [_one(stub, episodes, False) for _ in range(reps)]
        seq = [_one(stub, episodes, True) for _ in range(1)] if with_sequential else []
    walls = [r["wall"] for r in runs]
    out["batched"] = {"wall_s": summary(walls), "x_latency": round(summary(walls)["median"] / latency, 2),
                      "calls": runs[-1]["hits"], "max_in_flight": runs[-1]["max_in_flight"],
                      "turns_played": runs[-1]["turns"], "ended": runs[-1]["ended"]}
    if seq:
        out["sequential"] = {"wall_s": summary([r["wall"] for r in seq]),
                             "x_latency": round(seq[0]["wall"] / latency, 2), "calls": seq[0]["hits"],
                             "max_in_flight": seq[0]["max_in_flight"]}
    calls = episodes * 3 * 5  # 4 judge calls + 1 seeker call per policy turn
    out["invariants"] = {"every_call_once": all(r["hits"] == calls for r in runs),
                         "every_episode_played_3_turns": all(r["turns"] == episodes * 3 for r in runs),
                         "every_episode_rewarded": all(r["rewarded"] == episodes for r in runs),
                         "a_turn_in_flight_at_once": all(r["max_in_flight"] == episodes * 5 for r in runs)}
    out["targets"] = {"batched <= 4.5 round trips": out["batched"]["x_latency"] <= 4.5}
    return out


def run(quick: bool = False) -> dict[str, Any]:
    if quick:
        return bench(0.05, 16, 2, with_sequential=False)
    return bench(0.2, 16, 5, with_sequential=True)


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
