import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from tests.helpers import GOOD, make_record

from perm.cli import cli
from perm.data import load_samples
from perm.scoring import PermScorer
from perm.testing.stub_server import StubConfig, StubServer, digest


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def read(path):
    return [json.loads(line) for line in open(path)]


def test_score_names_a_line_said_to_many_seekers(write_jsonl, tmp_path):
    stock = "You are [b]never[/b] alone in this."
    recs = [make_record(i, persona=f"Person {i}", completion=f"{GOOD} {stock} ({i})") for i in range(4)]
    res = run("score", str(write_jsonl(recs)), "-o", str(tmp_path / "out.jsonl"), "--judge", "fake", "--no-progress")
    assert res.exit_code == 0, res.output
    assert (f'Lines said to many seekers (docs/evaluation.md): 100.0 % of outputs (most shared: "{stock}", '
            "to 4 seekers)") in " ".join(res.output.split())


def test_score_writes_one_line_per_input_in_order(write_jsonl, tmp_path):
    p = write_jsonl([make_record(i) for i in range(5)] + [make_record(5, completion="no format")])
    out = tmp_path / "out.jsonl"
    res = run("score", str(p), "-o", str(out), "--judge", "fake", "--no-progress")
    assert res.exit_code == 0, res.output
    rows = read(out)
    assert [r["id"] for r in rows] == [f"s{i}" for i in range(6)]
    for key in ("reward", "empathy", "scores", "terms", "format_ok", "failures", "judge", "rubric_version"):
        assert key in rows[0]
    assert rows[5]["format_ok"] is False and rows[5]["outcome"] == "format_error"
    assert "PERM scores" in res.output and "reward" in res.output
    # the malformed output is read whole and ends without punctuation: 1 of 6 unfinished
    assert "Shortcut signs" in res.output and "unfinished 16.7 %" in " ".join(res.output.split())
    assert "Lines said to many seekers (docs/evaluation.md): 0.0 % of outputs" in " ".join(res.output.split())


def test_the_summary_title_counts_one_sample_in_the_singular(write_jsonl, tmp_path):
    one = run("score", str(write_jsonl([make_record(0)])), "-o", str(tmp_path / "one.jsonl"),
              "--judge", "fake", "--no-progress")
    assert "PERM scores — 1 sample, judge" in one.output and "1 samples" not in one.output
    two = run("score", str(write_jsonl([make_record(0), make_record(1)], name="two.jsonl")),
              "-o", str(tmp_path / "two.out.jsonl"), "--judge", "fake", "--no-progress")
    assert "PERM scores — 2 samples, judge" in two.output


def test_a_judge_that_cannot_work_fails_before_the_progress_bar(write_jsonl, tmp_path):
    p = write_jsonl([make_record(0)])
    res = CliRunner().invoke(cli, ["score", str(p), "-o", str(tmp_path / "o.jsonl"), "--judge",
                                   "openai", "--model", "gpt-4o-mini"])  # and no API key
    assert res.exit_code != 0
    assert "no API key" in str(res.exception) + res.output
    assert "scoring" not in res.output  # no bar is drawn for a run that cannot start


def test_invalid_input_stops_before_any_judge_call(write_jsonl, tmp_path):
    p = write_jsonl([make_record(0), "{broken", make_record(2, query=5)])
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(cli, ["score", str(p), "-o", str(out), "--judge", "fake"])
    assert res.exit_code != 0
    assert f"{p}:2" in res.output and "invalid JSON" in res.output
    assert f"{p}:3: field 'query'" in res.output
    assert "Nothing was judged" in res.output
    assert not out.exists()


def test_skip_invalid_scores_the_rest(write_jsonl, tmp_path):
    p = write_jsonl([make_record(0), "{broken", make_record(2)])
    out = tmp_path / "out.jsonl"
    res = run("score", str(p), "-o", str(out), "--judge", "fake", "--skip-invalid", "--no-progress")
    assert res.exit_code == 0
    assert [r["id"] for r in read(out)] == ["s0", "s2"]
    assert "skipped" in res.output and ":2" in res.output


def test_unknown_judge_suggests_the_closest(write_jsonl, tmp_path):
    p = write_jsonl([make_record(0)])
    res = CliRunner().invoke(cli, ["score", str(p), "-o", str(tmp_path / "o"), "--judge", "opneai"])
    assert res.exit_code != 0
    assert "did you mean 'openai'" in str(res.exception) + res.output


def test_dry_run_prints_prompts_without_calling(write_jsonl, monkeypatch):
    from perm.judges.fake import FakeJudge

    asked = []

    async def counted(self, messages, params):
        asked.append(messages)
        return "Score: 3"

    monkeypatch.setattr(FakeJudge, "complete", counted)
    p = write_jsonl([make_record(0, hidden_intention="wants reassurance")])
    with StubServer() as stub:
        res = run("score", str(p), "--dry-run", "--judge", "openai", "--base-url", stub.url,
                  "--model", "stub-judge")
    assert res.exit_code == 0
    for dim in ("resonation", "expression", "reception", "bystander"):
        assert f"--- {dim} ---" in res.output
    assert "wants reassurance" in res.output
    assert stub.state.hits == 0 and asked == []  # no judge was called, real or fake


def test_resume_skips_finished_ids_and_repairs_a_torn_line(write_jsonl, tmp_path):
    p = write_jsonl([make_record(i) for i in range(4)])
    out = tmp_path / "out.jsonl"
    run("score", str(p), "-o", str(out), "--judge", "fake", "--limit", "2", "--no-progress")
    with open(out, "a") as fh:
        fh.write('{"id": "s2", "rew')  # a job killed mid-write
    res = run("score", str(p), "-o", str(out), "--judge", "fake", "--no-progress")
    assert "Resuming: 2 of 4" in res.output and "torn" in res.output
    assert [r["id"] for r in read(out)] == ["s0", "s1", "s2", "s3"]


def test_config_file_and_flags(write_jsonl, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("judge:\n  backend: fake\nbystander_coef: 0\n")
    p = write_jsonl([make_record(0)])
    out = tmp_path / "o.jsonl"
    run("score", str(p), "-o", str(out), "-c", str(cfg), "--no-progress")
    (row,) = read(out)
    assert row["terms"]["bystander"] == 0.0 and row["scores"]["bystander"] is None
    bad = tmp_path / "bad.yaml"
    bad.write_text("judge:\n  concurrency: 0\n")
    res = CliRunner().invoke(cli, ["score", str(p), "-o", str(out), "-c", str(bad)])
    assert res.exit_code != 0
    assert "judge.concurrency" in str(res.exception) + res.output


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.getcwd() + "/src", env.get("PYTHONPATH", "")])
    return env


@pytest.mark.slow
def test_sigkill_then_resume_loses_nothing_and_repeats_nothing(write_jsonl, tmp_path):
    """Kill `perm score` with SIGKILL mid-run, twice, then finish: every id exactly once, and no
    call of an id finished before a kill is ever sent again."""
    n = 150
    p = write_jsonl([make_record(i) for i in range(n)])
    out, cache = tmp_path / "out.jsonl", tmp_path / "cache.sqlite"
    with StubServer(StubConfig(latency=0.03, jitter=0.02)) as stub:
        cmd = [sys.executable, "-m", "perm.cli", "score", str(p), "-o", str(out), "--judge", "openai",
               "--base-url", stub.url, "--model", "stub-judge", "--cache", str(cache),
               "--concurrency", "8", "--no-progress"]
        scorer = PermScorer({"judge": {"backend": "fake"}})
        samples = {s.id: s for s in load_samples(p).samples}
        finished_before_kill: dict[str, list[int]] = {}
        for kill_at in (n // 4, n // 2):
            proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = time.time() + 60
            while time.time() < deadline and proc.poll() is None:
                if out.exists() and sum(1 for _ in open(out)) >= kill_at:
                    break
                time.sleep(0.02)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if out.exists():
                for line in open(out):
                    try:
                        sid = json.loads(line)["id"]
                    except ValueError:
                        continue
                    if sid not in finished_before_kill:  # hits of its prompts at this kill
                        finished_before_kill[sid] = [stub.state.by_digest[digest(m)]
                                                     for _, m in scorer.render(samples[sid])]
        assert 0 < len(finished_before_kill) < n
        done = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    rows = read(out)
    assert [r["id"] for r in rows] == [f"s{i}" for i in range(n)]
    assert all(r["reward"] is not None for r in rows)
    for sid, hits_then in finished_before_kill.items():
        hits_now = [stub.state.by_digest[digest(m)] for _, m in scorer.render(samples[sid])]
        assert hits_now == hits_then, f"{sid} was judged again after it had finished"
    repeats = sum(c - 1 for c in stub.state.by_digest.values())
    assert repeats <= 2 * 8, f"{repeats} repeated calls: more than the calls in flight at two kills"


def test_extra_input_fields_are_carried_into_the_output(write_jsonl, tmp_path):
    # README: fields outside the contract are carried along; result fields always win
    rec = {**make_record(0), "category": "grief", "reward": 99}
    out = tmp_path / "out.jsonl"
    res = run("score", str(write_jsonl([rec])), "-o", str(out), "--judge", "fake", "--no-progress")
    assert res.exit_code == 0, res.output
    (row,) = read(out)
    assert row["category"] == "grief"
    assert row["reward"] != 99
