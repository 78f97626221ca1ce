"""The benchmarks' quick mode (what CI runs to keep them working): every benchmark runs and
keeps its invariants. Timing is never asserted here: shared machines make it flaky."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def quick(tmp_path_factory, request) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("bench-results")
    # The GRPO benchmark converts the recipe's GGUF tokenizer once (~10 s); keep that conversion
    # in pytest's own cache folder, never in the user's perm cache.
    store = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    cache = store.mkdir("perm-bench-cache") if store else out / "cache"
    env = {**os.environ, "PERM_CACHE_DIR": str(cache)}
    env.pop("PERM_JUDGE_API_KEY", None)
    env.pop("OPENAI_API_KEY", None)
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--quick", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    results = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    results["_proc"] = {"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr[-4000:]}
    return results


def test_every_benchmark_ran_and_kept_its_invariants(quick):
    proc = quick["_proc"]
    assert proc["rc"] == 0, proc["stdout"] + proc["stderr"]
    run = quick["run"]
    assert set(run["benchmarks"]) == {"roundtrips", "overhead", "cost", "faults", "kill_resume",
                                      "local_scorer", "grpo_step", "serve_fairness", "episodes"}
    assert run["failed_invariants"] == []
    for name, res in run["benchmarks"].items():
        assert "error" not in quick[name], quick[name].get("error")
        if res["skipped"]:
            assert isinstance(res["skipped"], str) and res["skipped"], name  # a clear reason
        else:
            assert res["invariants"] and all(res["invariants"].values()), (name, res["invariants"])
    for key in ("nproc", "cpu_model", "python", "date"):
        assert run["machine"][key]


def test_the_scorer_without_its_encoder_is_measured_and_faster(quick):
    res = quick["local_scorer"]
    if "skipped" in res:
        pytest.skip(res["skipped"])
    for key, embeddings in (("encoder_free", "random"), ("encoder_replayed", "recorded")):
        free = res[key]
        assert free["embeddings"] == embeddings
        assert free["samples"] == 219 and free["samples_per_s"] > res["batches_of_64"]["samples_per_s"], key


def test_the_default_scorer_is_also_measured_without_its_batch_budget(quick):
    from bench.local_scorer import SERIAL, UNBUDGETED

    res = quick["local_scorer"]
    if "skipped" in res:
        pytest.skip(res["skipped"])
    for variant in (SERIAL, UNBUDGETED):
        r = res["scorers"][f"{res['default']} ({variant})"]
        assert r["all_rewarded"] and r["batches_of_64"]["samples_per_s"] > 0, variant
        assert r["identity"] == res["scorers"][res["default"]]["identity"]


def test_roundtrips_send_every_call_once(quick):
    variants = quick["roundtrips"]["main"]["variants"]
    ref = quick["roundtrips"]["reference_variant"]
    for name in ("perm", "perm_c64", ref, "inflight_aiohttp"):
        assert variants[name]["server_hits"] == 256, name
    # perm has the whole batch in flight; the reference schedule never more than one phase
    assert variants["perm"]["max_in_flight"] > variants[ref]["max_in_flight"] == 64
    assert variants["perm_c64"]["max_in_flight"] <= 64


def test_episodes_keep_a_whole_turn_of_a_batch_in_flight(quick):
    b = quick["episodes"]["batched"]
    assert b["calls"] == 16 * 3 * 5 and b["turns_played"] == 48  # 4 judges + 1 seeker per turn
    assert b["max_in_flight"] == 16 * 5  # every judge and seeker call of a turn, together


def test_faults_lose_nothing_and_explain_every_failure(quick):
    f = quick["faults"]
    assert f["crash"] is None
    assert f["faults_injected_total"] > 0 and f["retries"] > 0  # faults really happened
    assert sum(f["outcomes"].values()) == f["samples"]
    assert f["server_requests"] <= f["client_requests"]
    for ex in f["example_failures"]:
        assert all(isinstance(why, str) and why for why in ex["failures"].values())
    assert f["failed_calls"] == sum(f["failure_reasons"].values())


def test_kill_resume_keeps_every_id_once_and_never_rejudges(quick):
    k = quick["kill_resume"]
    assert k["final_exit_code"] == 0
    assert k["output_lines"] == k["unique_ids"] == k["samples"]
    assert k["duplicate_ids"] == 0 and k["missing_ids"] == 0
    assert k["finished_ids_rejudged"] == 0
    assert k["prompts_never_asked"] == 0
    assert all(not e["job_completed_before_kill"] for e in k["events"])


def test_cost_counts_fused_and_prefix_facts(quick):
    c = quick["cost"]
    per = c["per_scored_completion"]
    assert per["perm"]["calls"] == 4 and per["perm_fused"]["calls"] == 1
    assert per["perm_fused"]["prompt_tokens"] < per["perm"]["prompt_tokens"]
    assert c["invariants"]["rubric_is_common_prefix"]
    for dim in c["per_call"]["perm"].values():
        assert 0 < dim["shared_prefix_tokens"] < dim["prompt_tokens"]


def test_overhead_and_throughput_account_for_every_call(quick):
    o = quick["overhead"]
    assert o["library"]["calls"] == 4 * o["library"]["samples"]
    assert o["library"]["cpu_ms_per_call"]["median"] > 0
    assert o["throughput"]["stub_http"]["server_hits_match"]
