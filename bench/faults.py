"""Faults: 10,000 judge calls (2,500 samples x 4) against a stub that injects 20 % faults
(timeouts, 429 with Retry-After, 500, garbage bodies, truncated answers). Every sample must end
with its scores or an explicit failure reason per missing score; nothing may crash or vanish.
Reports retry and re-ask counts and the final failure rate.
"""
from __future__ import annotations

import time
from typing import Any

from perm.scoring import PermScorer
from perm.types import DIMENSIONS

from .common import StubProcess, make_samples, openai_scoring_config

NAME = "faults"
FAULTS = ("timeout", "429", "500", "garbage", "truncated")


def run(quick: bool = False, *, samples: int | None = None, fault_rate: float = 0.2) -> dict[str, Any]:
    n = samples or (150 if quick else 2500)
    batch = make_samples(n, prefix="f")
    timeout = 1.5  # generous: on a loaded 2-core machine a tight timeout fires on slowness alone
    judge = {"concurrency": 256, "timeout": timeout, "max_retries": 4, "backoff": 0.05,
             "max_backoff": 0.5, "max_reasks": 1}
    crashed: str | None = None
    results: list[Any] = []
    with StubProcess(latency=0.01, jitter=0.005, fault_rate=fault_rate, faults=FAULTS,
                     hang_seconds=2 * timeout, retry_after=0.05, seed=7) as stub:
        scorer = PermScorer(openai_scoring_config(stub.url, **judge))
        t0 = time.perf_counter()
        try:
            results = scorer.score(batch)
        except Exception as e:  # a crash is a failed benchmark, reported with its cause
            crashed = f"{type(e).__name__}: {e}"
        wall = time.perf_counter() - t0
        stats = scorer.stats.as_dict()
        scorer.close()
        server = stub.stats()
    ids = [r.id for r in results]
    unexplained = [r.id for r in results for d in DIMENSIONS
                   if r.scores.get(d) is None and not r.failures.get(d)]
    reasonless = [r.id for r in results for d, why in r.failures.items() if not why]
    outcomes: dict[str, int] = {}
    for r in results:
        outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
    missing_scores = sum(1 for r in results for d in DIMENSIONS if r.scores.get(d) is None)
    calls_first = 4 * n
    out: dict[str, Any] = {
        "samples": n, "judge_calls_asked": calls_first, "fault_rate": fault_rate,
        "faults_injected": server["faults"], "faults_injected_total": sum(server["faults"].values()),
        "server_requests": server["hits"], "client_requests": stats["calls"],
        "requests_lost_to_client_timeouts": stats["calls"] - server["hits"],
        "retries": stats["retries"], "reasks": stats["reasks"],
        "failed_calls": stats["failures"], "failure_reasons": stats["failure_reasons"],
        "final_failure_rate_calls": round(missing_scores / calls_first, 5),
        "final_failure_rate_samples": round(sum(1 for r in results if r.reward is None) / max(1, n), 5),
        "outcomes": outcomes, "wall_s": round(wall, 2),
        "example_failures": [{"id": r.id, "failures": r.failures} for r in results if r.failures][:3],
        "judge_settings": judge, "stub_command": stub.command, "crash": crashed,
    }
    out["invariants"] = {
        "zero_crashes": crashed is None,
        "every_sample_has_a_result": sorted(ids) == sorted(s.id for s in batch) and len(ids) == n,
        "every_missing_score_has_a_reason": not unexplained and not reasonless,
        # a request that timed out before the server read it is never counted there, so the
        # server may see fewer requests than were sent, never more
        "no_phantom_requests": server["hits"] <= stats["calls"],
    }
    return out
