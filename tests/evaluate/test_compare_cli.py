import json

from tests.evaluate.helpers import output, read_jsonl, run_cli, write


def _config(tmp_path, answers, **judge):
    cfg = tmp_path / "judge.yaml"
    extra = "".join(f"  {k}: {v}\n" for k, v in judge.items())
    cfg.write_text(f"judge:\n  backend: fake\n{extra}  options:\n    answers: {json.dumps(answers)}\n"
                   "    cycle: true\n")  # the same answers for every pair
    return cfg


def test_compare_with_the_fake_judge(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "cmp"
    res = run_cli("compare", base, tuned, "-o", out, "--judge", "fake", "--no-progress",
                  "--bootstrap", "300")
    summary = json.loads((out / "compare.json").read_text())
    assert summary["kind"] == "perm-compare" and (summary["a"], summary["b"]) == ("base", "tuned")
    assert summary["pairs"] == 8 and summary["judgments"] == 16 and summary["swap"] is True
    assert summary["wins"] + summary["ties"] + summary["losses"] + summary["failed"] == 8
    assert summary["rate"] is not None and summary["lo"] <= summary["rate"] <= summary["hi"]
    assert 0 <= summary["position"]["first_rate"] <= 1
    records = read_jsonl(out / "judgments.jsonl")
    assert {r["order"] for r in records} == {"AB", "BA"}
    assert all(r["judge"] == "fake:fake" and r["rubric_version"] == "v1" for r in records)
    assert "win rate of tuned over base" in res.output


def test_a_judge_that_always_says_A_shows_as_position_bias(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "cmp"
    run_cli("compare", base, tuned, "-o", out, "-c", _config(tmp_path, ["Verdict: A"]),
            "--no-progress")
    s = json.loads((out / "compare.json").read_text())
    assert s["rate"] == 0.5 and s["ties"] == 8  # swapped orders cancel: no real preference
    assert s["position"]["first_rate"] == 1.0 and s["position"]["consistency"] == 0.0
    assert s["p_sign"] == 1.0


def test_no_swap_judges_each_pair_once(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "cmp"
    run_cli("compare", base, tuned, "-o", out, "--judge", "fake", "--no-swap", "--no-progress")
    s = json.loads((out / "compare.json").read_text())
    assert s["judgments"] == 8 and s["swap"] is False
    assert s["position"]["both_orders"] == 0 and s["position"]["consistency"] is None


def test_failures_are_counted_and_retried(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "cmp"
    res = run_cli("compare", base, tuned, "-o", out, "-c",
                  _config(tmp_path, ["no idea"], max_reasks=0), "--no-progress", ok=False)
    assert res.exit_code != 0  # 16/16 unusable verdicts: no win rate to report (issue 12.17)
    assert "16 of 16 judgments" in res.output and "--retry-failed" in res.output
    s = json.loads((out / "compare.json").read_text())  # the summary is still written
    assert s["failed"] == 8 and s["rate"] is None
    run_cli("compare", base, tuned, "-o", out, "--judge", "fake", "--retry-failed", "--no-progress")
    s = json.loads((out / "compare.json").read_text())
    assert s["failed"] == 0 and s["judgments"] == 16


def test_resume_skips_finished_judgments(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "cmp"
    run_cli("compare", base, tuned, "-o", out, "--judge", "fake", "--no-progress")
    before = (out / "judgments.jsonl").read_text()
    # every further call would fail: nothing may be asked again
    run_cli("compare", base, tuned, "-o", out, "-c",
            _config(tmp_path, ["!error:400"], max_retries=0), "--no-progress")
    assert (out / "judgments.jsonl").read_text() == before


def test_local_scorer_cannot_compare(two_systems, tmp_path):
    base, tuned = two_systems
    res = run_cli("compare", base, tuned, "-o", tmp_path / "cmp", "--judge", "local", ok=False)
    assert res.exit_code != 0
    assert "cannot compare two" in res.output or "needs" in res.output  # local extra may be absent


def test_mismatched_ids_are_named(tmp_path):
    a = write(tmp_path / "a.jsonl", [output(i, "a") for i in range(3)])
    b = write(tmp_path / "b.jsonl", [output(i, "b") for i in (0, 1)])
    res = run_cli("compare", a, b, "-o", tmp_path / "cmp", "--judge", "fake", ok=False)
    assert res.exit_code != 0 and "lacks 1 id(s) of a: s2" in res.output
    assert "Nothing was judged" in res.output


def test_compare_help_tells_the_truth_about_the_judge():
    res = run_cli("compare", "--help")
    text = " ".join(res.output.split())
    assert "Judge backend, required: an LLM judge" in text and "cannot compare two" in text
    assert "local (default" not in text


def test_compare_without_a_judge_says_which_to_pick(two_systems, tmp_path):
    base, tuned = two_systems
    res = run_cli("compare", base, tuned, "-o", tmp_path / "cmp", ok=False)
    assert res.exit_code == 2 and "Missing option '--judge'" in res.output
    assert "--judge openai" in res.output and not (tmp_path / "cmp").exists()
    # a config file that names the judge is enough
    run_cli("compare", base, tuned, "-o", tmp_path / "cmp", "-c", _config(tmp_path, ["Verdict: B"]),
            "--no-progress")
    assert json.loads((tmp_path / "cmp" / "compare.json").read_text())["judgments"] == 16


def test_compare_gate_and_changed_replies(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "cmp"
    # every other verdict unusable: 50 % failed is not above the default 0.5, but above 0.25
    cfg = _config(tmp_path, ["Verdict: B", "no idea"], max_reasks=0)
    run_cli("compare", base, tuned, "-o", out, "-c", cfg, "--no-progress")
    res = run_cli("compare", base, tuned, "-o", tmp_path / "cmp2", "-c", cfg, "--no-progress",
                  "--max-failure-rate", "0.25", ok=False)
    assert res.exit_code == 1 and "8 of 16 judgments (50%)" in res.output
    before = {r["id"]: r for r in read_jsonl(out / "judgments.jsonl")}
    rows = read_jsonl(tuned)
    rows[0]["completion"] = "# Analysis\nx\n# Response\nA new reply."
    write(tuned, rows)
    res = run_cli("compare", base, tuned, "-o", out, "-c", _config(tmp_path, ["Verdict: A"]),
                  "--no-progress")
    assert "2 sample(s) changed" in res.output  # both orders of pair s0
    after = {r["id"]: r for r in read_jsonl(out / "judgments.jsonl")}
    assert {k for k in after if after[k] != before[k]} == {"s0#AB", "s0#BA"}
    res = run_cli("compare", base, tuned, "-o", out, "--judge", "fake", "--temperature", "0",
                  ok=False)
    assert res.exit_code == 1 and "--temperature" in res.output and "--overwrite" in res.output


def test_a_judge_that_cannot_work_fails_before_the_progress_bar(two_systems, tmp_path, monkeypatch):
    for key in ("PERM_JUDGE_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    base, tuned = two_systems
    res = run_cli("compare", base, tuned, "-o", tmp_path / "cmp", "--judge", "openai", "--model", "gpt-4o-mini",
                  ok=False)
    assert res.exit_code != 0 and "API key" in res.output
    assert "judging pairs" not in res.output  # no empty bar for a run that cannot start
