"""A stub OpenAI-compatible judge server for tests, benchmarks and pipeline dry runs.

It answers `/v1/chat/completions` with a plausible PERM judge answer after a configurable
latency (+ jitter), injects faults at configurable rates, and counts every hit by a digest of
its messages so tests can prove that no call was repeated.

    python -m perm.testing.stub_server --port 8011 --latency 0.2 --fault-rate 0.2

`GET /stats` returns the counters (hits, hits by digest, faults, peak concurrency) and
`POST /reset` zeroes them, so a benchmark in another process can read them. Fused prompts (all
four perspectives in one call) get a JSON answer, a simulated seeker's prompt (`perm.env`) a
message and a self-report. `pad_words` lengthens every justification
and `token_latency` adds seconds per answer token (~4 characters), to model answer length.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import random
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ..env.fake import default_seeker_answer
from ..env.prompt import is_seeker_prompt
from ..judges.fake import default_answer, dimension_of, fused_answer

FAULTS = ("timeout", "429", "500", "garbage", "truncated", "empty")


@dataclass
class StubConfig:
    latency: float = 0.0
    jitter: float = 0.0
    fault_rate: float = 0.0
    faults: tuple[str, ...] = FAULTS
    hang_seconds: float = 30.0  # how long a "timeout" fault stalls
    retry_after: float = 0.05
    seed: int = 0
    models: tuple[str, ...] = ("stub-judge",)
    token_latency: float = 0.0  # extra seconds per answer token (len // 4)
    pad_words: int = 0  # filler words added to each justification


@dataclass
class StubState:
    hits: int = 0
    by_digest: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    max_in_flight: int = 0
    in_flight: int = 0
    # set to end every "timeout" hang at once (created on the server's loop at startup)
    unhang: asyncio.Event | None = None


def digest(messages: Any) -> str:
    return hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()[:16]


def _filler(n: int) -> str:
    return " ".join(("judged", "text", "against", "the", "rubric")[i % 5] for i in range(n))


def stub_answer(messages: Any, pad_words: int = 0) -> str:
    """A plausible answer: per-dimension (via the fake judge), fused JSON for fused prompts, or
    a seeker's message and report for a simulated seeker's prompt (via the fake seeker)."""
    if not messages:
        return ""
    if is_seeker_prompt(messages):
        return default_seeker_answer(messages)
    if dimension_of(messages) == "fused":
        return fused_answer(messages, note=_filler(pad_words // 2) or "ok")
    text = default_answer(messages)
    if pad_words:
        head, _, rest = text.partition("\n")
        text = f"{head} {_filler(pad_words)}.\n{rest}"
    return text


def make_app(cfg: StubConfig, state: StubState) -> web.Application:
    rng = random.Random(cfg.seed)

    async def chat(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        messages = body.get("messages") or []
        state.hits += 1
        state.by_digest[digest(messages)] += 1
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            delay = cfg.latency + (rng.uniform(-cfg.jitter, cfg.jitter) if cfg.jitter else 0.0)
            if delay > 0:
                await asyncio.sleep(delay)
            fault = rng.choice(cfg.faults) if cfg.fault_rate and rng.random() < cfg.fault_rate else None
            if fault:
                state.faults[fault] += 1
            if fault == "timeout" and state.unhang is not None:  # stall: hang_seconds, or until released
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(state.unhang.wait(), cfg.hang_seconds)
            if fault == "429":
                return web.json_response({"error": "slow down"}, status=429,
                                         headers={"Retry-After": str(cfg.retry_after)})
            if fault == "500":
                return web.json_response({"error": "boom"}, status=500)
            if fault == "garbage":
                return web.Response(text="<html>bad gateway</html>", status=200)
            if messages and messages[-1].get("role") == "user" and "could not be read" in messages[-1].get("content", ""):
                content = stub_answer(messages[:-2], cfg.pad_words)  # a re-ask gets a clean answer
            else:
                content = stub_answer(messages, cfg.pad_words)
            if cfg.token_latency:
                await asyncio.sleep(cfg.token_latency * (len(content) // 4))
            if fault == "truncated":
                content = content[: max(1, len(content) // 3)]
            if fault == "empty":
                content = ""
            return web.json_response({
                "id": "stub", "object": "chat.completion", "model": body.get("model"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": sum(len(m.get("content", "")) // 4 for m in messages),
                          "completion_tokens": len(content) // 4},
            })
        finally:
            state.in_flight -= 1

    async def models(_: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": m} for m in cfg.models]})

    async def stats(_: web.Request) -> web.Response:
        return web.json_response(state_dict(state))

    async def reset(_: web.Request) -> web.Response:
        state.hits, state.max_in_flight = 0, state.in_flight
        state.by_digest.clear()
        state.faults.clear()
        return web.json_response({"ok": True})

    async def startup(_: web.Application) -> None:
        state.unhang = asyncio.Event()

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.on_startup.append(startup)
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_get("/v1/models", models)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    return app


def state_dict(state: StubState) -> dict[str, Any]:
    return {"hits": state.hits, "by_digest": dict(state.by_digest), "faults": dict(state.faults),
            "max_in_flight": state.max_in_flight, "in_flight": state.in_flight}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StubServer:
    """Runs the stub in a background thread: `with StubServer(StubConfig()) as url: ...`."""

    def __init__(self, cfg: StubConfig | None = None, port: int | None = None) -> None:
        self.cfg = cfg or StubConfig()
        self.state = StubState()
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    def __enter__(self) -> StubServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(make_app(self.cfg, self.state), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, backlog=1024).start()

    def release_hangs(self) -> None:
        """End every request stalled by a "timeout" fault now (they answer normally)."""
        if self.state.unhang is not None:
            self._loop.call_soon_threadsafe(self.state.unhang.set)

    def __exit__(self, *exc: object) -> None:
        self.release_hangs()  # a stalled handler would hold up the shutdown
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=8011)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--jitter", type=float, default=0.0)
    ap.add_argument("--fault-rate", type=float, default=0.0)
    ap.add_argument("--faults", default=",".join(FAULTS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--hang-seconds", type=float, default=30.0, help="how long a timeout fault stalls")
    ap.add_argument("--retry-after", type=float, default=0.05, help="Retry-After of a 429 fault")
    ap.add_argument("--token-latency", type=float, default=0.0, help="extra seconds per answer token")
    ap.add_argument("--pad-words", type=int, default=0, help="filler words per justification")
    ap.add_argument("--stats-file", default=None, help="write hit counters here on exit (JSON)")
    a = ap.parse_args()
    cfg = StubConfig(a.latency, a.jitter, a.fault_rate, tuple(a.faults.split(",")),
                     hang_seconds=a.hang_seconds, retry_after=a.retry_after, seed=a.seed,
                     token_latency=a.token_latency, pad_words=a.pad_words)
    state = StubState()
    app = make_app(cfg, state)

    async def dump(_: web.Application) -> None:
        if a.stats_file:
            with open(a.stats_file, "w") as fh:
                json.dump(state_dict(state), fh)

    app.on_shutdown.append(dump)
    web.run_app(app, host="127.0.0.1", port=a.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
