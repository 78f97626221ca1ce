"""Load test for `perm serve`: N requests from C concurrent clients, every result accounted for.

    python bench/serve_load.py --spawn --requests 2000 --clients 64            # fake judge
    python bench/serve_load.py --url http://127.0.0.1:8000 --token T --requests 500

Each request carries unique sample ids; the run checks every response returns exactly its own
ids in order (nothing lost, nothing duplicated) and reports latency percentiles. `--spawn`
starts `perm serve --judge fake` on a free loopback port (judge latency via --judge-latency).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from typing import Any

import aiohttp

COMPLETION = ("# Analysis\nShe is exhausted and wants to be taken seriously.\n"
              "# Response\nThree weeks without heat with a toddler is a lot. Here is the letter.")


def _body(i: int, per_request: int) -> tuple[dict[str, Any], list[str]]:
    ids = [f"r{i}-s{j}" for j in range(per_request)]
    return {"samples": [{"id": sid, "persona": f"Seeker {sid}", "scenario": "Boiler broken.",
                         "query": f"Help me write to my landlord ({sid}).",
                         "completion": COMPLETION} for sid in ids]}, ids


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


async def run_load(url: str, requests: int, clients: int, per_request: int = 1,
                   token: str | None = None) -> dict[str, Any]:
    """Fire the load and return counts and latency percentiles (milliseconds)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    seen: Counter[str] = Counter()
    errors: list[str] = []
    mismatched = 0
    next_index = iter(range(requests))
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker() -> None:
            nonlocal mismatched
            for i in next_index:
                body, ids = _body(i, per_request)
                start = time.perf_counter()
                try:
                    async with session.post(f"{url}/v1/score", json=body) as resp:
                        payload = await resp.json(content_type=None)
                        status = resp.status
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as e:
                    errors.append(f"request {i}: {type(e).__name__}: {e}")
                    continue
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    errors.append(f"request {i}: HTTP {status}: {str(payload)[:200]}")
                    continue
                got = [r["id"] for r in payload["results"]]
                seen.update(got)
                if got != ids:
                    mismatched += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - t0
    expected = {sid for i in range(requests) for sid in _body(i, per_request)[1]}
    ms = [x * 1000 for x in latencies]
    return {"requests": requests, "clients": clients, "samples_per_request": per_request,
            "errors": len(errors), "first_errors": errors[:5], "mismatched": mismatched,
            "lost": len(expected - set(seen)), "duplicated": sum(n - 1 for n in seen.values() if n > 1),
            "unexpected": len(set(seen) - expected),
            "p50_ms": round(percentile(ms, 50), 1), "p90_ms": round(percentile(ms, 90), 1),
            "p99_ms": round(percentile(ms, 99), 1), "max_ms": round(max(ms, default=0), 1),
            "wall_s": round(wall, 2), "requests_per_s": round(requests / wall, 1)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn_server(config: dict[str, Any], folder: str, *args: str
                 ) -> tuple[subprocess.Popen[bytes], str]:
    """`perm serve --config <config>` on a free loopback port (config written into `folder`)."""
    path = os.path.join(folder, "scoring.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(config, fh)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "perm.cli", "serve", "--config", path,
                             "--port", str(port), "--log-level", "warning", *args])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, url
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("server exited during startup") from None
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start within 120 s")


def spawn_fake_server(latency: float, folder: str) -> tuple[subprocess.Popen[bytes], str]:
    """`perm serve --judge fake` with `latency` seconds per judge call."""
    return spawn_server({"judge": {"backend": "fake", "options": {"latency": latency}}}, folder)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="server base URL (or --spawn)")
    ap.add_argument("--spawn", action="store_true", help="start `perm serve --judge fake` here")
    ap.add_argument("--judge-latency", type=float, default=0.0, help="fake judge seconds per call")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--samples-per-request", type=int, default=1)
    ap.add_argument("--token", default=os.environ.get("PERM_SERVER_TOKEN"))
    args = ap.parse_args()
    if not (args.spawn or args.url):
        ap.error("give --url or --spawn")
    with tempfile.TemporaryDirectory() as folder:
        proc = None
        if args.spawn:
            proc, url = spawn_fake_server(args.judge_latency, folder)
        else:
            url = args.url.rstrip("/")
        try:
            report = asyncio.run(run_load(url, args.requests, args.clients,
                                          args.samples_per_request, args.token))
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(30)
    print(json.dumps(report, indent=2))
    bad = report["errors"] or report["lost"] or report["duplicated"] or report["mismatched"]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
