"""`perm score --judge openai` through a real llama.cpp server (SmolLM2-135M, plumbing-grade:
these tests check behaviour — every sample scored or explicitly failed, cache, concurrency —
not judgement quality)."""
import json
import time

import pytest
from click.testing import CliRunner
from tests.helpers import make_record

from perm.cli import cli
from perm.scoring import PermScorer
from perm.types import Sample

pytestmark = pytest.mark.integration

FAST = ["--max-reasks", "0", "--bystander-coef", "0", "--temperature", "0", "--concurrency", "4", "--no-progress"]


def finished(res):
    """Exit 0, or 1 saying the judge answered nothing usable: a 135M judge often cannot give a
    parsable score, and a run that judged nothing must not exit 0 (issue 12.17)."""
    if res.exit_code != 0:
        assert res.exit_code == 1 and "the judge produced no usable answer" in res.output, res.output
    return res


def test_perm_score_through_llama_cpp_then_resume_from_cache(llama_server, write_jsonl, tmp_path):
    p = write_jsonl([make_record(i) for i in range(2)] + [make_record(2, completion="no format")])
    out, cache = tmp_path / "out.jsonl", tmp_path / "cache.sqlite"
    cfg = tmp_path / "judge.yaml"
    cfg.write_text("judge:\n  max_tokens: 48\n")
    args = ["score", str(p), "-o", str(out), "--judge", "openai", "--base-url", llama_server,
            "--model", "smollm2-135m", "--cache", str(cache), "-c", str(cfg), *FAST,
            "--max-failure-rate", "1"]
    t = time.perf_counter()
    finished(CliRunner().invoke(cli, args, catch_exceptions=False))
    first_wall = time.perf_counter() - t
    rows = [json.loads(line) for line in open(out)]
    assert [r["id"] for r in rows] == ["s0", "s1", "s2"]
    for r in rows[:2]:
        assert r["judge"] == "openai:smollm2-135m"
        for dim, value in r["scores"].items():
            if dim == "bystander":
                continue  # not judged: --bystander-coef 0 skips it
            if value is None:  # a missing score always carries its reason
                assert r["failures"][dim]
            else:
                assert dim not in r["failures"]
        assert (r["reward"] is None) == any(r["scores"][d] is None for d in ("resonation", "expression", "reception"))
    assert rows[2]["outcome"] == "format_error"

    # a fresh output file with the same cache: every answer that parsed comes from the cache
    parsed_calls = sum(v is not None for r in rows[:2] for v in r["scores"].values())
    out2 = tmp_path / "out2.jsonl"
    res2 = finished(CliRunner().invoke(cli, [*args[:3], str(out2), *args[4:]], catch_exceptions=False))
    rows2 = [json.loads(line) for line in open(out2)]
    for a, b in zip(rows[:2], rows2[:2]):
        for dim, value in a["scores"].items():
            if value is not None and dim != "bystander":
                assert b["scores"][dim] == value
    if parsed_calls:
        assert "cache hits" in res2.output

    # resume on the same output: nothing is judged again
    t = time.perf_counter()
    res3 = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert "Resuming: 3 of 3" in res3.output
    assert time.perf_counter() - t < max(5.0, first_wall / 2)


def test_concurrent_calls_all_return(llama_server):
    scorer = PermScorer({"judge": {"backend": "openai", "base_url": [llama_server],
                                   "model": "smollm2-135m", "max_tokens": 16, "concurrency": 8,
                                   "max_reasks": 0, "temperature": 0},
                         "bystander_coef": 0})
    samples = [Sample("A nurse.", "Tired.", f"so tired {i}", id=str(i),
                      completion="# Analysis\nExhausted.\n# Response\nThat sounds draining.")
               for i in range(3)]
    res = scorer.score(samples)
    scorer.close()
    assert len(res) == 3
    assert scorer.stats.calls >= 9  # every dimension x sample reached the server
    assert scorer.stats.retries == 0  # no transport fault under concurrency
    for r in res:
        judged = {"resonation", "expression", "reception"}
        assert set(r.failures) | {d for d, v in r.scores.items() if v is not None} == judged
