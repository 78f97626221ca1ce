"""Local scorers (`--judge local`): load time, throughput (samples/s in GRPO-sized batches of 64
and in one large batch) and memory (resident set before loading, after, and at peak), for every
packaged scorer side by side in one run (the default first, ratios against it). Each scorer runs
in its own child process so the memory numbers are its alone. The default runs once more with
its encoder's batches run one at a time on all cores (`PERM_ENCODER_SCHEDULE=serial`, the
schedule before parallel batches), and once with 16 texts a batch whatever their length
(`PERM_ENCODER_BATCH_TOKENS=0`, the batches before the word-piece budget), so the gain of each
is measured in the same run.

Samples are real replies: the 219 outputs of our test split (35 scenarios, each scenario's
outputs consecutive, as a GRPO group shares one prompt), tiled to the sample count with a
copy number in the seeker's message so that no two copies are the same request.
The default also runs twice with an encoder that costs nothing: `encoder_free` gives each text a
fixed random vector picked by a hash of it (the scores are meaningless, every passage looks
unrelated to its seeker); `encoder_replayed` looks up the real embeddings, recorded by the real
encoder beforehand (untimed), so the scores and the rules' branches are the real ones. That
is the most a faster encoder (a GPU, `PERM_ENCODER_DEVICE=cuda`) could give on this CPU: the
rules, features, heads and the PERM formula still run in Python on one core.
Skips, with the reason, when the default local scorer or its packaged model is not available.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

from .common import ROOT

NAME = "local_scorer"
SERIAL = "encoder batches one at a time"
UNBUDGETED = "no word-piece budget per batch"
SAMPLES = ROOT / "data" / "perm-empathy" / "test.jsonl"


def available() -> str | None:
    """None when the local scorer can run, else why not."""
    try:
        from perm.local.registry import load_scorer

        load_scorer().warm_up()
    except Exception as e:  # missing extra, model or a half-built module
        return f"the local scorer does not load: {type(e).__name__}: {e}"
    return None


def _rss_mb(field: str = "VmRSS") -> float:
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def real_samples(n: int) -> list[Any]:
    """`n` samples from the test split's real outputs, grouped by scenario."""
    from perm.data import parse_record

    rows = [json.loads(x) for x in SAMPLES.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows.sort(key=lambda r: (r["scenario_id"], r["id"]))
    out = []
    for k in range(n):
        r = dict(rows[k % len(rows)])
        copy = k // len(rows)
        r = {key: r[key] for key in ("persona", "scenario", "query", "completion")}
        r["id"] = f"l{k}"
        if copy:
            r["query"] = f"{r['query']} ({copy})"
        out.append(parse_record(r, path=str(SAMPLES), line=k % len(rows) + 1))
    return out


def child(model: str, n_samples: int, reps: int) -> dict[str, Any]:
    """Measured inside the child process."""
    import statistics

    from perm.scoring import PermScorer

    samples = real_samples(n_samples)
    rss_start = _rss_mb()
    t0 = time.perf_counter()
    scorer = PermScorer({"judge": {"backend": "local", "model": model}})
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
    rewarded = sum(r.reward is not None for r in res)  # format errors get the floor: a reward too
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
            "all_rewarded": rewarded == n_samples}


def encoder_free(model: str, reps: int, replay: bool = False) -> dict[str, Any]:
    """Measured inside a child process: samples/s in batches of 64 when every encoder call
    costs (nearly) nothing. One copy of the test split is timed after a warm-up on another,
    with the scorer's text caches cleared, so no reply's text work is reused.

    `replay=False`: each text gets a row of a fixed random table picked by a hash of it; the
    scores are meaningless and every passage looks unrelated to its seeker, so the rules take
    their slowest branches. `replay=True`: the real encoder first embeds every text the timed
    copy needs (not timed), then each call looks its texts up: the real scores, and the work a
    faster encoder (a GPU) would leave to this CPU."""
    import statistics
    import zlib

    import numpy as np

    from perm.local import encoder, torch_encoder
    from perm.local.v2 import text
    from perm.scoring import PermScorer

    table = np.random.default_rng(0).standard_normal((4096, 2, encoder.HIDDEN), dtype=np.float32)
    seen: dict[tuple[str, int], np.ndarray] = {}
    real = encoder.OnnxEncoder.encode

    def hashed(self: Any, texts: Any) -> np.ndarray:  # a row of a fixed table per text: ~free
        rows = [zlib.crc32(t.encode("utf-8", "surrogatepass")) % len(table) for t in texts]
        return table[rows][:, :len(self.layers)] if rows else np.zeros((0, len(self.layers), encoder.HIDDEN), np.float32)

    def recording(self: Any, texts: Any) -> np.ndarray:
        out: np.ndarray = real(self, texts)
        seen.update(((t, len(self.layers)), e) for t, e in zip(texts, out))
        return out

    def replayed(self: Any, texts: Any) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.layers), encoder.HIDDEN), np.float32)
        return np.stack([seen[(t, len(self.layers))] for t in texts])

    def use(fn: Any) -> None:  # this child process only
        encoder.OnnxEncoder.encode = fn  # type: ignore[method-assign]
        torch_encoder.TorchEncoder.encode = fn  # type: ignore[method-assign]

    split = sum(1 for x in SAMPLES.read_text(encoding="utf-8").splitlines() if x.strip())
    samples = real_samples(2 * split)
    warm, timed = samples[:split], samples[split:]
    scorer = PermScorer({"judge": {"backend": "local", "model": model}})
    if replay:
        use(recording)
        scorer.score(warm)
        for i in range(0, len(timed), 64):
            scorer.score(timed[i:i + 64])
    use(replayed if replay else hashed)
    walls = []
    for _ in range(reps):
        scorer.score(warm)
        text._text_side.cache_clear()
        text._context_grams.cache_clear()
        text._chunks.cache_clear()
        t0 = time.perf_counter()
        for i in range(0, len(timed), 64):
            scorer.score(timed[i:i + 64])
        walls.append(time.perf_counter() - t0)
    scorer.close()
    wall = statistics.median(walls)
    return {"samples": len(timed), "reps": reps, "embeddings": "recorded" if replay else "random",
            "samples_per_s": round(len(timed) / wall, 1), "ms_per_sample": round(1000 * wall / len(timed), 3)}


def _measure(model: str, n: int, reps: int, env: dict[str, str] | None = None,
             fn: str = "child", replay: bool = False) -> dict[str, Any]:
    args = f"{model!r}, {n}, {reps}" if fn == "child" else f"{model!r}, {reps}, replay={replay}"
    code = (f"import json; from bench.local_scorer import {fn}; "
            f"print(json.dumps({fn}({args})))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=1800, env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:]}
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def run(quick: bool = False) -> dict[str, Any]:
    why = available()
    if why:
        return {"skipped": why}
    from perm.local.registry import DEFAULT, PACKAGED

    n, reps = (128, 1) if quick else (512, 2)
    names = [DEFAULT, *(p for p in PACKAGED if p != DEFAULT)]
    scorers = {name: _measure(name, n, reps) for name in names}
    # the default's encoder scheduled the old way (one batch at a time on every core), same run
    scorers[f"{DEFAULT} ({SERIAL})"] = _measure(DEFAULT, n, reps, {"PERM_ENCODER_SCHEDULE": "serial"})
    # ... and with 16 texts a batch whatever their length (the batches before BATCH_TOKENS)
    scorers[f"{DEFAULT} ({UNBUDGETED})"] = _measure(DEFAULT, n, reps, {"PERM_ENCODER_BATCH_TOKENS": "0"})
    ok = {name: "error" not in r for name, r in scorers.items()}
    out: dict[str, Any] = {"default": DEFAULT, "scorers": scorers,
                           "encoder_free": _measure(DEFAULT, n, 3 if not quick else 1, fn="encoder_free"),
                           "encoder_replayed": _measure(DEFAULT, n, 3 if not quick else 1, fn="encoder_free",
                                                        replay=True)}
    if ok[DEFAULT]:
        out.update({k: scorers[DEFAULT][k] for k in ("batches_of_64", "rss_mb", "load_and_first_sample_s")})
        base = scorers[DEFAULT]["batches_of_64"]["samples_per_s"]
        out["speed_vs_default"] = {name: round(r["batches_of_64"]["samples_per_s"] / base, 2)
                                   for name, r in scorers.items() if ok[name]}
    out["invariants"] = {"child_ok": all(ok.values()) and "error" not in out["encoder_free"]
                         and "error" not in out["encoder_replayed"],
                         "all_rewarded": all(r.get("all_rewarded", False) for r in scorers.values())}
    return out
