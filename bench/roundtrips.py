"""Judge round trips: one GRPO batch (8 prompts x 8 generations = 64 completions, 4 judge calls
each) against a stub OpenAI-compatible server, perm vs the reference schedule and bare clients,
side by side in one run (variants interleaved, order rotated each repeat, medians reported).

The stub runs in its own process, so the client CPU per call (process time of this process /
calls) is the client's alone.
"""
from __future__ import annotations

import asyncio
import gc
import importlib.util
import time
from collections.abc import Callable
from typing import Any

from perm.scoring import PermScorer
from perm.types import DIMENSIONS

from .clients import AllInFlight, reference_schedule
from .common import StubProcess, make_samples, openai_scoring_config, summary

NAME = "roundtrips"
BATCH = 64  # 8 prompts x 8 generations

DESCRIPTIONS = {
    "perm": "perm, default config: per-dimension, concurrency 256 (all 256 calls in flight), aiohttp",
    "perm_c64": "perm with concurrency 64 (the default before these benchmarks)",
    "perm_fused": "perm --fused: 64 calls, each returns all four perspectives",
    "reference_openai": "reference schedule: 4 sequential phases, fresh AsyncOpenAI per phase, concurrency 64",
    "reference_aiohttp": "reference schedule with a bare aiohttp session per phase (schedule cost alone)",
    "inflight_aiohttp": "all 256 calls in flight, bare aiohttp session (no perm code)",
    "inflight_httpx": "all 256 calls in flight, bare httpx (unlimited pool)",
    "inflight_openai": "all 256 calls in flight, one openai SDK client (httpx inside)",
    "single": "one judge call, warm aiohttp session (the limit)",
}


def _prompts(samples: list[Any]) -> dict[str, list[list[dict[str, str]]]]:
    renderer = PermScorer({"judge": {"backend": "fake"}})
    by_dim: dict[str, list[list[dict[str, str]]]] = {d: [] for d in DIMENSIONS}
    for s in samples:
        for dim, messages in renderer.render(s):
            by_dim[dim].append(messages)
    return by_dim


def _measure(stub: StubProcess, calls: int, fn: Callable[[], Any]) -> dict[str, Any]:
    stub.reset()
    gc.collect()  # no variant pays for another's garbage
    s0, c0, t0 = stub.cpu_seconds(), time.process_time(), time.perf_counter()
    out = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    server_cpu = stub.cpu_seconds() - s0
    st = stub.stats()
    return {"wall": wall, "cpu_ms_per_call": 1000 * cpu / max(1, calls), "hits": st["hits"],
            "server_cpu_ms_per_call": 1000 * server_cpu / max(1, calls),
            "max_in_flight": st["max_in_flight"], "out": out}


def bench_config(latency: float, jitter: float, reps: int, variants: list[str]) -> dict[str, Any]:
    samples = make_samples(BATCH)
    by_dim = _prompts(samples)
    phases = [by_dim[d] for d in DIMENSIONS]  # resonation, expression, reception, bystander
    flat = [p for ph in phases for p in ph]
    with StubProcess(latency=latency, jitter=jitter) as stub:
        cfg = openai_scoring_config(stub.url, max_retries=0, timeout=60)
        scorers = {
            "perm": PermScorer(cfg),  # the default concurrency (256)
            "perm_c64": PermScorer({**cfg, "judge": {**cfg["judge"], "concurrency": 64}}),
            "perm_fused": PermScorer({**cfg, "fused": True, "judge": {**cfg["judge"], "concurrency": 256}}),
        }
        loop = asyncio.new_event_loop()
        clients = {k: AllInFlight(k.split("_")[1], stub.url) for k in
                   ("inflight_aiohttp", "inflight_httpx", "inflight_openai") if k in variants}
        single = AllInFlight("aiohttp", stub.url)
        for c in [*clients.values(), single]:
            loop.run_until_complete(c.open())

        def perm_run(name: str) -> Callable[[], Any]:
            def go() -> Any:
                res = scorers[name].score(samples)
                bad = [r.outcome for r in res if r.outcome != "scored"]
                if bad:
                    raise RuntimeError(f"{name}: {len(bad)} samples not scored: {bad[:3]}")
                return len(res)
            return go

        runs: dict[str, tuple[int, Callable[[], Any]]] = {
            "perm": (256, perm_run("perm")),
            "perm_c64": (256, perm_run("perm_c64")),
            "perm_fused": (64, perm_run("perm_fused")),
            "reference_openai": (256, lambda: reference_schedule(stub.url, phases, client_kind="openai")),
            "reference_aiohttp": (256, lambda: reference_schedule(stub.url, phases, client_kind="aiohttp")),
            "single": (1, lambda: loop.run_until_complete(single.send(flat[0]))),
        }
        for k, c in clients.items():
            runs[k] = (256, lambda c=c: loop.run_until_complete(c.send_all(flat)))
        runs = {k: v for k, v in runs.items() if k in variants}
        cold = {k: round(_measure(stub, *runs[k])["wall"], 4) for k in runs}  # warm-up pass
        samples_by: dict[str, list[dict[str, Any]]] = {k: [] for k in runs}
        order = list(runs)
        for rep in range(reps):
            rot = order[rep % len(order):] + order[:rep % len(order)]
            for k in rot:
                samples_by[k].append(_measure(stub, *runs[k]))
        for c in [*clients.values(), single]:
            loop.run_until_complete(c.close())
        loop.close()
        for s in scorers.values():
            s.close()
    result: dict[str, Any] = {"latency_s": latency, "jitter_s": jitter, "reps": reps,
                              "stub_command": stub.command, "cold_first_run_s": cold, "variants": {}}
    for k, ms in samples_by.items():
        result["variants"][k] = {
            "description": DESCRIPTIONS[k], "calls": runs[k][0],
            "wall_s": summary([m["wall"] for m in ms]),
            "x_latency": round(summary([m["wall"] for m in ms])["median"] / latency, 2),
            "client_cpu_ms_per_call": summary([m["cpu_ms_per_call"] for m in ms], 3),
            "stub_cpu_ms_per_call": summary([m["server_cpu_ms_per_call"] for m in ms], 3),
            "server_hits": ms[-1]["hits"], "max_in_flight": max(m["max_in_flight"] for m in ms)}
    v = result["variants"]
    med = {k: v[k]["wall_s"]["median"] for k in v}
    ratios: dict[str, float] = {}
    ref = "reference_openai" if "reference_openai" in med else "reference_aiohttp"
    if "perm" in med and ref in med:
        ratios["reference_over_perm"] = round(med[ref] / med["perm"], 2)
    if "perm" in med:
        ratios["perm_over_latency"] = round(med["perm"] / latency, 2)
        if "single" in med:
            ratios["perm_over_single_call"] = round(med["perm"] / med["single"], 2)
        if "perm_c64" in med:
            ratios["perm_c64_over_perm"] = round(med["perm_c64"] / med["perm"], 2)
        if "perm_fused" in med:
            ratios["perm_fused_over_perm"] = round(med["perm_fused"] / med["perm"], 2)
    result["ratios"] = ratios
    return result


def run(quick: bool = False) -> dict[str, Any]:
    has_sdk = importlib.util.find_spec("openai") is not None
    ref = "reference_openai" if has_sdk else "reference_aiohttp"
    all_variants = [v for v in DESCRIPTIONS if has_sdk or "openai" not in v]
    if quick:
        main = bench_config(0.05, 0.0, 2, ["perm", "perm_c64", ref, "inflight_aiohttp", "single"])
        out = {"main": main}
    else:
        out = {"main": bench_config(0.2, 0.0, 7, all_variants),
               "jitter": bench_config(0.2, 0.05, 5, ["perm", ref, "single"])}
    out["reference_variant"] = ref
    if not has_sdk:
        out["note"] = ("the openai SDK is not installed (pip install openai): the reference schedule "
                       "ran over bare aiohttp, which flatters it")
    r = out["main"]["ratios"]
    out["targets"] = {"reference_over_perm >= 5": r.get("reference_over_perm", 0) >= 5,
                      "perm_over_latency <= 1.3": r.get("perm_over_latency", 99) <= 1.3}
    out["invariants"] = {"all_samples_scored": True,
                         "perm_hits_256": out["main"]["variants"]["perm"]["server_hits"] == 256}
    return out
