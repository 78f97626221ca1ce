"""Library CPU overhead per judge call, the HTTP clients' CPU cost per call, and throughput at
10,000 calls with zero judge latency.

- `library`: PermScorer end to end with an in-process judge that answers instantly (no HTTP):
  rendering, the caller (semaphore, timeout, stats), parsing, combining. CPU time / calls.
- `components`: microbenchmarks of the pieces, in microseconds per call.
- `clients`: zero-latency stub in another process, 256 calls in flight; CPU time of this process
  per call for perm (end to end), bare aiohttp, bare httpx and the openai SDK.
- `throughput`: 10,000 calls (2,500 samples x 4) through perm against the zero-latency stub,
  and through the in-process judge.
"""
from __future__ import annotations

import asyncio
import gc
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from perm.calling import ChatCaller
from perm.config import JudgeConfig
from perm.judges.base import Judge, SamplingParams
from perm.judges.cache import ResponseCache, cache_key
from perm.judges.openai import build_request
from perm.parsing import parse_answer
from perm.perspectives import render_messages
from perm.scoring import PermScorer, build_requests, combine
from perm.types import DIMENSIONS

from .clients import AllInFlight
from .common import StubProcess, make_samples, openai_scoring_config, summary

NAME = "overhead"
SINGLE = "The reply is warm and specific.\nScore: 4"
BYSTANDER = ("Clear and useful.\nEffectiveness: 15\nClarity: 16\nEfficiency: 14\nObjectivity: 15\n"
             "Accuracy: 15\nTotal: 75")


class InstantJudge(Judge):
    """Answers at once with a valid answer for the prompt's dimension (no network, no hashing)."""

    name = "instant"

    async def complete(self, messages: Sequence[dict[str, str]], params: SamplingParams) -> str:
        return BYSTANDER if messages[-1]["content"].endswith("Total: N") else SINGLE


def _per_call_us(fn: Callable[[], Any], n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return 1e6 * (time.perf_counter() - t0) / n


def library_cpu(n_samples: int, reps: int, cache: bool = False) -> dict[str, Any]:
    samples = make_samples(n_samples)
    vals = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(reps):
            cfg: dict[str, Any] = {"judge": {"backend": "instant", "concurrency": 256}}
            rc = ResponseCache(Path(tmp) / f"c{len(vals)}.sqlite") if cache else None
            scorer = PermScorer(cfg, judge=InstantJudge(JudgeConfig(backend="instant")), cache=rc)
            gc.collect()
            c0 = time.process_time()
            res = scorer.score(samples)
            vals.append(1000 * (time.process_time() - c0) / (4 * n_samples))
            assert all(r.outcome == "scored" for r in res), "instant judge must score everything"
            scorer.close()
    return {"samples": n_samples, "calls": 4 * n_samples, "cache": cache,
            "cpu_ms_per_call": summary(vals, 4)}


def components(n: int) -> dict[str, float]:
    sample = make_samples(1)[0]
    _, reqs = build_requests(sample, DIMENSIONS)
    assert reqs is not None
    msgs = [render_messages(r) for r in reqs]
    params = SamplingParams()
    out: dict[str, float] = {}
    out["render_4_prompts_per_call"] = _per_call_us(lambda: [render_messages(r) for r in reqs], n) / 4
    out["split_completion_per_call"] = _per_call_us(lambda: build_requests(sample, DIMENSIONS), n) / 4
    out["encode_request_json_per_call"] = _per_call_us(
        lambda: [json.dumps(build_request("m", m, params)) for m in msgs], n) / 4
    out["parse_answer_per_call"] = _per_call_us(
        lambda: (parse_answer(SINGLE, "resonation"), parse_answer(SINGLE, "expression"),
                 parse_answer(SINGLE, "reception"), parse_answer(BYSTANDER, "bystander")), n) / 4
    out["cache_key_per_call"] = _per_call_us(
        lambda: [cache_key("openai:m", "v1", m, (0.3, 512, None, None)) for m in msgs], n) / 4
    from perm.config import ScoringConfig

    cfg = ScoringConfig()
    scores = {"resonation": 4.0, "expression": 3.0, "reception": 4.0, "bystander": 75.0}
    out["combine_and_to_json_per_call"] = _per_call_us(
        lambda: json.dumps(combine(scores, {}, 120, cfg, judge="x", sample_id="s").to_dict()), n) / 4
    with tempfile.TemporaryDirectory() as tmp:
        rc = ResponseCache(Path(tmp) / "c.sqlite")
        keys = [f"k{i}" for i in range(n)]
        t0 = time.perf_counter()
        for k in keys:
            rc.put(k, SINGLE, "x")
        out["cache_put_per_call"] = 1e6 * (time.perf_counter() - t0) / n
        t0 = time.perf_counter()
        for k in keys:
            rc.get(k)
        out["cache_get_per_call"] = 1e6 * (time.perf_counter() - t0) / n
        rc.close()

    async def caller_loop() -> float:
        judge = InstantJudge(JudgeConfig(backend="instant"))
        caller = ChatCaller(judge, JudgeConfig(backend="instant", concurrency=256), rubric_version="v1")
        parse = partial(parse_answer, dimension="resonation")
        m = msgs[0]
        t0 = time.perf_counter()
        await asyncio.gather(*(caller.ask(m, parse) for _ in range(n)))
        return 1e6 * (time.perf_counter() - t0) / n

    out["caller_ask_incl_parse_per_call"] = asyncio.run(caller_loop())
    return {k: round(v, 1) for k, v in out.items()}


def client_cpu(calls: int, reps: int, kinds: Sequence[str] = ("aiohttp", "httpx", "openai")) -> dict[str, Any]:
    """CPU of this process per call, zero-latency stub in another process, 256 in flight."""
    samples = make_samples(64)
    renderer = PermScorer({"judge": {"backend": "fake"}})
    flat = [m for s in samples for _, m in renderer.render(s)]
    rounds = max(1, calls // 256)
    out: dict[str, Any] = {}
    with StubProcess() as stub:
        scorer = PermScorer(openai_scoring_config(stub.url, concurrency=256, max_retries=0))
        loop = asyncio.new_event_loop()
        clients = {k: AllInFlight(k, stub.url) for k in kinds}
        for c in clients.values():
            loop.run_until_complete(c.open())
        runs: dict[str, Callable[[], Any]] = {"perm": lambda: scorer.score(samples)}
        for k, c in clients.items():
            runs[k] = lambda c=c: loop.run_until_complete(c.send_all(flat))
        for f in runs.values():
            f()  # warm up connections
        cpu: dict[str, list[float]] = {k: [] for k in runs}
        wall: dict[str, list[float]] = {k: [] for k in runs}
        for _ in range(reps):
            for k, f in runs.items():
                gc.collect()
                c0, t0 = time.process_time(), time.perf_counter()
                for _ in range(rounds):
                    f()
                cpu[k].append(1000 * (time.process_time() - c0) / (256 * rounds))
                wall[k].append(1000 * (time.perf_counter() - t0) / (256 * rounds))
        for c in clients.values():
            loop.run_until_complete(c.close())
        loop.close()
        scorer.close()
    for k in runs:
        out[k] = {"cpu_ms_per_call": summary(cpu[k], 4), "wall_ms_per_call": summary(wall[k], 4)}
    base = out["aiohttp"]["cpu_ms_per_call"]["median"]
    out["ratios_cpu_vs_bare_aiohttp"] = {k: round(out[k]["cpu_ms_per_call"]["median"] / base, 2)
                                         for k in runs}
    out["calls_per_rep"] = 256 * rounds
    return out


def throughput(n_calls: int, reps: int) -> dict[str, Any]:
    samples = make_samples(n_calls // 4, prefix="t")
    res: dict[str, Any] = {"calls": n_calls}
    with StubProcess() as stub:
        scorer = PermScorer(openai_scoring_config(stub.url, concurrency=256, max_retries=0))
        scorer.score(samples[:64])
        walls, cpus = [], []
        for _ in range(reps):
            stub.reset()
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            out = scorer.score(samples)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            st = stub.stats()
            assert len(out) == len(samples) and all(r.outcome == "scored" for r in out)
            assert st["hits"] == n_calls, f"stub saw {st['hits']} calls, expected {n_calls}"
        scorer.close()
    res["stub_http"] = {"wall_s": summary(walls, 3),
                        "calls_per_s": round(n_calls / summary(walls)["median"]),
                        "samples_per_s": round(n_calls / 4 / summary(walls)["median"]),
                        "client_cpu_ms_per_call": round(1000 * summary(cpus)["median"] / n_calls, 4),
                        "server_hits_match": True}
    scorer = PermScorer({"judge": {"backend": "instant", "concurrency": 256}},
                        judge=InstantJudge(JudgeConfig(backend="instant")))
    walls = []
    for _ in range(reps):
        gc.collect()
        t0 = time.perf_counter()
        scorer.score(samples)
        walls.append(time.perf_counter() - t0)
    scorer.close()
    res["in_process"] = {"wall_s": summary(walls, 3),
                         "calls_per_s": round(n_calls / summary(walls)["median"])}
    return res


def run(quick: bool = False) -> dict[str, Any]:
    n_samples, reps = (100, 1) if quick else (2500, 5)
    out: dict[str, Any] = {
        "library": library_cpu(n_samples, reps),
        "library_with_cache": library_cpu(n_samples, reps, cache=True),
        "components_us": components(100 if quick else 3000),
        "clients": (client_cpu(256, 1, ("aiohttp",)) if quick else client_cpu(2560, 5)),
        "throughput": throughput(400 if quick else 10000, 1 if quick else 3),
    }
    lib = out["library"]["cpu_ms_per_call"]["median"]
    out["targets"] = {"library_cpu_ms_per_call < 2": lib < 2}
    out["invariants"] = {"throughput_all_scored": out["throughput"]["stub_http"]["server_hits_match"]}
    return out
