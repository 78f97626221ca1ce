"""Output safety and honest exit status of `perm score` and the other commands that write
results (issue 12 items 2, 3, 4, 8, 17, 19)."""
import json
import os

import pytest
from click.testing import CliRunner
from tests.helpers import make_record

from perm.cli import cli


def invoke(*args):
    res = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in res.output
    return res


def read(path):
    return [json.loads(line) for line in open(path)]


def judge_config(tmp_path, answers, **extra):
    cfg = tmp_path / "judge.yaml"
    more = "".join(f"{k}: {v}\n" for k, v in extra.items())
    cfg.write_text(f"judge:\n  backend: fake\n  max_retries: 0\n  max_reasks: 0\n  options:\n"
                   f"    answers: {json.dumps(answers)}\n    cycle: true\n{more}")
    return cfg


@pytest.mark.parametrize("ids", [True, False])
@pytest.mark.parametrize("how", ["same", "symlink", "hardlink"])
def test_output_onto_the_input_is_refused_and_the_input_kept(write_jsonl, tmp_path, ids, how):
    recs = [make_record(i) for i in range(2)]
    if not ids:
        for r in recs:
            del r["id"]
    p = write_jsonl(recs)
    before = p.read_bytes()
    out = p
    if how == "symlink":
        out = tmp_path / "link.jsonl"
        out.symlink_to(p)
    elif how == "hardlink":
        out = tmp_path / "hard.jsonl"
        os.link(p, out)
    res = invoke("score", p, "-o", out, "--judge", "fake", "--no-progress")
    assert res.exit_code == 1
    assert "is an input file" in res.output and "Nothing was judged" in res.output
    assert p.read_bytes() == before


def test_generate_refuses_its_input_as_output(tmp_path):
    p = tmp_path / "scen.jsonl"
    p.write_text(json.dumps({"id": "a", "persona": "p", "scenario": "s", "query": "q"}) + "\n")
    before = p.read_bytes()
    res = invoke("generate", p, "-o", p, "--backend", "fake")
    assert res.exit_code == 1 and "is an input file" in res.output and p.read_bytes() == before


def test_dash_streams_results_to_stdout_in_input_order(write_jsonl, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    p = write_jsonl([make_record(i) for i in range(5)])
    res = invoke("score", p, "-o", "-", "--judge", "fake", "--no-progress")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["id"] for r in rows] == [f"s{i}" for i in range(5)]
    assert all(r["reward"] is not None and r["sample_hash"] for r in rows)
    assert "PERM scores" in res.stderr and "PERM scores" not in res.stdout
    assert not (tmp_path / "-").exists()


def test_generate_streams_to_stdout_too(tmp_path):
    p = tmp_path / "scen.jsonl"
    p.write_text("".join(json.dumps({"id": f"a{i}", "persona": "p", "scenario": "s", "query": f"q{i}"})
                         + "\n" for i in range(3)))
    res = invoke("generate", p, "-o", "-", "--backend", "fake", "--no-progress")
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == ["a0", "a1", "a2"]


def test_devices_pipes_and_unwritable_places_are_refused_before_judging(write_jsonl, tmp_path):
    p = write_jsonl([make_record(0)])
    null, fifo = tmp_path / "null", tmp_path / "fifo"
    null.symlink_to(os.devnull)
    os.mkfifo(fifo)
    for out, why in [(null, "is a character device"), (fifo, "is a named pipe")]:
        res = invoke("score", p, "-o", out, "--judge", "fake", "--no-progress")
        assert res.exit_code == 1 and why in res.output and "use -o -" in res.output
    assert os.readlink(null) == os.devnull
    afile = tmp_path / "afile"
    afile.write_text("")
    targets = [afile / "out.jsonl"] + (["/proc/perm-test/out.jsonl"] if os.path.isdir("/proc/self") else [])
    for out in targets:
        res = invoke("score", p, "-o", out, "--judge", "fake", "--no-progress")
        assert res.exit_code == 1 and str(os.path.dirname(out)) in res.output
        assert "Nothing was judged" in res.output


def test_eval_and_compare_refuse_an_unusable_output_dir(write_jsonl, tmp_path):
    from tests.evaluate.helpers import output, write

    a = write(tmp_path / "a.jsonl", [output(i, "a") for i in range(2)])
    b = write(tmp_path / "b.jsonl", [output(i, "b") for i in range(2)])
    (tmp_path / "ev" / "scores").mkdir(parents=True)
    (tmp_path / "ev" / "scores" / "a.jsonl").symlink_to(a)
    res = invoke("eval", a, b, "-o", tmp_path / "ev", "--judge", "fake", "--no-progress")
    assert res.exit_code == 1 and "is an input file" in res.output
    assert read(a)[0]["completion"].startswith("# Analysis")
    if os.path.isdir("/proc/self"):
        res = invoke("compare", a, b, "-o", "/proc/perm-cmp", "--judge", "fake", "--no-progress")
        assert res.exit_code == 1 and "cannot write in /proc/perm-cmp" in res.output


def test_resume_refuses_another_judge_or_settings_and_overwrite_starts_over(write_jsonl, tmp_path):
    p = write_jsonl([make_record(i) for i in range(3)])
    out = tmp_path / "o.jsonl"
    assert invoke("score", p, "-o", out, "--judge", "fake", "--no-progress").exit_code == 0
    first = out.read_text()
    res = invoke("score", p, "-o", out, "--judge", "fake", "--model", "other", "--no-progress")
    assert res.exit_code == 1 and "judge 'fake:fake', not 'fake:other'" in res.output
    assert "--overwrite" in res.output
    res = invoke("score", p, "-o", out, "--judge", "fake", "--bystander-coef", "0", "--no-progress")
    assert res.exit_code == 1 and "other settings (config_hash" in res.output
    assert "--bystander-coef" in res.output and out.read_text() == first
    res = invoke("score", p, "-o", out, "--judge", "fake", "--bystander-coef", "0", "--overwrite",
                 "--no-progress")
    assert res.exit_code == 0 and "discarding 3 result(s)" in res.output
    assert all(r["scores"]["bystander"] is None for r in read(out))


def test_an_edited_completion_is_judged_again(write_jsonl, tmp_path):
    recs = [make_record(i) for i in range(3)]
    p = write_jsonl(recs)
    out = tmp_path / "o.jsonl"
    invoke("score", p, "-o", out, "--judge", "fake", "--no-progress")
    old = {r["id"]: r for r in read(out)}
    recs[1]["completion"] = "# Analysis\nNew analysis.\n# Response\nA different reply altogether."
    write_jsonl(recs)
    res = invoke("score", p, "-o", out, "--judge", "fake", "--no-progress")
    assert res.exit_code == 0 and "1 sample(s) changed" in res.output and "Resuming: 2 of 3" in res.output
    new = {r["id"]: r for r in read(out)}
    assert list(new) == ["s0", "s1", "s2"]
    assert new["s1"]["sample_hash"] != old["s1"]["sample_hash"] and new["s0"] == old["s0"]


def test_an_old_file_without_provenance_resumes_with_a_warning(write_jsonl, tmp_path):
    p = write_jsonl([make_record(i) for i in range(3)])
    out = tmp_path / "o.jsonl"
    invoke("score", p, "-o", out, "--judge", "fake", "--no-progress")
    rows = read(out)[:2]
    for r in rows:
        del r["config_hash"], r["sample_hash"]
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    res = invoke("score", p, "-o", out, "--judge", "fake", "--no-progress")
    assert res.exit_code == 0 and "2 line(s)" in res.output and "carry no provenance" in res.output
    assert [r["id"] for r in read(out)] == ["s0", "s1", "s2"] and read(out)[:2] == rows


def test_a_run_whose_judge_always_fails_exits_non_zero(write_jsonl, tmp_path):
    p = write_jsonl([make_record(i) for i in range(3)])
    out = tmp_path / "o.jsonl"
    cfg = judge_config(tmp_path, ["!error:400"])
    res = invoke("score", p, "-o", out, "-c", cfg, "--no-progress", "--max-failure-rate", "1")
    assert res.exit_code == 1
    assert "the judge produced no usable answer: 3 of 3 judged samples" in res.output
    assert "--retry-failed" in res.output
    assert [r["reward"] for r in read(out)] == [None, None, None]  # the lines are still written


def test_the_failure_rate_limit(write_jsonl, tmp_path):
    # 4 samples x 3 empathy calls, every sixth answer unusable: 2 of 4 samples lose their reward
    p = write_jsonl([make_record(i) for i in range(4)])
    cfg = judge_config(tmp_path, ["Score: 3"] * 5 + ["no score here"], bystander_coef=0)
    res = invoke("score", p, "-o", tmp_path / "a.jsonl", "-c", cfg, "--no-progress")
    assert res.exit_code == 0, res.output  # 50 % is not above the default 0.5
    assert sum(r["reward"] is None for r in read(tmp_path / "a.jsonl")) == 2
    res = invoke("score", p, "-o", tmp_path / "b.jsonl", "-c", cfg, "--no-progress",
                 "--max-failure-rate", "0.25")
    assert res.exit_code == 1 and "2 of 4 judged samples (50%)" in res.output
    assert "more than --max-failure-rate 0.25" in res.output


def test_mostly_malformed_outputs_warn_once_with_the_fix(write_jsonl, tmp_path):
    p = write_jsonl([make_record(i, completion=f"just a reply {i}") for i in range(3)] + [make_record(3)])
    res = invoke("score", p, "-o", tmp_path / "o.jsonl", "--judge", "fake", "--no-progress")
    assert res.exit_code == 0
    text = " ".join(res.output.split())
    assert text.count("--on-format-error judge to judge") == 1 and "3 of 4 outputs (75%)" in text
    res = invoke("score", p, "-o", tmp_path / "j.jsonl", "--judge", "fake", "--no-progress",
                 "--on-format-error", "judge")
    assert res.exit_code == 0 and "lack the '# Analysis'" not in res.output


def test_human_and_report_refuse_to_write_over_their_inputs(tmp_path):
    from tests.evaluate.helpers import output, write

    a = write(tmp_path / "a.jsonl", [output(i, "a") for i in range(2)])
    b = write(tmp_path / "b.jsonl", [output(i, "b") for i in range(2)])
    study = tmp_path / "study"
    study.mkdir()
    (study / "pairs.csv").symlink_to(a)
    res = invoke("human", "export", a, b, "-o", study)
    assert res.exit_code == 1 and "is an input file" in res.output
    (study / "pairs.csv").unlink()
    assert invoke("human", "export", a, b, "-o", study).exit_code == 0
    key = study / "key.json"
    before = key.read_bytes()
    answers = tmp_path / "answers.csv"
    answers.write_text("pair_id,choice,rater\n")
    res = invoke("human", "import", key, answers, "-o", key)
    assert res.exit_code == 1 and "is an input file" in res.output and key.read_bytes() == before
