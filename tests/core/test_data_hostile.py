"""Hostile input to the data layer (issue 12): each bad line costs only itself, with a clear
error naming file, line and field or byte offset, and never a traceback."""
import json

import pytest
from tests.helpers import GOOD, make_record

from perm.data import (
    MAX_DEPTH,
    MAX_LINE_BYTES,
    RESULT_FIELDS,
    iter_records,
    load_samples,
    merge_extras,
    parse_record,
)
from perm.errors import ConfigError, DataError, DataErrors
from perm.scoring import PermScorer
from perm.text import clean_sample, replace_lone_surrogates
from perm.types import Sample, Turn


def write_bytes(tmp_path, data: bytes, name="in.jsonl"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def line(i, **kw) -> bytes:
    return json.dumps(make_record(i, **kw)).encode() + b"\n"


# -- item 1: lone surrogates -----------------------------------------------------------------
def test_lone_surrogate_is_replaced_and_reported_by_field(tmp_path):
    # json.dumps escapes it as the legal JSON text "\ud800"
    p = write_bytes(tmp_path, line(1) + line(2, completion=GOOD + "\ud800",
                                               history=[{"role": "user", "content": "x\udc00"}]))
    data = load_samples(p)
    assert [s.id for s in data.samples] == ["s1", "s2"]
    s2 = data.samples[1]
    assert s2.completion.endswith("\ufffd") and s2.history[0].content == "x\ufffd"
    s2.completion.encode("utf-8")  # encodable now
    assert sorted((w.line, w.field) for w in data.warnings) == [(2, "completion"), (2, "history[0].content")]
    assert all(f"{p}:2" in str(w) and "U+FFFD" in str(w) for w in data.warnings)


def test_surrogates_in_extras_and_keys_are_repaired():
    s = parse_record({"persona": {"identity": "a\ud800"}, "scenario": "s", "dialogue": ["q"],
                      "tags": [{"k\udfff": "v\ud800"}]})
    assert s.persona == "a\ufffd"
    assert s.extra["tags"] == [{"k\ufffd": "v\ufffd"}]
    json.dumps(s.extra, ensure_ascii=False).encode("utf-8")


def test_surrogate_pair_is_joined_and_lone_halves_replaced():
    assert replace_lone_surrogates("\ud83d\ude00 ok") == "\U0001F600 ok"
    assert replace_lone_surrogates("\ude00\ud83d") == "\ufffd\ufffd"
    assert replace_lone_surrogates("plain") == "plain"


def test_one_bad_sample_costs_only_itself_with_a_utf8_token_counter():
    """Samples built directly (not through perm.data) are repaired by the scorer: a counter that
    encodes to UTF-8, like every real tokenizer, used to fail the whole batch."""
    scorer = PermScorer({"judge": {"backend": "fake"}},
                        token_counter=lambda t: len(t.encode("utf-8")) // 4)
    good = Sample("p", "s", "q", id="a", completion=GOOD)
    bad = Sample("p", "s", "q\ud800", id="b\ud800", completion=GOOD + "\ud800",
                 history=(Turn("user", "\udc00"),))
    res = scorer.score([good, bad])
    assert [r.id for r in res] == ["a", "b\ufffd"]
    assert all(r.reward is not None and r.outcome == "scored" for r in res)
    assert clean_sample(good) is good


def test_embedded_scorer_scores_the_valid_samples_of_a_file_with_a_surrogate(tmp_path):
    """The issue's reproduction: the local scorer's tokenizer failed the whole chunk."""
    p = write_bytes(tmp_path, line(1) + line(2, completion=GOOD + "\ud800") + line(3))
    data = load_samples(p)
    scorer = PermScorer({"judge": {"backend": "local"}})
    res = scorer.score(data.samples)
    assert [r.outcome for r in res] == ["scored"] * 3, [r.failures for r in res]


# -- item 6: encodings -----------------------------------------------------------------------
def test_invalid_utf8_names_line_and_byte_offset_and_is_skippable(tmp_path):
    bad = b'{"id": "x", "persona": "caf\xe9"}\n'
    p = write_bytes(tmp_path, line(1) + bad + line(3))
    with pytest.raises(DataErrors) as info:
        load_samples(p)
    (err,) = info.value.errors
    at = bad.index(b"\xe9")
    assert err.line == 2 and f"{p}:2" in str(err)
    assert f"byte 0xe9 at byte {at} of the line (file offset {len(line(1)) + at})" in str(err)
    assert "UTF-8" in str(err)
    data = load_samples(p, skip_invalid=True)
    assert [s.id for s in data.samples] == ["s1", "s3"] and [e.line for e in data.errors] == [2]


@pytest.mark.parametrize("codec,name", [("utf-16", "UTF-16"), ("utf-16-be", "UTF-16"),
                                        ("utf-32", "UTF-32")])
def test_utf16_and_utf32_files_get_a_clear_message(tmp_path, codec, name):
    text = json.dumps(make_record(1)) + "\n"
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    p = write_bytes(tmp_path, data)
    for skip in (False, True):
        with pytest.raises(DataError) as info:
            load_samples(p, skip_invalid=skip)
        msg = str(info.value)
        assert msg.startswith(f"{p}: ") and f"the file is {name}" in msg and "convert" in msg


def test_utf16_without_bom_is_named_per_line(tmp_path):
    p = write_bytes(tmp_path, (json.dumps(make_record(1)) + "\n").encode("utf-16-le"))
    with pytest.raises(DataErrors) as info:
        load_samples(p)
    assert "NUL byte" in str(info.value) and "UTF-16" in str(info.value)


# -- item 7: deep nesting, and other JSON that Python reads but should not --------------------
@pytest.mark.parametrize("text,msg", [
    ('{"persona": ' + "[" * 10_000 + "]" * 10_000 + "}", "nested too deeply"),
    ('{"x": NaN, "persona": "p", "scenario": "s", "query": "q"}', "NaN is not a JSON value"),
    ('{"id": ' + "1" * 5000 + "}", "too many digits"),
])
def test_json_python_cannot_or_should_not_read_is_a_bad_record(tmp_path, text, msg):
    p = write_bytes(tmp_path, line(1) + text.encode() + b"\n")
    with pytest.raises(DataErrors) as info:
        load_samples(p)
    (err,) = info.value.errors
    assert err.line == 2 and msg in str(err)


def test_nesting_past_max_depth_is_a_bad_record_naming_the_field(tmp_path):
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    rec = json.dumps(make_record(2))[:-1] + f', "meta": {deep}}}'
    p = write_bytes(tmp_path, line(1) + rec.encode() + b"\n")
    data = load_samples(p, skip_invalid=True)
    assert [s.id for s in data.samples] == ["s1"]
    (err,) = data.errors
    assert (err.line, err.field) == (2, "meta") and "levels deep" in str(err)


# -- item 9: UTF-8 byte-order mark -----------------------------------------------------------
def test_utf8_bom_is_accepted(tmp_path):
    # also at the start of a later line, as `cat a.jsonl b.jsonl` of BOM-marked files leaves it
    p = write_bytes(tmp_path, b"\xef\xbb\xbf" + line(1) + b"\xef\xbb\xbf" + line(2))
    data = load_samples(p)
    assert [s.id for s in data.samples] == ["s1", "s2"] and data.lines == [1, 2]


def test_bom_does_not_shift_reported_offsets(tmp_path):
    p = write_bytes(tmp_path, b'\xef\xbb\xbf{"a": "\xff"}\n')
    ((n, err),) = list(iter_records(p))
    assert "at byte 10 of the line (file offset 10)" in str(err)  # the BOM counts


# -- item 10: line cap -----------------------------------------------------------------------
def test_oversized_line_is_a_bad_record_and_the_rest_loads(tmp_path):
    big = json.dumps(make_record(2, completion=GOOD + "x" * 5000)).encode() + b"\n"
    p = write_bytes(tmp_path, line(1) + big + line(3))
    data = load_samples(p, skip_invalid=True, max_line_bytes=4096)
    assert [s.id for s in data.samples] == ["s1", "s3"] and data.lines == [1, 3]
    (err,) = data.errors
    assert err.line == 2 and f"line is {len(big) - 1:,} bytes, over the 4,096-byte limit" in str(err)
    assert "max_line_bytes" in str(err)
    assert load_samples(p, max_line_bytes=None).samples[1].id == "s2"


def test_line_cap_boundary_and_default(tmp_path):
    rec = line(1)
    size = len(rec) - 1  # without the newline
    p = write_bytes(tmp_path, rec + rec.rstrip(b"\n"))  # last line has no newline
    assert [n for n, _ in iter_records(p, max_line_bytes=size)] == [1, 2]
    assert all(isinstance(r, DataError) for _, r in iter_records(p, max_line_bytes=size - 1))
    assert MAX_LINE_BYTES == 1 << 20


def test_default_cap_rejects_a_huge_line_without_reading_it_whole(tmp_path):
    p = tmp_path / "big.jsonl"
    with p.open("wb") as fh:
        fh.write(b'{"completion": "')
        fh.write(b"a" * (MAX_LINE_BYTES + 10))
        fh.write(b'"}\n')
        fh.write(line(2))
    recs = list(iter_records(p))
    assert isinstance(recs[0][1], DataError) and recs[1][0] == 2 and recs[1][1]["id"] == "s2"


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "1"])
def test_bad_max_line_bytes_is_a_config_error(tmp_path, bad):
    with pytest.raises(ConfigError, match="max_line_bytes"):
        load_samples(tmp_path / "x.jsonl", max_line_bytes=bad)


def test_unreadable_path_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        load_samples(tmp_path)


# -- item 11: extras and ids -----------------------------------------------------------------
def test_extras_are_carried_and_merged_without_clobbering_results(write_jsonl):
    p = write_jsonl([make_record(1, category="grief", reward=9, scores="old", meta={"a": [1]})])
    s = load_samples(p).samples[0]
    assert s.extra == {"category": "grief", "reward": 9, "scores": "old", "meta": {"a": [1]}}
    scored = {"id": "s1", "reward": None, "scores": {"resonation": 4}}
    out = merge_extras(scored, s.extra)
    assert out == {"id": "s1", "reward": None, "scores": {"resonation": 4}, "category": "grief",
                   "meta": {"a": [1]}}
    assert list(out)[:3] == ["id", "reward", "scores"]
    # a contract field absent from this record (e.g. an error record) is still not taken
    assert "reward" not in merge_extras({"id": "s1"}, {"reward": 1})
    assert scored == {"id": "s1", "reward": None, "scores": {"resonation": 4}}  # not mutated
    assert {"reward", "empathy", "scores", "terms", "failures", "outcome", "tokens"} <= RESULT_FIELDS


@pytest.mark.parametrize("raw,msg", [(True, "got boolean"), (False, "got boolean"),
                                     (1.5, "got number"), ([1], "got array")])
def test_ids_must_be_strings_or_integers(raw, msg):
    with pytest.raises(DataError) as info:
        parse_record({"id": raw, "persona": "p", "scenario": "s", "query": "q"}, path="f", line=4)
    assert info.value.field == "id" and msg in str(info.value) and str(info.value).startswith("f:4: ")


def test_integer_id_becomes_its_decimal_string():
    assert parse_record({"id": 7, "persona": "p", "scenario": "s", "query": "q"}).id == "7"


def test_error_messages_never_quote_a_whole_user_text():
    long_role = "x" * 10_000
    with pytest.raises(DataError) as info:
        parse_record({"persona": "p", "scenario": "s", "query": "q",
                      "history": [{"role": long_role, "content": "c"}]})
    assert len(str(info.value)) < 200
