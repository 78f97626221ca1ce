"""The reward server under hostile or broken input (issue 12): every bad body is a 4xx naming
the field, nothing a client sent is echoed or logged, one bad sample fails alone."""
from __future__ import annotations

import json
import logging
import math
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from server_helpers import CHATML_PROMPT, WholeBatchRater, direct_scores, fake_config, sample

from perm.scoring import PermScorer
from perm.server import ServerLimits, create_app

SECRET = "SEEKER-SAYS-my-sister-never-calls"
FLOOR = -0.3  # 0.2 empathy floor - 0.5 bystander coefficient


def _body(**over: Any) -> dict[str, Any]:
    return {"samples": [sample(0, query=SECRET, **over)]}


def _post_raw(client: TestClient, path: str, text: str,
              content_type: str | None = "application/json") -> Any:
    headers = {"content-type": content_type} if content_type else {}
    return client.post(path, content=text.encode(), headers=headers)


@pytest.fixture
def raw_client() -> Any:
    """A client that turns server exceptions into 500 answers (as a real server would)."""
    with TestClient(create_app(fake_config()), raise_server_exceptions=False) as c:
        yield c


# -- 12: NaN / Infinity anywhere -------------------------------------------------------------
@pytest.mark.parametrize(("text", "loc"), [
    (json.dumps(_body()).replace('"id": "s0"', '"id": NaN'), ["body", "samples", 0, "id"]),
    (json.dumps(_body(mood="x")).replace('"mood": "x"', '"mood": NaN'),
     ["body", "samples", 0, "mood"]),
    (json.dumps(_body(history=[{"role": "user", "content": "x"}])).replace('"content": "x"',
                                                                         '"content": Infinity'),
     ["body", "samples", 0, "history", 0, "content"]),
    (json.dumps(_body(score="x")).replace('"score": "x"', '"score": -Infinity'),
     ["body", "samples", 0, "score"]),
    (json.dumps(_body(score="x")).replace('"score": "x"', '"score": 1e999'),
     ["body", "samples", 0, "score"]),
    # NaN together with a validation error elsewhere: still a 422, not a 500
    (json.dumps(_body(history=5)).replace('"id": "s0"', '"id": NaN'), ["body", "samples", 0, "id"]),
    (json.dumps({**_body(), "note": 0}).replace('"note": 0', '"note": NaN'), ["body", "note"]),
])
def test_nan_anywhere_is_422_naming_the_field(raw_client: Any, caplog: Any, text: str,
                                              loc: list[Any]) -> None:
    caplog.set_level(logging.DEBUG)
    r = _post_raw(raw_client, "/v1/score", text)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == loc
    assert SECRET not in r.text and SECRET not in caplog.text
    assert "Traceback" not in caplog.text


def test_nan_in_get_reward_labels(raw_client: Any) -> None:
    label = {"persona": "p", "scenario": "s", "query": SECRET}
    text = json.dumps({"query": ["x"], "labels": [label]}).replace('"persona": "p"', '"persona": NaN')
    r = _post_raw(raw_client, "/get_reward", text)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "labels", 0, "persona"]
    as_text = json.dumps({**label, "mood": 1}).replace('"mood": 1', '"mood": NaN')
    r = raw_client.post("/get_reward", json={"query": ["x"], "labels": [as_text]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "labels", 0]
    assert "NaN" in r.json()["detail"][0]["msg"] and SECRET not in r.text


# -- 16: bodies are never echoed; only JSON is read -------------------------------------------
@pytest.mark.parametrize("content_type", ["text/plain", "text/plain; charset=utf-8", None,
                                          "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_non_json_content_type_is_415_without_echo(raw_client: Any, content_type: str | None) -> None:
    r = _post_raw(raw_client, "/v1/score", json.dumps(_body()), content_type)
    assert r.status_code == 415
    assert SECRET not in r.text and "application/json" in r.json()["detail"]


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8",
                                          "application/vnd.perm+json"])
def test_json_content_types_are_read(raw_client: Any, content_type: str) -> None:
    assert _post_raw(raw_client, "/v1/score", json.dumps(_body()), content_type).status_code == 200


@pytest.mark.parametrize("body", [
    {"samples": SECRET},
    {"samples": [{"persona": SECRET, "scenario": "s", "query": 5, "completion": "c"}]},
    {"samples": [sample(0, persona=SECRET, scenario="   ")]},
    {"samples": [sample(0, history=[{"role": SECRET, "content": "x"}])]},
    {"query": [SECRET], "labels": [{"persona": SECRET}]},
    [SECRET],
])
def test_validation_errors_never_echo_values(raw_client: Any, body: Any) -> None:
    path = "/get_reward" if isinstance(body, dict) and "labels" in body else "/v1/score"
    r = raw_client.post(path, json=body)
    assert r.status_code == 422
    assert SECRET not in r.text
    for item in r.json()["detail"]:
        assert set(item) == {"loc", "msg", "type"} and item["loc"][0] == "body"


def test_label_errors_are_short(raw_client: Any) -> None:
    label = json.dumps({"persona": "p", "scenario": "s", "query": "q",
                        "history": [{"role": "x" * 50_000, "content": "c"}]})
    r = raw_client.post("/get_reward", json={"query": ["x"], "labels": [label]})
    assert r.status_code == 422 and len(r.text) < 1000


class ExplodingScorer(PermScorer):
    async def ascore(self, samples: Any, **kw: Any) -> Any:
        raise RuntimeError(f"bug while reading {samples[0].query}")


def test_unexpected_error_is_a_plain_500_logged_without_text(caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    app = create_app(ExplodingScorer(fake_config()))
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/v1/score", json=_body())
    assert r.status_code == 500 and r.json() == {"detail": "internal server error"}
    assert "RuntimeError" in caplog.text and "/v1/score" in caplog.text
    assert SECRET not in caplog.text and SECRET not in r.text


# -- item 1, server side: one bad sample fails alone -----------------------------------------
def _reward_body(records: list[dict[str, Any]]) -> dict[str, Any]:
    prompts = [CHATML_PROMPT.format(query=r["query"]) for r in records]
    return {"query": [p + r["completion"] + "<|im_end|>" for p, r in zip(prompts, records, strict=True)],
            "prompts": prompts,
            "labels": [json.dumps({k: v for k, v in r.items() if k != "completion"}) for r in records]}


def test_lone_surrogate_fails_only_its_sample(make_client: Any) -> None:
    client = make_client(PermScorer(fake_config(), rater=WholeBatchRater()))
    records = [sample(i) for i in range(3)]
    bad = [dict(r) for r in records]
    bad[1]["completion"] = records[1]["completion"].replace("exhausting", "exhausting \ud800")
    want = {r["id"]: r["reward"] for r in direct_scores([records[0], records[2]])}
    r = client.post("/get_reward", content=json.dumps(_reward_body(bad)),
                    headers={"content-type": "application/json"})
    assert r.status_code == 200
    out = r.json()
    assert out["rewards"][0] == want["s0"] and out["rewards"][2] == want["s2"]
    assert out["rewards"][1] == pytest.approx(FLOOR) and out["extra_logs"]["perm/missing"] == [0, 1, 0]
    r = client.post("/v1/score", content=json.dumps({"samples": bad}),
                    headers={"content-type": "application/json"})
    results = r.json()["results"]
    assert [x["reward"] for x in results[::2]] == [want["s0"], want["s2"]]
    assert results[1]["reward"] is None and results[1]["outcome"] == "failed"
    assert results[1]["id"] == "s1"
    why = results[1]["failures"]["input"]
    assert why.startswith("samples[1].completion:") and "lone surrogate" in why


def test_lone_surrogate_in_label_and_id(client: Any) -> None:
    records = [sample(0), sample(1)]
    body = _reward_body(records)
    body["labels"][1] = body["labels"][1].replace("Persona 1", "Persona \\udc80 1")  # JSON escape
    out = client.post("/get_reward", json=body).json()
    assert out["extra_logs"]["perm/missing"] == [0.0, 1.0]
    r = client.post("/v1/score", content=json.dumps({"samples": [sample(0, id="a\ud800")]}),
                    headers={"content-type": "application/json"})
    res = r.json()["results"][0]
    assert r.status_code == 200 and res["failures"]["input"].startswith("samples[0].id:")
    assert res["id"] == "a\ufffd"
    assert "perm_refused_samples_total 2" in client.get("/metrics").text


@pytest.mark.parametrize(("text", "why"), [
    ('{"samples": [], "x": ' + "9" * 5000 + "}", "a number is too long"),
    ('{"samples": [], "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
])
def test_unreadable_json_is_422(raw_client: Any, text: str, why: str) -> None:
    r = _post_raw(raw_client, "/v1/score", text)
    assert r.status_code == 422 and why in r.json()["detail"][0]["msg"]


def test_wholly_invalid_body_is_4xx(client: Any) -> None:
    r = client.post("/v1/score", content=b'{"samples": [', headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][0] == "body"
    r = client.post("/v1/score", content=b"\xff\xfe{}", headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500


# -- 15: work per request is bounded --------------------------------------------------------
def test_oversized_sample_fails_alone_and_fast(make_client: Any) -> None:
    client = make_client(limits=ServerLimits(max_sample_chars=20_000))
    huge = sample(1, completion=sample(1)["completion"] + " word" * 2_000_000)  # ~10 MB
    started = time.perf_counter()
    r = client.post("/v1/score", json={"samples": [sample(0), huge, sample(2)]})
    assert time.perf_counter() - started < 10
    results = r.json()["results"]
    assert results[0] == direct_scores([sample(0)])[0] and results[2] == direct_scores([sample(2)])[0]
    assert results[1]["outcome"] == "failed"
    assert "20,000 characters" in results[1]["failures"]["input"]
    body = _reward_body([sample(0), huge])
    out = client.post("/get_reward", json=body).json()
    assert out["extra_logs"]["perm/missing"] == [0.0, 1.0]
    assert out["rewards"][1] == pytest.approx(FLOOR)


def test_runaway_padding_does_not_hang_recovery(client: Any) -> None:
    body = _reward_body([sample(0)])
    body["query"][0] += "<pad> " * 10_000 + "x"  # the old regex: ~10 s, quadratic
    started = time.perf_counter()
    r = client.post("/get_reward", json=body)
    assert r.status_code == 200 and time.perf_counter() - started < 3


# -- 18 / 19: no reward is never worth more than a malformed output; say when most are -------
def test_missing_reward_defaults_to_the_floor_and_dims_to_nan(make_client: Any) -> None:
    client = make_client(fake_config(answers=["!error:503"]))
    out = client.post("/get_reward", json=_reward_body([sample(0)])).json()
    assert out["rewards"] == [pytest.approx(FLOOR)] and out["extra_logs"]["perm/missing"] == [1.0]
    assert math.isnan(out["extra_logs"]["perm/resonation"][0])
    assert math.isnan(out["extra_logs"]["perm/empathy"][0])


def test_format_error_dimensions_are_nan_not_zero(client: Any) -> None:
    out = client.post("/get_reward", json=_reward_body([sample(0, completion="no headers")])).json()
    logs = out["extra_logs"]
    assert out["rewards"] == [pytest.approx(FLOOR)] and logs["perm/missing"] == [0.0]
    assert all(math.isnan(logs[f"perm/{d}"][0]) for d in ("resonation", "expression", "reception",
                                                        "bystander"))
    assert logs["perm/empathy"] == [pytest.approx(0.2)] and logs["perm/format_ok"] == [0.0]


def test_get_reward_answers_503_after_many_samples_without_reward(make_client: Any) -> None:
    client = make_client(fake_config(answers=["!error:503"]), max_failed_samples=3)
    body = _reward_body([sample(0), sample(1)])
    assert client.post("/get_reward", json=body).status_code == 200  # 2 in a row
    r = client.post("/get_reward", json=body)  # 4 in a row: the judge is down
    assert r.status_code == 503 and "judge unavailable" in r.json()["detail"]
    assert "could not score 4 samples in a row" in r.json()["detail"]
    assert "retry-after" in r.headers
    assert 'perm_rejected_total{reason="judge_unavailable"} 1' in client.get("/metrics").text
    ok = make_client(fake_config(), max_failed_samples=3)
    for _ in range(3):
        assert ok.post("/get_reward", json=body).status_code == 200


def test_null_reward_number_and_warning_above_floor(make_client: Any, caplog: Any) -> None:
    client = make_client(fake_config(answers=["!error:503"]), null_reward=-1.5)
    assert client.post("/get_reward", json=_reward_body([sample(0)])).json()["rewards"] == [-1.5]
    make_client(fake_config(), null_reward=0.0)
    assert "above the reward floor" in caplog.text


def test_format_error_majority_warns_once_with_the_fix(make_client: Any, caplog: Any) -> None:
    client = make_client()
    records = [sample(i, completion="just an answer, no sections") for i in range(14)]
    records += [sample(i) for i in range(14, 20)]
    with caplog.at_level(logging.WARNING, logger="perm"):
        assert client.post("/get_reward", json=_reward_body(records)).status_code == 200
        client.post("/v1/score", json={"samples": records})
    warnings = [r for r in caplog.records if "format errors" in r.getMessage()]
    assert len(warnings) == 1
    assert "--on-format-error judge" in warnings[0].getMessage()
    assert "14 of the last 20" in warnings[0].getMessage()


def test_no_format_warning_when_malformed_outputs_are_judged(make_client: Any, caplog: Any) -> None:
    config = {**fake_config(), "on_format_error": "judge"}
    client = make_client(config)
    records = [sample(i, completion="just an answer") for i in range(20)]
    with caplog.at_level(logging.WARNING, logger="perm"):
        client.post("/v1/score", json={"samples": records})
    assert "format errors" not in caplog.text


def test_blank_text_means_the_same_to_the_schema_and_the_data_contract():
    # schemathesis found "\x85" (NEL): not a space to an OpenAPI client's \S, a space to us
    import re

    from perm.server.schemas import NONBLANK

    for blank in ("\x85", "\ufeff", " \t", "\x1c\x1d", "\u00a0\u3000"):
        assert not re.search(NONBLANK, blank), repr(blank)
        assert not blank.strip() or blank == "\ufeff"  # python strips all but the BOM
    assert re.search(NONBLANK, " a ")
