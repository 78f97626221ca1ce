"""Kill and resume: SIGKILL `perm score` at random points over a 2,000-sample job (five times),
then let it finish. The final output must hold every id exactly once, and no id that was
already finished when a kill landed may be judged again (the stub server counts every prompt).
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from perm.scoring import PermScorer
from perm.testing.stub_server import digest

from .common import ROOT, StubProcess, make_samples, sample_record

NAME = "kill_resume"
CONCURRENCY = 256


def finished_ids(path: Path) -> list[str]:
    """Ids of complete result lines (a torn last line from a kill is ignored, not repaired)."""
    if not path.exists():
        return []
    ids = []
    for raw in path.read_bytes().splitlines(keepends=True):
        if not raw.endswith(b"\n"):
            break
        try:
            ids.append(str(json.loads(raw)["id"]))
        except (ValueError, KeyError, TypeError):
            break
    return ids


def _count_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def run(quick: bool = False, *, samples: int | None = None, kills: int | None = None,
        seed: int = 11) -> dict[str, Any]:
    n = samples or (200 if quick else 2000)
    n_kills = kills if kills is not None else (2 if quick else 5)
    rng = random.Random(seed)
    batch = make_samples(n, prefix="k")
    renderer = PermScorer({"judge": {"backend": "fake"}})
    digests = {s.id: [digest(m) for _, m in renderer.render(s)] for s in batch}
    events: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, \
            StubProcess(latency=0.02, jitter=0.01, seed=seed) as stub:
        d = Path(tmp)
        inp, out, log = d / "in.jsonl", d / "out.jsonl", d / "perm.log"
        inp.write_text("".join(json.dumps(sample_record(s)) + "\n" for s in batch), encoding="utf-8")
        cmd = [sys.executable, "-m", "perm.cli", "score", str(inp), "-o", str(out),
               "--judge", "openai", "--base-url", stub.url, "--model", "stub-judge",
               "--cache", str(d / "cache.sqlite"), "--no-progress", "--concurrency", str(CONCURRENCY)]
        env = {**os.environ, "PERM_CACHE_DIR": str(d / "cache"), "PERM_JUDGE_API_KEY": ""}
        snapshots: list[tuple[list[str], dict[str, int]]] = []
        for k in range(n_kills):
            before = len(finished_ids(out))
            remaining = n - before
            target = before + rng.randint(0, max(1, remaining // (n_kills - k + 1)))
            with log.open("ab") as fh:
                proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=fh)
            t0 = time.monotonic()
            try:
                if target == before:  # kill at a random moment of start-up or the first calls
                    time.sleep(rng.uniform(0.2, 1.5))
                else:
                    while proc.poll() is None and _count_lines(out) < target:
                        time.sleep(0.005)
                    time.sleep(rng.uniform(0.0, 0.05))
            finally:
                completed = proc.poll() is not None
                if not completed:
                    proc.send_signal(signal.SIGKILL)
                proc.wait()
            done = finished_ids(out)
            snapshots.append((done, Counter(stub.stats()["by_digest"])))
            events.append({"kill": k + 1, "after_s": round(time.monotonic() - t0, 2),
                           "finished_before": before, "finished_after": len(done),
                           "target": target, "job_completed_before_kill": completed,
                           "torn_line": out.exists() and not out.read_bytes().endswith(b"\n")
                           and out.stat().st_size > 0})
        t0 = time.monotonic()
        with log.open("ab") as fh:
            final_rc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=fh, stderr=fh).returncode
        final_s = time.monotonic() - t0
        final_hits = Counter(stub.stats()["by_digest"])
        ids = finished_ids(out)
        lines = _count_lines(out)
        log_tail = log.read_text(errors="replace")[-1500:]
    counts = Counter(ids)
    rejudged = sorted({i for done, hits in snapshots for i in done
                       for dg in digests[i] if final_hits[dg] != hits[dg]})
    duplicate_requests = sum(max(0, h - 1) for h in final_hits.values())
    never_asked = sum(1 for i in digests for dg in digests[i] if final_hits[dg] == 0)
    out_data: dict[str, Any] = {
        "samples": n, "kills": n_kills, "events": events, "final_run_s": round(final_s, 2),
        "final_exit_code": final_rc, "output_lines": lines, "unique_ids": len(counts),
        "duplicate_ids": sum(1 for c in counts.values() if c > 1),
        "missing_ids": n - len(set(ids) & set(digests)),
        "finished_ids_rejudged": len(rejudged), "rejudged_examples": rejudged[:5],
        "duplicate_judge_requests": duplicate_requests,
        "duplicate_request_note": "calls in flight when a kill landed are sent again (their "
                                  "answers never arrived); finished ids and cached answers are not",
        "prompts_never_asked": never_asked, "server_requests": sum(final_hits.values()),
        "command": " ".join(["perm", *cmd[3:]]),
    }
    out_data["invariants"] = {
        "final_run_ok": final_rc == 0,
        "every_id_exactly_once": lines == n and len(counts) == n and set(ids) == set(digests),
        "no_finished_id_judged_twice": not rejudged,
        "kills_landed_mid_job": sum(not e["job_completed_before_kill"] for e in events) == n_kills,
        # only calls in flight at a kill are repeated: at most the concurrency cap per kill
        "repeats_bounded_by_in_flight": duplicate_requests <= n_kills * CONCURRENCY,
    }
    if final_rc != 0:
        out_data["log_tail"] = log_tail
    return out_data
