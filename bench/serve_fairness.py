"""Fairness of `perm serve` under one huge request: while a 15 MiB batch is scored, clients
sending one-sample requests must keep getting answers quickly.

    python -m bench.serve_fairness                  # full: embedded local judge, 15 MiB batch
    python -m bench.serve_fairness --quick          # CI: fake judge (0.2 s a call), ~2 MiB batch
    python -m bench.serve_fairness --shape one      # one 15 MiB sample instead of 1,000 samples
    python -m bench.run --quick --only serve_fairness

`clients` loops each post a one-sample /v1/score request, wait for it, and post the next. They
run alone first (baseline), then while the big request is scored ("during"). Reported: the
small requests' latency percentiles in both phases, the big request's status and time, and the
server's peak memory. Invariants: every request is answered 200 with exactly its own ids.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from .common import write_result
from .serve_load import COMPLETION, percentile, spawn_server

NAME = "serve_fairness"
MIB = 1024 * 1024
_PAD = "She keeps going back over what the manager said and why it stung so much. "


def big_body(mib: float, samples: int) -> tuple[bytes, list[str]]:
    """A /v1/score body of about `mib` MiB: `samples` samples whose completions share it."""
    per = max(1, int(mib * MIB / samples) - 400)
    pad = (_PAD * (per // len(_PAD) + 1))[:per]
    ids = [f"big-{i}" for i in range(samples)]
    records = [{"id": sid, "persona": "A night-shift nurse, 34.", "scenario": "Passed over.",
                "query": f"Why does this keep bothering me? ({sid})",
                "completion": COMPLETION + "\n" + pad} for sid in ids]
    return json.dumps({"samples": records}).encode(), ids


def _summary(ms: list[float]) -> dict[str, Any]:
    return {"n": len(ms), "p50_ms": round(percentile(ms, 50), 1),
            "p90_ms": round(percentile(ms, 90), 1), "p99_ms": round(percentile(ms, 99), 1),
            "max_ms": round(max(ms, default=float("nan")), 1)}


async def measure(url: str, body: bytes, ids: list[str], *, clients: int, baseline_s: float,
                  token: str | None = None) -> dict[str, Any]:
    """Small clients alone for `baseline_s`, then while `body` is scored; latencies in ms."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    phase = "baseline"
    lat: dict[str, list[float]] = {"baseline": [], "during": []}
    errors: list[str] = []
    stop = asyncio.Event()
    timeout = aiohttp.ClientTimeout(total=900)
    async with aiohttp.ClientSession(headers=headers, timeout=timeout) as session:

        async def small(c: int) -> None:
            k = 0
            while not stop.is_set():
                sid = f"small-{c}-{k}"
                k += 1
                record = {"id": sid, "persona": "A student.", "scenario": "Exams.",
                          "query": f"I can't sleep ({sid}).", "completion": COMPLETION}
                started, at = time.perf_counter(), phase
                try:
                    async with session.post(f"{url}/v1/score", json={"samples": [record]}) as r:
                        payload = await r.json(content_type=None)
                        status = r.status
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as e:
                    errors.append(f"{sid}: {type(e).__name__}")
                    continue
                if status != 200 or [x["id"] for x in payload["results"]] != [sid]:
                    errors.append(f"{sid}: HTTP {status}")
                    continue
                lat[at].append((time.perf_counter() - started) * 1000)

        tasks = [asyncio.create_task(small(c)) for c in range(clients)]
        await asyncio.sleep(baseline_s)
        phase = "during"
        started = time.perf_counter()
        big_status, big_ok, refused = 0, False, 0
        try:
            async with session.post(f"{url}/v1/score", data=body,
                                    headers={"content-type": "application/json"}) as r:
                big_status = r.status
                payload = await r.json(content_type=None)
            if big_status == 200:
                results = payload["results"]
                big_ok = [x["id"] for x in results] == ids
                refused = sum(1 for x in results if "input" in x["failures"])
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as e:
            errors.append(f"big request: {type(e).__name__}")
        big_s = time.perf_counter() - started
        stop.set()
        await asyncio.gather(*tasks)
    return {"baseline": _summary(lat["baseline"]), "during": _summary(lat["during"]),
            "big": {"status": big_status, "seconds": round(big_s, 2), "ids_ok": big_ok,
                    "samples": len(ids), "refused": refused, "mib": round(len(body) / MIB, 2)},
            "errors": len(errors), "first_errors": errors[:5]}


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def run(quick: bool = False, *, judge: str | None = None, mib: float | None = None,
        samples: int | None = None, clients: int = 4, latency: float = 0.2,
        shape: str = "many") -> dict[str, Any]:
    """Spawn `perm serve`, run `measure`, and report (bench.run calls this)."""
    judge = judge or ("fake" if quick else "local")
    mib = mib or (2.0 if quick else 15.0)
    samples = 1 if shape == "one" else (samples or 1000)
    config: dict[str, Any] = {"judge": {"backend": judge}}
    if judge == "fake":
        config["judge"]["options"] = {"latency": latency}
    body, ids = big_body(mib, samples)
    with tempfile.TemporaryDirectory() as folder:
        proc, url = spawn_server(config, folder)
        try:
            report = asyncio.run(_warm_and_measure(url, body, ids, clients, 2.0 if quick else 5.0))
            rss = _peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(60)
    during = report["during"]
    return {"judge": judge, "judge_latency_s": latency if judge == "fake" else None,
            "shape": shape, "clients": clients, **report, "server_peak_rss_mb": rss,
            "invariants": {"no_errors": report["errors"] == 0,
                           "big_answered_in_order": report["big"]["ids_ok"],
                           "small_answered_during": during["n"] > 0},
            "targets": {"small_p99_during_ms_under_1500": during["p99_ms"] < 1500}}


async def _warm_and_measure(url: str, body: bytes, ids: list[str], clients: int,
                            baseline_s: float) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session:  # loads the judge (the local model) first
        record = {"persona": "p", "scenario": "s", "query": "q", "completion": COMPLETION}
        async with session.post(f"{url}/v1/score", json={"samples": [record]}) as r:
            await r.read()
    return await measure(url, body, ids, clients=clients, baseline_s=baseline_s)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small CI variant (fake judge, 2 MiB)")
    ap.add_argument("--judge", choices=["local", "fake"], default=None)
    ap.add_argument("--mib", type=float, default=None, help="size of the big request [15; quick 2]")
    ap.add_argument("--samples", type=int, default=None, help="samples in it [1000]")
    ap.add_argument("--shape", choices=["many", "one"], default="many",
                    help="many samples, or the whole size in one sample")
    ap.add_argument("--clients", type=int, default=4, help="one-sample clients")
    ap.add_argument("--latency", type=float, default=0.2, help="fake judge seconds per call")
    ap.add_argument("--out", type=Path, default=None, help="write the JSON result here")
    a = ap.parse_args(argv)
    result = run(a.quick, judge=a.judge, mib=a.mib, samples=a.samples, clients=a.clients,
                 latency=a.latency, shape=a.shape)
    print(json.dumps(result, indent=2))
    if a.out:
        write_result(a.out.stem, result, a.out.parent)
    return 0 if all(result["invariants"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
