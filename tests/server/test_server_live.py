"""A real `perm serve` (uvicorn) on 127.0.0.1: concurrent load, auth, graceful shutdown."""
from __future__ import annotations

import asyncio
import importlib.util
import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_helpers import fake_config, sample

BENCH = Path(__file__).resolve().parents[2] / "bench" / "serve_load.py"
LOAD_TOKEN = "load-token-0123456789abcdef"


def _load_bench() -> Any:
    spec = importlib.util.spec_from_file_location("serve_load", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_concurrent_load_loses_nothing(live_server: Any) -> None:
    """2,000 requests from 64 concurrent clients: every result comes back exactly once."""
    server = live_server(fake_config(), "--token", LOAD_TOKEN)
    report = asyncio.run(_load_bench().run_load(server.url, 2000, 64, token=LOAD_TOKEN))
    print(f"\nload: {report}")
    assert report["errors"] == 0, report["first_errors"]
    assert report["lost"] == report["duplicated"] == report["mismatched"] == report["unexpected"] == 0
    metrics = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {LOAD_TOKEN}"}).text
    assert 'perm_requests_total{endpoint="/v1/score",status="200"} 2000' in metrics
    assert "perm_judge_calls_total 8000" in metrics


def test_live_auth(live_server: Any) -> None:
    server = live_server(fake_config(), "--token", LOAD_TOKEN)
    assert httpx.post(f"{server.url}/v1/score", json={"samples": [sample()]}).status_code == 401
    ok = httpx.post(f"{server.url}/v1/score", json={"samples": [sample()]},
                    headers={"Authorization": f"Bearer {LOAD_TOKEN}"})
    assert ok.status_code == 200 and ok.json()["results"][0]["id"] == "s0"


def test_sigterm_finishes_in_flight_requests(live_server: Any) -> None:
    server = live_server(fake_config(latency=1.5))
    box: dict[str, Any] = {}

    def slow_request() -> None:
        box["response"] = httpx.post(f"{server.url}/v1/score",
                                     json={"samples": [sample(i) for i in range(3)]}, timeout=30)

    t = threading.Thread(target=slow_request)
    t.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # wait until the request is being scored
        if httpx.get(f"{server.url}/health").json()["pending_samples"] == 3:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("request never reached the scorer")
    server.proc.send_signal(signal.SIGTERM)
    t.join(30)
    assert box["response"].status_code == 200
    assert [r["id"] for r in box["response"].json()["results"]] == ["s0", "s1", "s2"]
    # uvicorn re-raises the signal once it has shut down cleanly, so "killed by SIGTERM" is the
    # normal exit status here; the completed request above is what shows the drain worked.
    assert server.proc.wait(30) in (0, -signal.SIGTERM)
    assert "Traceback" not in server.output()
    with pytest.raises(httpx.TransportError):  # no longer accepting connections
        httpx.get(f"{server.url}/health", timeout=1)


def test_one_huge_request_does_not_hold_small_ones() -> None:
    """bench/serve_fairness.py --quick: a ~2 MiB batch of 1,000 samples (4,000 judge calls at
    0.2 s) while 4 clients send one-sample requests. Before fair scheduling each small request
    queued behind the whole batch (p99 3.4 s here); now it waits for about one judge call."""
    from bench import serve_fairness

    result = serve_fairness.run(quick=True)
    print(f"\nfairness: baseline {result['baseline']}, during {result['during']}, "
          f"big {result['big']}")
    assert all(result["invariants"].values()), result
    assert result["during"]["n"] >= 8
    assert result["during"]["p99_ms"] < 1500, result["during"]


def test_live_logs_hold_no_token_no_text_no_traceback(live_server: Any) -> None:
    """--access-log with OpenRLHF's ?token= URL, a NaN body and a text/plain body."""
    server = live_server(fake_config(), "--token", LOAD_TOKEN, "--access-log", "--log-level", "info")
    secret = "SEEKER-TEXT-nobody-listens"
    body = json.dumps({"samples": [sample(0, query=secret)]})
    auth = {"Authorization": f"Bearer {LOAD_TOKEN}", "content-type": "application/json"}
    r = httpx.post(f"{server.url}/v1/score", content=body.replace('"id": "s0"', '"id": NaN'),
                   headers=auth)
    assert r.status_code == 422 and secret not in r.text
    r = httpx.post(f"{server.url}/v1/score", content=body, headers={**auth, "content-type": "text/plain"})
    assert r.status_code == 415 and secret not in r.text
    label = json.dumps({k: v for k, v in sample(0, query=secret).items() if k != "completion"})
    r = httpx.post(f"{server.url}/get_reward?token={LOAD_TOKEN}",
                   json={"query": [sample(0)["completion"]], "labels": [label]})
    assert r.status_code == 200
    server.stop()
    out = server.output()
    assert "/get_reward?token=[redacted]" in out  # the access log ran
    assert LOAD_TOKEN not in out and secret not in out and "Traceback" not in out


def test_live_shared_lines_window_option(live_server: Any) -> None:
    """`perm serve --shared-lines-window N` reaches the app: one-sample requests (current
    OpenRLHF) share the window, so the third seeker given the same line is flagged."""
    server = live_server(fake_config(), "--shared-lines-window", "16")
    line = "# Analysis\nTired.\n# Response\nThat sounds exhausting, truly and deeply so."
    got = []
    for i in range(3):
        rec = sample(i, completion=line)
        body = {"query": [rec["completion"]], "prompts": [""],
                "labels": [json.dumps({k: v for k, v in rec.items() if k != "completion"})]}
        got.append(httpx.post(f"{server.url}/get_reward", json=body).json()["extra_logs"]["perm/shared_line"])
    assert got == [[0.0], [0.0], [1.0]]
