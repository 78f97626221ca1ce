"""The resumable-run type (perm.runs.run) and provenance (perm.runs.provenance)."""
import asyncio
import io
import json

import pytest

from perm.config import build_config
from perm.runs import (
    ResumableRun,
    ResumeRefused,
    Stamp,
    drive,
    judge_stamp,
    sample_digest,
    scoring_digest,
)
from perm.runs.run import _OrderedStream
from perm.types import Sample, Turn

STAMP = judge_stamp("fake:fake", "v1", "h1", "--bystander-coef, ...")


def jobs(n=4, edit=None):
    return [Sample("p", "s", f"q{i}", id=f"s{i}", completion="edited" if i == edit else f"c{i}")
            for i in range(n)]


def key(s):
    return s.id


def make(path, samples, **kw):
    kw.setdefault("stamp", STAMP)
    kw.setdefault("digest", sample_digest)
    return ResumableRun(path, samples, key, **kw)


def complete(run, value=1.0, only=None):
    run.open()
    for s in run.todo:
        if only is None or s.id in only:
            run.write(s.id, {"id": s.id, "reward": value})
    run.finish()


def test_sample_digest_covers_what_a_judge_sees_only():
    s = Sample("p", "s", "q", id="a", completion="c", extra={"category": "x"})
    same = Sample("p", "s", "q", id="b", completion="c", extra={"category": "y"})
    assert sample_digest(s) == sample_digest(same)
    for other in (Sample("p", "s", "q", id="a", completion="c2"),
                  Sample("p", "s", "q", id="a", completion="c", hidden_intention="h"),
                  Sample("p", "s", "q", id="a", completion="c", history=(Turn("user", "hi"),))):
        assert sample_digest(other) != sample_digest(s)


def test_scoring_digest_leaves_out_what_cannot_change_a_score():
    base = build_config({"judge": {"backend": "fake"}})
    mechanics = build_config({"judge": {"backend": "fake", "concurrency": 3, "timeout": 5,
                                        "max_retries": 0, "base_url": ["http://x/v1"],
                                        "cache": "/tmp/c.sqlite", "options": {"latency": 1}}})
    assert scoring_digest(base) == scoring_digest(mechanics)
    for change in ({"bystander_coef": 0.0}, {"empathy_mode": "mean"}, {"on_format_error": "judge"},
                   {"judge": {"backend": "fake", "temperature": 0.0}}, {"fused": True}):
        assert scoring_digest(build_config({"judge": {"backend": "fake"}, **change})) != scoring_digest(base)


def test_lines_are_stamped_and_resumed(tmp_path):
    out = tmp_path / "o.jsonl"
    run = make(out, jobs())
    run.resume()
    complete(run, only={"s0", "s1"})
    line = json.loads(out.read_text().splitlines()[0])
    assert line["judge"] == "fake:fake" and line["config_hash"] == "h1"
    assert line["rubric_version"] == "v1" and line["sample_hash"] == sample_digest(jobs()[0])
    again = make(out, jobs())
    report = again.resume()
    assert [s.id for s in again.todo] == ["s2", "s3"] and report.kept == 2
    assert ("info", f"Resuming: 2 of 4 already scored in {out}") in report.messages()


def test_another_judge_or_other_settings_are_refused_naming_which(tmp_path):
    out = tmp_path / "o.jsonl"
    complete(make(out, jobs()))
    with pytest.raises(ResumeRefused, match=r"results of judge 'fake:fake', not 'local:m'.*--overwrite"):
        make(out, jobs(), stamp=judge_stamp("local:m", "v1", "h1", "")).resume()
    with pytest.raises(ResumeRefused, match=r"other settings \(config_hash h1 there, h2 now; "
                                             r"changed by --bystander-coef"):
        make(out, jobs(), stamp=judge_stamp("fake:fake", "v1", "h2", "--bystander-coef")).resume()
    with pytest.raises(ResumeRefused, match=r"rubric_version v1 there, v2 now"):
        make(out, jobs(), stamp=judge_stamp("fake:fake", "v2", "h1", "")).resume()


def test_a_line_without_the_producer_is_not_a_result(tmp_path):
    out = tmp_path / "o.jsonl"
    out.write_text('{"id": "s0", "persona": "p"}\n')
    with pytest.raises(ResumeRefused, match=r"o.jsonl:1: a line without 'judge'.*right file"):
        make(out, jobs()).resume()


def test_a_changed_sample_is_done_again_and_its_stale_line_never_survives(tmp_path):
    out = tmp_path / "o.jsonl"
    complete(make(out, jobs()))
    run = make(out, jobs(edit=2))
    report = run.resume()
    assert [s.id for s in run.todo] == ["s2"] and report.changed == 1
    run.open()
    run.skip("s2")  # its judging produced nothing (e.g. killed or failed before a line)
    run.finish()
    assert [json.loads(ln)["id"] for ln in out.read_text().splitlines()] == ["s0", "s1", "s3"]
    run = make(out, jobs(edit=2))
    run.resume()
    complete(run, value=2.0)
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert list(rows) == ["s0", "s1", "s2", "s3"] and rows["s2"]["reward"] == 2.0
    assert rows["s2"]["sample_hash"] == sample_digest(jobs(edit=2)[2])


def test_lines_without_provenance_are_kept_with_a_warning(tmp_path):
    out = tmp_path / "o.jsonl"
    out.write_text('{"id": "s0", "judge": "fake:fake", "rubric_version": "v1", "reward": 0.5}\n')
    run = make(out, jobs())
    report = run.resume()
    assert [s.id for s in run.todo] == ["s1", "s2", "s3"] and report.unknown == 1
    assert any("carry no provenance" in text and "--overwrite" in text
               for level, text in report.messages() if level == "warn")


def test_redo_and_overwrite(tmp_path):
    out = tmp_path / "o.jsonl"
    run = make(out, jobs())
    run.resume()
    run.open()
    for s in run.todo:
        run.write(s.id, {"id": s.id, "reward": None if s.id == "s1" else 1.0})
    run.finish()
    retry = make(out, jobs(), redo=lambda r: r["reward"] is None)
    assert retry.resume().retried == 1 and [s.id for s in retry.todo] == ["s1"]
    fresh = make(out, jobs(), stamp=judge_stamp("other:x", "v1", "h9", ""), overwrite=True)
    assert fresh.resume().overwritten == 4 and len(fresh.todo) == 4
    assert len(out.read_text().splitlines()) == 4  # nothing discarded before the work starts
    complete(fresh)
    assert {json.loads(ln)["judge"] for ln in out.read_text().splitlines()} == {"other:x"}
    out.write_text('{"id": "s0"}\nnot json\n{"id": "s1"}\n')  # even a damaged file
    assert make(out, jobs(), overwrite=True).resume().overwritten == 3


def test_stdout_streams_in_job_order_as_soon_as_it_can():
    buf = io.StringIO()
    stream = _OrderedStream(["a", "b", "c", "d"], buf)
    stream.write("b", "B\n")
    assert buf.getvalue() == ""  # waits for a
    stream.write("a", "A\n")
    assert buf.getvalue() == "A\nB\n"
    stream.write("d", "D\n")
    stream.skip("c")  # a job without a line does not block the ones after it
    assert buf.getvalue() == "A\nB\nD\n"


def test_stdout_run_reads_and_writes_no_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    run = make("-", jobs(2))
    assert run.resume().kept == 0 and len(run.todo) == 2
    complete(run)
    assert [json.loads(ln)["id"] for ln in capsys.readouterr().out.splitlines()] == ["s0", "s1"]
    assert [r["id"] for r in run.records()] == ["s0", "s1"] and list(tmp_path.iterdir()) == []


class Worker:
    def __init__(self):
        self.events = []

    async def check(self):
        self.events.append("check")

    async def aclose(self):
        self.events.append("close")


def test_drive_checks_only_with_work_and_always_closes(tmp_path):
    done = make(tmp_path / "o.jsonl", [])
    w = Worker()
    asyncio.run(drive(w, [done], lambda: asyncio.sleep(0)))
    assert w.events == ["close"] and not (tmp_path / "o.jsonl").exists()

    run = make(tmp_path / "o.jsonl", jobs(1))

    async def boom():
        raise RuntimeError("judge crashed")

    w = Worker()
    with pytest.raises(RuntimeError):
        asyncio.run(drive(w, [run], boom))
    assert w.events == ["check", "close"] and run._sink is None  # output closed too


def test_stamp_fields():
    s = Stamp(("system", "base"))
    assert s.fields() == {"system": "base"}
    assert STAMP.fields() == {"judge": "fake:fake", "rubric_version": "v1", "config_hash": "h1"}
