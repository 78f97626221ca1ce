"""In-process tests of the reward server's endpoints (fake judge, FastAPI TestClient)."""
from __future__ import annotations

import json
from typing import Any

import pytest
from server_helpers import CHATML_PROMPT, GOOD, direct_scores, fake_config, sample

from perm.data import parse_record
from perm.judges.cache import ResponseCache
from perm.judges.fake import FakeJudge
from perm.scoring import PermScorer
from perm.signs import SIGNS
from perm.types import DIMENSIONS


def test_score_returns_scorer_results_in_order(client: Any) -> None:
    records = [sample(i) for i in range(5)] + [sample(5, completion="no headers at all")]
    r = client.post("/v1/score", json={"samples": records})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["id"] for x in results] == [f"s{i}" for i in range(6)]
    assert results == direct_scores(records)  # the server adds nothing to the algorithm
    assert results[-1]["outcome"] == "format_error" and results[-1]["format_ok"] is False
    assert set(results[0]["scores"]) == set(DIMENSIONS)


def test_score_accepts_optional_fields_and_extras(client: Any) -> None:
    rec = sample(1, hidden_intention="wants to be treated as competent", category="practical",
                 history=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}])
    rec.pop("id")
    r = client.post("/v1/score", json={"samples": [rec]})
    assert r.status_code == 200
    assert r.json()["results"][0]["id"] is None
    assert r.json()["results"] == direct_scores([rec])


def test_score_empty_batch(client: Any) -> None:
    r = client.post("/v1/score", json={"samples": []})
    assert r.status_code == 200 and r.json() == {"results": []}


@pytest.mark.parametrize(("body", "loc"), [
    ({"samples": [sample(0, persona=None)]}, ["body", "samples", 0, "persona"]),
    ({"samples": [sample(0), sample(1, query="   ")]}, ["body", "samples", 1, "query"]),
    ({"samples": [{k: v for k, v in sample(0).items() if k != "completion"}]},
     ["body", "samples", 0, "completion"]),
    ({"samples": [sample(0, history=[{"role": "system", "content": "x"}])]},
     ["body", "samples", 0, "history", 0, "role"]),
    ({"samples": [sample(0, id=[1])]}, ["body", "samples", 0, "id"]),
    ({"samples": {"a": 1}}, ["body", "samples"]),
    ({}, ["body", "samples"]),
])
def test_score_validation_names_the_field(client: Any, body: dict[str, Any], loc: list[Any]) -> None:
    r = client.post("/v1/score", json=body)
    assert r.status_code == 422
    locs = [d["loc"][:len(loc)] for d in r.json()["detail"]]
    assert loc in locs, r.json()


def test_malformed_json_is_422(client: Any) -> None:
    r = client.post("/v1/score", content=b'{"samples": [', headers={"content-type": "application/json"})
    assert r.status_code == 422


def _reward_request(n: int, **over: Any) -> dict[str, Any]:
    records = [sample(i) for i in range(n)]
    prompts = [CHATML_PROMPT.format(query=r["query"]) for r in records]
    body = {"query": [p + r["completion"] + "<|im_end|>" for p, r in zip(prompts, records, strict=True)],
            "prompts": prompts,
            "labels": [json.dumps({k: v for k, v in r.items() if k != "completion"}) for r in records]}
    body.update(over)
    return body


def test_get_reward_matches_scorer_on_recovered_response(client: Any) -> None:
    body = _reward_request(3)
    r = client.post("/get_reward", json=body)
    assert r.status_code == 200
    out = r.json()
    expected = direct_scores([sample(i) for i in range(3)])
    assert out["rewards"] == [e["reward"] for e in expected]
    assert out["scores"] == out["rewards"]
    logs = out["extra_logs"]
    assert all(len(v) == 3 and all(isinstance(x, float) for x in v) for v in logs.values())
    assert logs["perm/resonation"] == [e["scores"]["resonation"] for e in expected]
    assert logs["perm/unrecovered"] == [0.0, 0.0, 0.0]
    assert {k for k in logs if k.startswith("perm/sign_")} == {f"perm/sign_{n}" for n in SIGNS}
    assert all(v in (0.0, 1.0) for n in SIGNS for v in logs[f"perm/sign_{n}"])


def test_get_reward_shared_line_only_with_a_window(make_client: Any) -> None:
    """Off by default (the window would mix clients); with one, the line said to a third seeker
    is flagged, across requests of one sample each (current OpenRLHF)."""
    assert "perm/shared_line" not in make_client().post("/get_reward", json=_reward_request(4)).json()["extra_logs"]
    client = make_client(shared_lines_window=512)
    body = _reward_request(4)
    got = [client.post("/get_reward", json={k: [v[i]] for k, v in body.items()}).json()
           for i in range(4)]
    # sample(i)'s reply "That sounds exhausting (i)." differs per seeker: nothing is shared ...
    assert [o["extra_logs"]["perm/shared_line"] for o in got] == [[0.0]] * 4
    same = _reward_request(3)
    same["query"] = [q.replace(f"exhausting ({i})", "exhausting, truly and deeply so")
                     for i, q in enumerate(same["query"])]
    # ... until three seekers get the same line in one request: each of them holds it
    assert client.post("/get_reward", json=same).json()["extra_logs"]["perm/shared_line"] == [1.0, 1.0, 1.0]


def test_shared_lines_window_must_not_be_negative() -> None:
    from perm.errors import ConfigError
    from perm.server import create_app

    with pytest.raises(ConfigError, match="shared_lines_window"):
        create_app({"judge": {"backend": "fake"}}, shared_lines_window=-1)


def test_get_reward_labels_as_objects_and_no_prompts(client: Any) -> None:
    body = _reward_request(2)
    body["labels"] = [json.loads(x) for x in body["labels"]]
    del body["prompts"]  # recovery falls back to the chat template's assistant opener
    r = client.post("/get_reward", json=body)
    assert r.status_code == 200
    assert r.json()["rewards"] == [e["reward"] for e in direct_scores([sample(0), sample(1)])]


@pytest.mark.parametrize(("over", "loc"), [
    ({"labels": None}, ["body", "labels"]),
    ({"labels": ["", ""]}, ["body", "labels", 0]),
    ({"labels": ["{}"]}, ["body", "labels"]),
    ({"prompts": ["only one"]}, ["body", "prompts"]),
])
def test_get_reward_length_and_presence_checks(client: Any, over: dict[str, Any], loc: list[Any]) -> None:
    r = client.post("/get_reward", json=_reward_request(2, **over))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == loc


@pytest.mark.parametrize(("label", "loc"), [
    ("", ["body", "labels", 1]),
    ("not json", ["body", "labels", 1]),
    ('["a list"]', ["body", "labels", 1]),
    ('{"persona": "p", "scenario": "s"}', ["body", "labels", 1, "query"]),
    ('{"persona": "p", "scenario": "s", "query": "q", "history": [{"role": "bot"}]}',
     ["body", "labels", 1, "history", 0, "role"]),
])
def test_get_reward_bad_label_names_it(client: Any, label: str, loc: list[Any]) -> None:
    body = _reward_request(2)
    body["labels"][1] = label
    r = client.post("/get_reward", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == loc


def test_failed_judge_gives_null_reward_and_counts(make_client: Any) -> None:
    client = make_client(fake_config(answers=["!error:400"], cycle=True), null_reward=-1.0)
    r = client.post("/v1/score", json={"samples": [sample(0)]})
    res = r.json()["results"][0]
    assert r.status_code == 200 and res["reward"] is None and res["outcome"] == "failed"
    assert set(res["failures"]) == set(DIMENSIONS)
    r = client.post("/get_reward", json=_reward_request(1))
    out = r.json()
    assert out["rewards"] == [-1.0] and out["extra_logs"]["perm/missing"] == [1.0]
    assert out["extra_logs"]["perm/failed_dims"] == [4.0]
    text = client.get("/metrics").text
    assert "perm_judge_failures_total 8" in text
    assert 'perm_sample_outcomes_total{outcome="failed"} 2' in text


class CacheableFake(FakeJudge):
    cacheable = True


def test_metrics_count_requests_latency_calls_and_cache_hits(make_client: Any, tmp_path: Any) -> None:
    cache = ResponseCache(tmp_path / "cache.sqlite")
    scorer = PermScorer(fake_config(), judge=CacheableFake(), cache=cache)
    client = make_client(scorer)
    for _ in range(2):
        assert client.post("/v1/score", json={"samples": [sample(0), sample(1)]}).status_code == 200
    client.post("/v1/score", json={"samples": "nope"})
    client.get("/nowhere")
    text = client.get("/metrics").text
    lines = dict(line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
    assert lines['perm_requests_total{endpoint="/v1/score",status="200"}'] == "2"
    assert lines['perm_requests_total{endpoint="/v1/score",status="422"}'] == "1"
    assert lines['perm_requests_total{endpoint="other",status="404"}'] == "1"
    assert lines['perm_request_duration_seconds_count{endpoint="/v1/score"}'] == "3"
    assert lines['perm_request_duration_seconds_bucket{endpoint="/v1/score",le="+Inf"}'] == "3"
    assert lines['perm_samples_total{endpoint="/v1/score"}'] == "4"
    assert lines["perm_judge_calls_total"] == "8"  # the repeat came from the cache
    assert lines["perm_cache_hits_total"] == "8"
    assert lines["perm_pending_samples"] == "0"
    buckets = [int(v) for k, v in lines.items()
               if k.startswith('perm_request_duration_seconds_bucket{endpoint="/v1/score"')]
    assert buckets == sorted(buckets)  # cumulative
    cache.close()


def test_health_and_openapi(client: Any) -> None:
    h = client.get("/health").json()
    assert h["status"] == "ok" and h["judge"] == "fake:fake" and h["pending_samples"] == 0
    spec = client.get("/openapi.json").json()
    assert {"/v1/score", "/get_reward", "/health", "/metrics"} <= set(spec["paths"])
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert "SampleIn" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 200


class BrokenScorer(PermScorer):
    async def ascore(self, samples: Any, **kw: Any) -> Any:
        from perm.errors import JudgeUnavailable

        raise JudgeUnavailable("judge endpoint http://judge:8000/v1 is unreachable")


def test_unusable_judge_is_503(make_client: Any) -> None:
    client = make_client(BrokenScorer(fake_config()))
    r = client.post("/v1/score", json={"samples": [sample(0)]})
    assert r.status_code == 503 and "unreachable" in r.json()["detail"]
    assert "retry-after" in r.headers
    assert client.get("/health").json()["pending_samples"] == 0  # admission released


def test_scorer_passed_in_is_not_closed(make_client: Any) -> None:
    scorer = PermScorer(fake_config())
    client = make_client(scorer)
    client.__exit__(None, None, None)  # app shutdown
    # still usable by its owner
    assert scorer.score([parse_record(sample(0))])[0].outcome == "scored"
    scorer.close()


def test_good_completion_constant_is_well_formed() -> None:
    from perm.completion import split_completion

    assert split_completion(GOOD).format_ok


def test_openapi_schema_of_a_result_matches_the_scored_output_contract() -> None:
    # ScoreOut mirrors ScoreResult.to_dict() for the OpenAPI document; they must not drift.
    from perm.server.schemas import ScoreOut

    (result,) = PermScorer(fake_config()).score([parse_record(sample(0), path="<t>", line=1)])
    assert set(ScoreOut.model_fields) == set(result.to_dict())
    ScoreOut.model_validate(result.to_dict())
