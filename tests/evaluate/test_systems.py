import pytest
from tests.evaluate.helpers import output, scenario, write

from perm.errors import DataErrors
from perm.evaluate.systems import SystemsMismatch, load_aligned, parse_spec


def test_aligned_systems_keep_the_first_files_order(two_systems):
    base, tuned = two_systems
    aligned = load_aligned([str(base), f"new={tuned}"])
    assert [s.name for s in aligned.systems] == ["base", "new"]
    assert aligned.ids == [f"s{i}" for i in range(8)]


def test_missing_and_extra_ids_are_named(tmp_path):
    a = write(tmp_path / "a.jsonl", [output(i, "a") for i in range(5)])
    b = write(tmp_path / "b.jsonl", [output(i, "b") for i in (0, 1, 2, 7)])
    with pytest.raises(SystemsMismatch) as e:
        load_aligned([str(a), str(b)])
    msg = str(e.value)
    assert "b (" in msg and "lacks 2 id(s) of a: s3, s4" in msg
    assert "has 1 id(s) that a lacks: s7" in msg
    assert "--intersect" in msg


def test_intersect_keeps_the_shared_ids_and_warns(tmp_path):
    a = write(tmp_path / "a.jsonl", [output(i, "a") for i in range(5)])
    b = write(tmp_path / "b.jsonl", [output(i, "b") for i in (0, 1, 2, 7)])
    aligned = load_aligned([str(a), str(b)], intersect=True)
    assert aligned.ids == ["s0", "s1", "s2"]
    assert any("s3, s4" in w for w in aligned.warnings)


def test_empty_file_is_an_error_naming_it(tmp_path):
    a = write(tmp_path / "a.jsonl", [output(0, "a")])
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(SystemsMismatch, match=r"empty.jsonl: no outputs \(the file is empty\)"):
        load_aligned([str(a), str(empty)])


def test_same_id_with_a_different_scenario_is_an_error(tmp_path):
    a = write(tmp_path / "a.jsonl", [output(i, "a") for i in range(3)])
    b = write(tmp_path / "b.jsonl", [output(0, "b"), {**output(1, "b"), "query": "other"},
                                     output(2, "b")])
    with pytest.raises(SystemsMismatch, match="different scenario in different systems: s1"):
        load_aligned([str(a), str(b)])


def test_outputs_without_completion_are_rejected_with_the_line(tmp_path):
    a = write(tmp_path / "a.jsonl", [output(0, "a")])
    b = write(tmp_path / "b.jsonl", [scenario(0)])
    with pytest.raises(DataErrors, match=r"b.jsonl:1: field 'completion'"):
        load_aligned([str(a), str(b)])


def test_exactly_two_and_unique_names(tmp_path, two_systems):
    base, tuned = two_systems
    with pytest.raises(SystemsMismatch, match="expected 2 system files, got 1"):
        load_aligned([str(base)], exactly=2)
    with pytest.raises(SystemsMismatch, match="two systems are named 'x'"):
        load_aligned([f"x={base}", f"x={tuned}"])
    same = load_aligned([str(base), str(base)])  # same file twice gets distinct names
    assert [s.name for s in same.systems] == ["base", "base-2"]


def test_parse_spec():
    assert parse_spec("tuned=out/t.jsonl") == ("tuned", "out/t.jsonl")
    assert parse_spec("out/t.jsonl") == (None, "out/t.jsonl")
