import json

import pytest
from tests.helpers import make_record

from perm.data import load_samples, parse_record
from perm.errors import DataError, DataErrors


def test_contract_record_with_history(write_jsonl):
    p = write_jsonl([make_record(1, hidden_intention="wants company",
                                 history=[{"role": "user", "content": "hi"},
                                          {"role": "assistant", "content": "hello"}],
                                 category="grief")])
    s = load_samples(p).samples[0]
    assert s.id == "s1" and s.hidden_intention == "wants company"
    assert [t.role for t in s.history] == ["user", "assistant"]
    assert s.extra == {"category": "grief"}


def test_reference_shape_is_accepted():
    s = parse_record({"persona": {"identity": "A nurse"}, "scenario": "x",
                      "dialogue": [{"role": "user", "content": "help"}, "later"]}, line=3)
    assert (s.persona, s.query, s.id) == ("A nurse", "help", "line3")


@pytest.mark.parametrize("line,field,msg", [
    ("{not json", None, "invalid JSON"),
    ("[1, 2]", None, "expected a JSON object"),
    (json.dumps({"persona": "p", "scenario": "s"}), "query", "missing required field"),
    (json.dumps({"persona": "p", "scenario": "s", "query": 3}), "query", "must be a string"),
    (json.dumps({"persona": "", "scenario": "s", "query": "q"}), "persona", "must not be empty"),
    (json.dumps({"persona": "p", "scenario": "s", "query": "q", "history": "x"}), "history", "list"),
    (json.dumps({"persona": "p", "scenario": "s", "query": "q", "history": [{"role": "bot", "content": "x"}]}),
     "history[0].role", "role must be"),
    (json.dumps({"persona": "p", "scenario": "s", "query": "q", "id": [1]}), "id", "string or integer"),
    (json.dumps({"persona": {"name": "x"}, "scenario": "s", "query": "q"}), "persona.identity", "identity"),
])
def test_each_bad_line_names_file_line_and_field(write_jsonl, line, field, msg):
    p = write_jsonl([make_record(1), line])
    with pytest.raises(DataErrors) as info:
        load_samples(p)
    (err,) = info.value.errors
    assert err.path == str(p) and err.line == 2 and err.field == field
    assert msg in str(err)
    assert f"{p}:2" in str(info.value)


def test_duplicate_id_and_missing_completion(write_jsonl):
    p = write_jsonl([make_record(1), make_record(1), make_record(2, completion=None)])
    with pytest.raises(DataErrors) as info:
        load_samples(p, require_completion=True)
    errs = info.value.errors
    assert [(e.line, e.field) for e in errs] == [(2, "id"), (3, "completion")]
    assert "first on line 1" in str(errs[0])


def test_a_null_value_is_reported_as_null_not_as_missing(write_jsonl):
    no_completion = {k: v for k, v in make_record(2).items() if k != "completion"}
    p = write_jsonl([make_record(1, completion=None), no_completion, make_record(3, query=None)])
    data = load_samples(p, require_completion=True, skip_invalid=True)
    said = {e.line: str(e) for e in data.errors}
    assert "field 'completion': null; a completion string is needed for scoring" in said[1]
    assert "missing" not in said[1]
    assert "field 'completion': missing required field" in said[2]
    assert "field 'query': null; a string is needed" in said[3] and "missing" not in said[3]


def test_skip_invalid_keeps_the_rest_in_order(write_jsonl):
    p = write_jsonl([make_record(1), "oops", "", make_record(3)])
    data = load_samples(p, skip_invalid=True)
    assert [s.id for s in data.samples] == ["s1", "s3"]
    assert data.lines == [1, 4]
    assert [e.line for e in data.errors] == [2]


def test_missing_file():
    with pytest.raises(DataError, match="file not found"):
        load_samples("/nonexistent/x.jsonl")
