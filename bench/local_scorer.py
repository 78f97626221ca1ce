"""Local scorer (`--judge local`): load time, throughput (samples/s in GRPO-sized batches and in
one large batch) and memory (resident set before loading, after, and at peak). Runs in a child
process so the memory numbers are the scorer's alone. Skips, with the reason, when the local
scorer or its packaged model is not available.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

from .common import ROOT

NAME = "local_scorer"


def available() -> str | None:
    """None when the local scorer can run, else why not."""
    try:
        from perm.judges.local import LocalJudge  # noqa: F401
        from perm.local.model import default_model_dir
    except Exception as e:  # missing extra or a half-built module
        return f"perm.judges.local does not load: {type(e).__name__}: {e}"
    heads = default_model_dir() / "heads.npz"
    if not heads.is_file():
        return f"no packaged local scorer model at {heads}"
    return None


def _rss_mb(field: str = "VmRSS") -> float:
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(n_samples: int, reps: int) -> dict[str, Any]:
    """Measured inside the child process."""
    import statistics

    from perm.scoring import PermScorer

    from .common import make_samples

    samples = make_samples(n_samples, prefix="l")
    rss_start = _rss_mb()
    t0 = time.perf_counter()
    scorer = PermScorer({"judge": {"backend": "local"}})
    first = scorer.score(samples[:1])
    load_s = time.perf_counter() - t0
    rss_loaded = _rss_mb()
    batch_walls, big_walls = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        for i in range(0, n_samples, 64):
            scorer.score(samples[i:i + 64])
        batch_walls.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        res = scorer.score(samples)
        big_walls.append(time.perf_counter() - t0)
    scored = sum(r.outcome == "scored" for r in res)
    scorer.close()
    b, g = statistics.median(batch_walls), statistics.median(big_walls)
    return {"samples": n_samples, "reps": reps, "identity": first[0].judge,
            "load_and_first_sample_s": round(load_s, 3),
            "batches_of_64": {"wall_s": round(b, 3), "samples_per_s": round(n_samples / b, 1),
                              "ms_per_sample": round(1000 * b / n_samples, 3)},
            "one_batch": {"wall_s": round(g, 3), "samples_per_s": round(n_samples / g, 1),
                          "ms_per_sample": round(1000 * g / n_samples, 3)},
            "rss_mb": {"before_load": round(rss_start, 1), "after_load": round(rss_loaded, 1),
                       "peak": round(_rss_mb("VmHWM"), 1)},
            "all_scored": scored == n_samples}


def run(quick: bool = False) -> dict[str, Any]:
    why = available()
    if why:
        return {"skipped": why}
    n, reps = (128, 1) if quick else (2048, 3)
    code = f"import json; from bench.local_scorer import child; print(json.dumps(child({n}, {reps})))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:], "invariants": {"child_ok": False}}
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    out["invariants"] = {"child_ok": True, "all_scored": out["all_scored"]}
    return out
