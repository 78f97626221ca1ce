"""Output checks and result files (perm.runs.files): refused outputs, torn lines, ordered rewrite."""
import json
import os
import stat

import pytest

from perm.runs import (
    OutputError,
    ResultFileError,
    check_output_dir,
    check_output_file,
    read_finished,
    rewrite_in_order,
    write_json,
)


@pytest.fixture
def inp(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"persona": "p", "scenario": "s", "query": "q", "completion": "c"}\n')
    return p


def test_an_input_is_refused_as_output_also_through_links(inp, tmp_path):
    link, hard = tmp_path / "link.jsonl", tmp_path / "hard.jsonl"
    link.symlink_to(inp)
    os.link(inp, hard)
    for out in (inp, link, hard):
        with pytest.raises(OutputError, match="is an input file") as e:
            check_output_file(out, inputs=[inp])
        assert str(out) in str(e.value)
    assert check_output_file(tmp_path / "other.jsonl", inputs=[inp]) == tmp_path / "other.jsonl"


def test_devices_and_pipes_are_refused(tmp_path):
    null, fifo = tmp_path / "null", tmp_path / "fifo"
    null.symlink_to(os.devnull)
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match=r"null is a character device, not a regular file.*-o -"):
        check_output_file(null)
    with pytest.raises(OutputError, match=r"named pipe \(FIFO\).*-o -"):
        check_output_file(fifo)
    assert os.path.islink(null) and os.readlink(null) == os.devnull  # untouched


def test_a_place_that_cannot_be_written_is_named(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(OutputError, match="Not a directory|not a directory"):
        check_output_file(afile / "out.jsonl")
    if os.path.isdir("/proc/self"):
        with pytest.raises(OutputError, match=r"cannot write in /proc/perm-test: creating a file in /proc"):
            check_output_file("/proc/perm-test/out.jsonl")
    new = tmp_path / "a" / "b" / "out.jsonl"
    assert check_output_file(new) == new and not (tmp_path / "a").exists()  # nothing created
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".perm-probe")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permission bits")
def test_a_read_only_directory_is_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(OutputError, match="cannot write in"):
            check_output_file(ro / "out.jsonl")
    finally:
        ro.chmod(stat.S_IRWXU)


def test_output_directory_checks_its_files(inp, tmp_path):
    with pytest.raises(OutputError, match="not a directory"):
        check_output_dir(inp)
    d = tmp_path / "out"
    (d / "scores").mkdir(parents=True)
    (d / "scores" / "a.jsonl").symlink_to(inp)
    with pytest.raises(OutputError, match="is an input file"):
        check_output_dir(d, inputs=[inp], files=["scores/a.jsonl", "eval.json"])
    assert check_output_dir(tmp_path / "fresh", inputs=[inp], files=["x.jsonl"]) == tmp_path / "fresh"


def test_a_torn_last_line_is_cut_and_a_later_line_of_an_id_wins(tmp_path):
    p = tmp_path / "o.jsonl"
    p.write_text('{"id": "a", "v": 1}\n\n{"id": "b", "v": 1}\n{"id": "a", "v": 2}\n{"id": "c", "v')
    found = read_finished(p)
    assert found.torn == 1 and {k: r["v"] for k, r in found.records.items()} == {"a": 2, "b": 1}
    assert found.lines == {"a": 4, "b": 3}
    assert p.read_text().endswith('{"id": "a", "v": 2}\n')  # appending continues on a clean line


def test_a_bad_line_before_the_last_is_an_error_and_changes_nothing(tmp_path):
    p = tmp_path / "o.jsonl"
    text = '{"id": "a"}\nnot json\n{"id": "b"}\n'
    p.write_text(text)
    with pytest.raises(ResultFileError, match=r"o.jsonl:2: not a JSON line"):
        read_finished(p)
    p.write_text('{"id": "a"}\n{"no_id": 1}\n{"id": "b"}\n')
    with pytest.raises(ResultFileError, match=r"o.jsonl:2: a JSON line without an \"id\""):
        read_finished(p)
    assert p.read_text() == '{"id": "a"}\n{"no_id": 1}\n{"id": "b"}\n'


def test_rewrite_orders_keeps_extras_drops_stale_and_follows_a_symlink(tmp_path):
    real = tmp_path / "real.jsonl"
    real.write_text("".join(json.dumps({"id": i}) + "\n" for i in ("c", "x", "a", "b")))
    real.chmod(0o640)
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    extra = rewrite_in_order(link, ["a", "b", "c"], drop={"b"})
    assert extra == ["x"]
    assert [json.loads(ln)["id"] for ln in real.read_text().splitlines()] == ["a", "c", "x"]
    assert link.is_symlink() and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.jsonl", "real.jsonl"]
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not a regular file"):
        rewrite_in_order(fifo, [])


def test_write_json_replaces_atomically(tmp_path):
    p = write_json(tmp_path / "d" / "s.json", {"kind": "x"})
    assert json.loads(p.read_text()) == {"kind": "x"}
    write_json(p, {"kind": "y"})
    assert json.loads(p.read_text()) == {"kind": "y"} and len(list(p.parent.iterdir())) == 1
