import json

from tests.evaluate.helpers import output, read_jsonl, run_cli, write

from perm.evaluate.evaluation import scores_path


def test_eval_scores_each_system_and_compares_them(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "ev"
    res = run_cli("eval", base, f"new={tuned}", "-o", out, "--judge", "fake", "--no-progress",
                  "--bootstrap", "300")
    summary = json.loads((out / "eval.json").read_text())
    assert summary["kind"] == "perm-eval" and summary["ids"] == 8
    assert list(summary["systems"]) == ["base", "new"]
    new = summary["systems"]["new"]
    assert new["n"] == 8 and new["format_ok_rate"] == 7 / 8
    assert summary["systems"]["base"]["format_ok_rate"] == 1.0
    for key in ("reward", "empathy"):
        stat = new[key]
        assert stat["lo"] <= stat["mean"] <= stat["hi"]
    assert set(new["scores"]) == {"resonation", "expression", "reception", "bystander"}
    assert new["length"]["median"] > 0 and new["judge_failure_rate"] == 0.0
    (pair,) = summary["pairs"]
    assert (pair["a"], pair["b"]) == ("base", "new")
    assert pair["wins"] + pair["ties"] + pair["losses"] == 8 and 0 <= pair["p_sign"] <= 1
    assert summary["judge"] == "fake:fake" and summary["rubric_version"] == "v1"
    rows = read_jsonl(scores_path(out, "new"))
    assert [r["id"] for r in rows] == [f"s{i}" for i in range(8)]
    assert rows[3]["outcome"] == "format_error" and rows[0]["system"] == "new"
    assert "PERM eval" in res.output and "win rate" in res.output


def test_eval_title_counts_one_scenario_in_the_singular(tmp_path):
    one = write(tmp_path / "one.jsonl", [output(0, "base")])
    res = run_cli("eval", one, "-o", tmp_path / "ev", "--judge", "fake", "--no-progress", "--bootstrap", "50")
    assert "PERM eval — 1 scenario, judge" in res.output and "1 scenarios" not in res.output


def test_a_judge_that_cannot_work_fails_before_the_progress_bar(two_systems, tmp_path, monkeypatch):
    for key in ("PERM_JUDGE_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    base, tuned = two_systems
    res = run_cli("eval", base, tuned, "-o", tmp_path / "ev", "--judge", "openai", "--model", "gpt-4o-mini", ok=False)
    assert res.exit_code != 0 and "API key" in res.output
    assert "scoring" not in res.output  # no empty bar for a run that cannot start


def test_eval_resumes_without_judging_again(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "ev"
    run_cli("eval", base, tuned, "-o", out, "--judge", "fake", "--no-progress")
    before = (out / "scores" / "base.jsonl").read_text()
    # a judge that would fail every call proves nothing is judged on the second run
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("judge:\n  backend: fake\n  max_retries: 0\n  options:\n    answers: ['!error:400']\n    cycle: true\n")
    run_cli("eval", base, tuned, "-o", out, "-c", cfg, "--no-progress")
    assert (out / "scores" / "base.jsonl").read_text() == before


def test_eval_several_systems_against_a_baseline_or_all_pairs(two_systems, tmp_path):
    base, tuned = two_systems
    third = write(tmp_path / "third.jsonl", [output(i, "third") for i in range(8)])
    out = tmp_path / "ev"
    run_cli("eval", base, tuned, third, "-o", out, "--judge", "fake", "--baseline", "tuned",
            "--no-progress")
    pairs = json.loads((out / "eval.json").read_text())["pairs"]
    assert [(p["a"], p["b"]) for p in pairs] == [("tuned", "base"), ("tuned", "third")]
    run_cli("eval", base, tuned, third, "-o", out, "--judge", "fake", "--all-pairs", "--no-progress")
    pairs = json.loads((out / "eval.json").read_text())["pairs"]
    assert len(pairs) == 3


def test_mismatched_ids_stop_before_judging_and_name_the_ids(tmp_path):
    a = write(tmp_path / "a.jsonl", [output(i, "a") for i in range(4)])
    b = write(tmp_path / "b.jsonl", [output(i, "b") for i in (0, 1, 9)])
    out = tmp_path / "ev"
    res = run_cli("eval", a, b, "-o", out, "--judge", "fake", ok=False)
    assert res.exit_code != 0
    assert "lacks 2 id(s) of a: s2, s3" in res.output and "s9" in res.output
    assert not (out / "scores").exists()
    ok = run_cli("eval", a, b, "-o", out, "--judge", "fake", "--intersect", "--no-progress")
    assert "--intersect" in ok.output
    assert json.loads((out / "eval.json").read_text())["ids"] == 2


def test_empty_file_is_a_clear_error(tmp_path):
    a = write(tmp_path / "a.jsonl", [output(0, "a")])
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    res = run_cli("eval", a, empty, "-o", tmp_path / "ev", "--judge", "fake", ok=False)
    assert res.exit_code != 0 and "empty.jsonl: no outputs (the file is empty)" in res.output


def test_resume_with_another_judge_is_refused(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "ev"
    run_cli("eval", base, tuned, "-o", out, "--judge", "fake", "--no-progress")
    rows = read_jsonl(scores_path(out, "base"))
    scores_path(out, "base").write_text("".join(json.dumps(r) + "\n" for r in rows[:4]))
    res = run_cli("eval", base, tuned, "-o", out, "--judge", "fake", "--model", "other", ok=False)
    assert res.exit_code != 0 and "judge 'fake:fake', not 'fake:other'" in res.output


def test_eval_exits_non_zero_when_a_system_got_no_scores(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "ev"
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("judge:\n  backend: fake\n  max_retries: 0\n  options:\n    answers: ['!error:400']\n    cycle: true\n")
    res = run_cli("eval", base, tuned, "-o", out, "-c", cfg, "--no-progress", ok=False)
    assert res.exit_code == 1
    assert "base: the judge produced no usable answer: 8 of 8 judged outputs" in res.output
    assert "tuned: the judge produced no usable answer: 7 of 7" in res.output  # 1 format error
    assert json.loads((out / "eval.json").read_text())["systems"]["base"]["n"] == 8  # kept
    res = run_cli("eval", base, tuned, "-o", out, "--judge", "fake", "--retry-failed", "--no-progress")
    assert "--retry-failed: doing 8 failed line(s) again" in res.output


def test_eval_refuses_other_settings_and_starts_over_with_overwrite(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "ev"
    run_cli("eval", base, tuned, "-o", out, "--judge", "fake", "--no-progress")
    res = run_cli("eval", base, tuned, "-o", out, "--judge", "fake", "--empathy-mode", "mean",
                  "--no-progress", ok=False)
    assert res.exit_code == 1 and "other settings (config_hash" in res.output
    assert "--empathy-mode" in res.output and "--overwrite" in res.output
    run_cli("eval", base, tuned, "-o", out, "--judge", "fake", "--empathy-mode", "mean",
            "--overwrite", "--no-progress")
    assert json.loads((out / "eval.json").read_text())["scoring"]["empathy_mode"] == "mean"


def test_eval_warns_once_when_most_outputs_miss_the_format(tmp_path):
    from tests.evaluate.helpers import scenario

    a = write(tmp_path / "a.jsonl", [{**scenario(i), "completion": f"plain {i}"} for i in range(4)])
    b = write(tmp_path / "b.jsonl", [{**scenario(i), "completion": f"also plain {i}"} for i in range(4)])
    res = run_cli("eval", a, b, "-o", tmp_path / "ev", "--judge", "fake", "--no-progress")
    text = " ".join(res.output.split())
    assert text.count("--on-format-error judge") == 1 and "(also: b)" in text


def test_eval_clusters_several_outputs_per_scenario(tmp_path):
    from tests.evaluate.helpers import scenario

    scen = write(tmp_path / "s.jsonl", [scenario(i) for i in range(4)])
    for name in ("a", "b"):
        run_cli("generate", scen, "-o", tmp_path / f"{name}.jsonl", "--backend", "fake",
                "--model", name, "--num-samples", "3", "--no-progress")
    out = tmp_path / "ev"
    res = run_cli("eval", tmp_path / "a.jsonl", tmp_path / "b.jsonl", "-o", out, "--judge", "fake",
                  "--cluster-by", "scenario_id", "--bootstrap", "200", "--no-progress")
    summary = json.loads((out / "eval.json").read_text())
    assert summary["cluster_by"] == "scenario_id"
    (pair,) = summary["pairs"]
    assert pair["n"] == 12  # 4 scenarios x 3 draws, paired by id <scenario>#k
    clusters = pair["clusters"]
    assert clusters["n"] == 4 and clusters["better"] + clusters["worse"] + clusters["ties"] == 4
    assert 0 <= clusters["p_sign"] <= 1
    assert "b vs a per scenario_id: better on" in res.output


def test_eval_cluster_field_missing_stops_before_judging(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "ev"
    res = run_cli("eval", base, tuned, "-o", out, "--judge", "fake", "--cluster-by", "scenario_id",
                  "--no-progress", ok=False)
    assert res.exit_code != 0
    assert "--cluster-by scenario_id: 8 line(s)" in res.output and "no 'scenario_id'" in res.output
    assert "Nothing was judged" in res.output and not (out / "scores").exists()


def test_eval_reports_shortcut_signs_per_system(two_systems, tmp_path):
    """Each system's share of outputs with each shortcut sign (`perm.signs`) is in eval.json
    and the console table; tuned's malformed 4th output is read whole and stops mid-sentence."""
    base, tuned = two_systems
    out = tmp_path / "ev"
    res = run_cli("eval", base, tuned, "-o", out, "--judge", "fake", "--no-progress", "--bootstrap", "200")
    systems = json.loads((out / "eval.json").read_text())["systems"]
    assert systems["base"]["signs"] == {"n": 8, "copied": 0.0, "unfinished": 0.0, "plan_as_reply": 0.0,
                                        "talks_about": 0.0, "to_the_grader": 0.0,
                                        "about_itself": 0.0, "mannerism": 0.0}
    assert systems["tuned"]["signs"]["unfinished"] == 1 / 8
    assert "sign: unfinished" in res.output and "12.5%" in res.output
    said = " ".join(res.output.split())
    assert "Shortcut signs rose in tuned over base: unfinished 0.0 % -> 12.5 %" in said
    same = run_cli("eval", base, f"again={base}", "-o", tmp_path / "ev2", "--judge", "fake",
                   "--no-progress", "--bootstrap", "200")
    assert "Shortcut signs rose" not in same.output
