"""Response recovery, label decoding and flat reward fields shared by the server and adapters."""
from __future__ import annotations

import json
import math
import re
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perm.errors import ConfigError, DataError
from perm.integrations.common import (
    REWARD_FIELDS,
    Refusal,
    recover_response,
    refused_result,
    resolve_null_reward,
    reward_fields,
    reward_floor,
    sample_from_context,
    screened_sample,
    strip_trailing_specials,
    text_problem,
)
from perm.scoring import PermScorer
from perm.types import Sample

RESP = "# Analysis\nTired, wants respect.\n# Response\nThat is a lot to carry."
SYS, USER = "Answer with # Analysis then # Response.", "my boiler is broken"

# (template name, prompt as the tokenizer's chat template renders it, end-of-turn token)
TEMPLATES = [
    ("chatml", f"<|im_start|>system\n{SYS}<|im_end|>\n<|im_start|>user\n{USER}<|im_end|>\n"
               "<|im_start|>assistant\n", "<|im_end|>"),
    ("llama3", f"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n{SYS}<|eot_id|>"
               f"<|start_header_id|>user<|end_header_id|>\n\n{USER}<|eot_id|>"
               "<|start_header_id|>assistant<|end_header_id|>\n\n", "<|eot_id|>"),
    ("gemma", f"<bos><start_of_turn>user\n{SYS}\n\n{USER}<end_of_turn>\n<start_of_turn>model\n",
     "<end_of_turn>\n<eos>"),
    ("mistral", f"<s>[INST] {SYS}\n\n{USER} [/INST]", "</s>"),
    ("phi3", f"<|system|>\n{SYS}<|end|>\n<|user|>\n{USER}<|end|>\n<|assistant|>\n", "<|end|><|endoftext|>"),
    ("deepseek", f"<｜begin▁of▁sentence｜>{SYS}<｜User｜>{USER}<｜Assistant｜>", "<｜end▁of▁sentence｜>"),
]


@pytest.mark.parametrize(("name", "prompt", "eot"), TEMPLATES, ids=[t[0] for t in TEMPLATES])
def test_recover_with_prompt_prefix(name: str, prompt: str, eot: str) -> None:
    got = recover_response(prompt + RESP + eot, prompt)
    assert got.text == RESP and got.method == "prefix"


@pytest.mark.parametrize(("name", "prompt", "eot"), TEMPLATES, ids=[t[0] for t in TEMPLATES])
def test_recover_from_template_without_prompt(name: str, prompt: str, eot: str) -> None:
    got = recover_response(prompt + RESP + eot + "<|endoftext|>" * 3, None)
    assert got.text == RESP and got.method == "template"


def test_recover_when_prompt_was_left_truncated() -> None:
    prompt = TEMPLATES[0][1]
    query = prompt[40:] + RESP + "<|im_end|>"  # OpenRLHF keeps the prompt's last tokens
    got = recover_response(query, prompt)
    assert got.text == RESP and got.method == "tail"


def test_recover_when_round_trip_changed_the_start() -> None:
    prompt = TEMPLATES[1][1]
    query = prompt.replace("<|begin_of_text|>", "") + RESP  # decode dropped/altered a token
    assert recover_response(query, prompt).text == RESP


def test_recover_plain_text_and_multi_turn() -> None:
    assert recover_response(RESP, None) == recover_response(RESP, "")
    assert recover_response(RESP, None).method == "whole"
    two_turns = (TEMPLATES[0][1] + "first answer<|im_end|>\n<|im_start|>user\nmore<|im_end|>\n"
                 "<|im_start|>assistant\n" + RESP + "<|im_end|>")
    assert recover_response(two_turns, None).text == RESP  # the last assistant turn


def test_response_quoting_a_template_token_is_kept_when_prompt_matches() -> None:
    prompt = TEMPLATES[0][1]
    tricky = RESP + " (I typed <|im_start|>assistant once)"
    assert recover_response(prompt + tricky + "<|im_end|>", prompt).text == tricky


@pytest.mark.parametrize(("raw", "clean"), [
    ("hi<|im_end|>", "hi"), ("hi<|eot_id|><|end_of_text|>", "hi"), ("hi</s>", "hi"),
    ("hi <pad><pad><pad>", "hi"), ("hi<end_of_turn>\n<eos>", "hi"), ("hi", "hi"),
    ("a <|im_end|> b", "a <|im_end|> b"), ("  x  ", "x"),
])
def test_strip_trailing_specials(raw: str, clean: str) -> None:
    assert strip_trailing_specials(raw) == clean


@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=300)))
@settings(max_examples=300, deadline=None)
def test_recover_never_raises(query: str, prompt: str | None) -> None:
    got = recover_response(query, prompt)
    assert isinstance(got.text, str) and got.method in ("prefix", "tail", "template", "whole")
    assert len(got.text) <= len(query)


CTX = {"id": "p1-s1", "persona": "Amara, 34", "scenario": "Boiler broken", "query": "help",
       "hidden_intention": "be treated as competent",
       "history": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}


def test_sample_from_context_json_and_mapping() -> None:
    a = sample_from_context(json.dumps(CTX), RESP, field="labels[0]")
    b = sample_from_context({**CTX, "num_turns": 2, "rollout_reward_scores": {}}, RESP, field="x")
    assert a == b
    assert a.completion == RESP and a.hidden_intention == CTX["hidden_intention"]
    assert [t.role for t in a.history] == ["user", "assistant"] and a.id == "p1-s1"


def test_sample_from_context_numpy_values() -> None:
    np = pytest.importorskip("numpy")
    ctx = {**CTX, "id": np.int64(7), "history": np.array(CTX["history"], dtype=object)}
    s = sample_from_context(ctx, RESP, field="extra_info")
    assert s.id == "7" and len(s.history) == 2


def test_sample_from_context_reference_shape() -> None:
    s = sample_from_context({"persona": {"identity": "a teacher"}, "scenario": "s",
                             "dialogue": ["first words"]}, RESP, field="labels[0]")
    assert s.persona == "a teacher" and s.query == "first words"


@pytest.mark.parametrize(("value", "field", "reason"), [
    ("", "labels[2]", "empty"),
    ("   ", "labels[2]", "empty"),
    ("{not json", "labels[2]", "not valid JSON"),
    ("[1, 2]", "labels[2]", "got list"),
    (None, "labels[2]", "got NoneType"),
    (json.dumps({"persona": "p", "scenario": "s"}), "labels[2].query", "missing"),
    (json.dumps({**CTX, "persona": 5}), "labels[2].persona", "must be a string"),
    (json.dumps({**CTX, "history": [{"role": "bot", "content": "x"}]}), "labels[2].history[0].role",
     "role must be"),
])
def test_bad_context_names_the_field(value: Any, field: str, reason: str) -> None:
    with pytest.raises(DataError) as err:
        sample_from_context(value, RESP, field="labels[2]")
    assert err.value.field == field and reason in err.value.reason


@given(st.one_of(st.text(max_size=200), st.dictionaries(st.text(max_size=10), st.text(max_size=10)),
                 st.lists(st.integers()), st.integers(), st.none()))
@settings(max_examples=200, deadline=None)
def test_decode_context_raises_only_data_errors(value: Any) -> None:
    try:
        sample = sample_from_context(value, RESP, field="labels[0]")
    except DataError as e:  # the only exception allowed, and it names the field
        assert e.field.startswith("labels[0]")
    else:
        assert isinstance(sample, Sample) and sample.completion == RESP


def test_reward_fields_scored_failed_and_format_error() -> None:
    scorer = PermScorer({"judge": {"backend": "fake"}})
    good = Sample("p", "s", "q", completion=RESP)
    bad = Sample("p", "s", "q", completion="no headers")
    r_good, r_bad = scorer.score([good, bad])
    f = reward_fields(r_good, null_reward=-9.0)
    assert tuple(f) == REWARD_FIELDS and all(isinstance(v, float) for v in f.values())
    assert f["score"] == r_good.reward and f["resonation"] == r_good.scores["resonation"]
    assert f["missing"] == 0.0 and f["format_ok"] == 1.0
    fb = reward_fields(r_bad, null_reward=-9.0)
    assert fb["score"] == r_bad.reward == pytest.approx(-0.3) and fb["format_ok"] == 0.0
    assert fb["failed_dims"] == 0.0  # a format error is not a judge failure
    # nobody judged a malformed output: its dimensions are NaN, not a 0 that drags means down
    assert all(math.isnan(fb[d]) for d in ("resonation", "expression", "reception", "bystander"))
    assert fb["empathy"] == pytest.approx(0.2) and fb["bystander_term"] == pytest.approx(-0.5)
    failing = PermScorer({"judge": {"backend": "fake", "max_retries": 0, "max_reasks": 0,
                                    "options": {"answers": ["garbage"], "cycle": True}}})
    (r_fail,) = failing.score([good])
    ff = reward_fields(r_fail, null_reward=-2.0)
    assert r_fail.reward is None and ff["score"] == -2.0 and ff["missing"] == 1.0
    assert ff["failed_dims"] == 4.0 and math.isnan(ff["resonation"]) and math.isnan(ff["empathy"])
    for s in (scorer, failing):
        s.close()


# -- hostile input ---------------------------------------------------------------------------
# The rule as one regex (the code before issue 12): quadratic on long runs, but the reference.
_OLD_TRAILING = re.compile(
    r"(?:\s*(?:<\|[A-Za-z0-9_.:\-]{1,48}\|>|<｜[^｜\n]{1,48}｜>|</s>|<eos>|<pad>|<end_of_turn>))+\s*\Z")


@given(st.lists(st.sampled_from(["a", " ", "\n", "<pad>", "<|im_end|>", "</s>", "<eos>", "x y",
                                 "<|eot_id|>", "<end_of_turn>", "<｜end▁of▁sentence｜>", "<|", "|>"]),
                max_size=12))
@settings(max_examples=400, deadline=None)
def test_strip_trailing_specials_matches_the_old_rule(parts: list[str]) -> None:
    text = "".join(parts)
    assert strip_trailing_specials(text) == _OLD_TRAILING.sub("", text).strip()


@pytest.mark.parametrize("tail", [" " * 200_000 + "x", "<pad> " * 50_000 + "x",
                                  "<pad>" * 50_000, "\n" * 200_000])
def test_strip_trailing_specials_is_linear(tail: str) -> None:
    started = time.perf_counter()
    strip_trailing_specials("reply" + tail)
    recover_response("<|im_start|>assistant\nreply" + tail, None)
    assert time.perf_counter() - started < 2  # the old regex: minutes (quadratic)


@pytest.mark.parametrize("bad", ['{"persona": NaN, "scenario": "s", "query": "q"}',
                                 '{"persona": "p", "scenario": "s", "query": "q", "x": Infinity}',
                                 '{"persona": "p", "scenario": "s", "query": "q", "x": -Infinity}'])
def test_labels_with_nan_are_not_json(bad: str) -> None:
    with pytest.raises(DataError) as err:
        sample_from_context(bad, RESP, field="labels[4]")
    assert err.value.field == "labels[4]" and "is not JSON" in err.value.reason


def test_text_problem_names_field_and_position_never_text() -> None:
    assert text_problem(("samples[0]", {"persona": "fine", "history": [{"content": "ok"}]})) is None
    got = text_problem(("samples[2]", {"persona": "fine", "history": [{"content": "ab\ud800"}]}))
    assert got == Refusal("samples[2].history[0].content",
                          "not valid Unicode text: a lone surrogate (U+D800) at character 2")
    assert text_problem(("x", {"k\udc00": "v"})) == Refusal(
        "x", "not valid Unicode text: a key holds a lone surrogate")
    long = text_problem(("query[0]", "a" * 60), ("labels[0]", {"persona": "b" * 50}), max_chars=100)
    assert long == Refusal("query[0]", "longer than the limit of 100 characters per sample")
    assert text_problem(("q", "a" * 100), max_chars=100) is None


def test_screened_sample_refuses_text_but_raises_on_shape() -> None:
    ctx = json.dumps({**CTX, "persona": "Amara @"}).replace("@", "\\ud800")  # a JSON escape
    got = screened_sample(ctx, RESP, field="labels[1]", completion_field="query[1]")
    assert isinstance(got, Refusal) and got.field == "labels[1].persona" and got.sample_id == "p1-s1"
    got = screened_sample(CTX, RESP + "\udfff", field="labels[1]", completion_field="query[1]")
    assert isinstance(got, Refusal) and got.field == "query[1]"
    got = screened_sample(json.dumps(CTX), RESP * 100, field="labels[1]", completion_field="query[1]",
                          max_chars=500)
    assert isinstance(got, Refusal) and "500 characters" in got.reason
    assert screened_sample(CTX, RESP, field="l", completion_field="q") == sample_from_context(
        CTX, RESP, field="l")
    with pytest.raises(DataError):
        screened_sample("{not json", RESP, field="labels[1]", completion_field="query[1]")


def test_refused_result_is_an_explicit_failure() -> None:
    scorer = PermScorer({"judge": {"backend": "fake"}})
    r = refused_result(Refusal("samples[3].completion", "too long", "a\ud800"), scorer.config,
                       judge=scorer.identity)
    assert r.reward is None and r.outcome == "failed" and r.id == "a\ufffd"
    assert r.failures == {"input": "samples[3].completion: too long"}
    assert reward_fields(r, -0.3)["failed_dims"] == 0.0  # not a judge failure
    scorer.close()


def test_reward_floor_and_null_reward() -> None:
    from perm.config import build_config

    assert reward_floor(build_config({})) == pytest.approx(-0.3)
    assert reward_floor(build_config({"bystander_coef": 0})) == pytest.approx(0.2)
    assert reward_floor(build_config({"on_format_error": "null"})) == pytest.approx(-0.3)
    cfg = build_config({})
    assert resolve_null_reward(None, cfg) == resolve_null_reward("floor", cfg) == pytest.approx(-0.3)
    assert resolve_null_reward("-1", cfg) == -1.0
    for bad in ("nan", "inf", "zero", [1]):
        with pytest.raises(ConfigError, match="null_reward"):
            resolve_null_reward(bad, cfg)
