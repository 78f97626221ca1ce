"""Run the benchmarks: `python -m bench.run --quick` (every benchmark in a small mode, < 60 s;
what CI runs) or `--full` (the numbers in BENCHMARKS.md). Results go to bench/results/ as JSON
(quick mode: bench/results/quick/), each with the machine, date and command.

The exit status is 1 when an invariant fails (lost or duplicated ids, a crash, a failure
without a reason); timing targets are reported, never enforced, because shared machines are
noisy.
"""
from __future__ import annotations

import argparse
import importlib
import json
import shlex
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from .common import RESULTS, machine_info, write_result

BENCHMARKS = ("roundtrips", "overhead", "cost", "faults", "kill_resume", "local_scorer", "grpo_step",
              "serve_fairness", "episodes")


def _headline(name: str, r: dict[str, Any]) -> str:
    """One line of the most telling numbers of a result."""
    if "skipped" in r:
        return f"skipped: {r['skipped']}"
    if "error" in r:
        return "ERROR: " + str(r["error"]).strip().splitlines()[-1][:200]
    try:
        if name == "roundtrips":
            v, ra = r["main"]["variants"], r["main"]["ratios"]
            return (f"perm {v['perm']['wall_s']['median']:.3f}s, reference "
                    f"{v[r['reference_variant']]['wall_s']['median']:.3f}s -> {ra['reference_over_perm']}x faster; "
                    f"perm = {ra['perm_over_latency']}x the stub latency")
        if name == "overhead":
            t = r["throughput"]
            return (f"library {r['library']['cpu_ms_per_call']['median']:.3f} ms CPU/call; "
                    f"{t['stub_http']['calls_per_s']} calls/s over HTTP at zero latency "
                    f"({t['calls']} calls)")
        if name == "cost":
            t = r["per_scored_completion"]
            return (f"prompt tokens/completion: perm {t['perm']['prompt_tokens']:.0f}, fused "
                    f"{t['perm_fused']['prompt_tokens']:.0f}, reference {t['reference']['prompt_tokens']:.0f} "
                    f"({r['tokenizer']})")
        if name == "faults":
            return (f"{r['judge_calls_asked']} calls, {r['faults_injected_total']} faults, "
                    f"{r['retries']} retries, {r['reasks']} re-asks, final failure rate "
                    f"{r['final_failure_rate_calls']:.2%} of scores")
        if name == "kill_resume":
            return (f"{r['kills']} kills over {r['samples']} samples: {r['unique_ids']} ids, "
                    f"{r['duplicate_ids']} duplicated, {r['finished_ids_rejudged']} finished ids re-judged")
        if name == "local_scorer":
            return (f"{r['batches_of_64']['samples_per_s']} samples/s (batches of 64), peak RSS "
                    f"{r['rss_mb']['peak']} MB")
        if name == "serve_fairness":
            d, b = r["during"], r["big"]
            return (f"one-sample requests during a {b['mib']} MiB batch ({r['judge']} judge): "
                    f"p99 {d['p99_ms']} ms (alone {r['baseline']['p99_ms']} ms); batch "
                    f"{b['seconds']} s, server peak {r['server_peak_rss_mb']} MB")
        if name == "episodes":
            b = r["batched"]
            return (f"{r['episodes']} episodes x {r['turns']} turns, {b['calls']} calls: "
                    f"{b['wall_s']['median']:.3f}s = {b['x_latency']}x the stub latency "
                    f"({b['max_in_flight']} in flight)")
        if name == "grpo_step":
            m = r["median_s"]
            return (f"step {m['step']}s = generation {m['generation']}s + reward {m['reward']}s + "
                    f"other scoring {m['other_scoring']}s + update {m['update']}s ({r['model']})")
    except (KeyError, TypeError) as e:
        return f"(no headline: {e})"
    return ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--quick", action="store_true", help="small mode of every benchmark (CI)")
    mode.add_argument("--full", action="store_true", help="the full benchmarks (minutes)")
    ap.add_argument("--only", default=None, help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    ap.add_argument("--out", type=Path, default=None, help="results folder [bench/results(/quick)]")
    a = ap.parse_args(argv)
    names = [n.strip() for n in a.only.split(",")] if a.only else list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    out_dir = a.out or (RESULTS / "quick" if a.quick else RESULTS)
    command = "python -m bench.run " + shlex.join(argv if argv is not None else sys.argv[1:])
    machine = machine_info()
    print(f"# {machine['nproc']} cores, {machine['cpu_model']}, Python {machine['python']}, "
          f"load {machine['loadavg_at_start']}, {machine['date']}", flush=True)
    started = time.perf_counter()
    summary: dict[str, Any] = {"command": command, "mode": "quick" if a.quick else "full",
                               "machine": machine, "benchmarks": {}}
    previous = out_dir / "run.json"
    if a.only and previous.is_file():  # a partial rerun updates the summary of the last run
        old = json.loads(previous.read_text(encoding="utf-8"))
        if old.get("mode") == summary["mode"]:
            summary["benchmarks"] = old.get("benchmarks", {})
            summary["earlier_commands"] = [*old.get("earlier_commands", []), old.get("command")]
    failed: list[str] = []
    for name in names:
        t0 = time.perf_counter()
        try:
            mod = importlib.import_module(f"bench.{name}")
            result: dict[str, Any] = mod.run(quick=a.quick)
        except Exception:
            result = {"error": traceback.format_exc(), "invariants": {"ran": False}}
        secs = round(time.perf_counter() - t0, 1)
        inv = result.get("invariants", {})
        bad = [k for k, ok in inv.items() if not ok]
        if bad:
            failed.append(f"{name}: {', '.join(bad)}")
        doc = {"benchmark": name, "command": command, "mode": summary["mode"], "seconds": secs,
               "machine": machine, **result}
        write_result(name, doc, out_dir)
        summary["benchmarks"][name] = {"seconds": secs, "invariants": inv,
                                       "targets": result.get("targets", {}),
                                       "skipped": result.get("skipped")}
        status = "FAIL" if bad else ("skip" if "skipped" in result else "ok")
        print(f"[{status:4}] {name:13} {secs:6.1f}s  {_headline(name, result)}", flush=True)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    summary["failed_invariants"] = [f"{n}: {', '.join(k for k, ok in b['invariants'].items() if not ok)}"
                                    for n, b in summary["benchmarks"].items()
                                    if not all(b["invariants"].values())]
    write_result("run", summary, out_dir)
    print(f"# total {summary['seconds']}s; results in {out_dir}", flush=True)
    for f in failed:
        print(f"INVARIANT FAILED: {f}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
