"""The OpenAI-compatible backend against a real stub HTTP server on 127.0.0.1 (faults injected)."""
import asyncio
import contextlib
import json
import time

import pytest
from aiohttp import web

from perm.calling import ChatCaller
from perm.config import JudgeConfig
from perm.errors import JudgeError, JudgeUnavailable
from perm.judges.base import SamplingParams
from perm.judges.openai import (
    OpenAIChat,
    build_endpoints,
    build_request,
    parse_response,
    parse_retry_after,
)
from perm.parsing import parse_score
from perm.scoring import PermScorer
from perm.testing.stub_server import StubConfig, StubServer, free_port
from perm.types import Sample

GOOD = "# Analysis\nShe feels guilty.\n# Response\nThat sounds heavy."


def samples(n):
    return [Sample("p", "s", f"q{i}", id=f"s{i}", completion=GOOD) for i in range(n)]


# -- pure request/response functions ---------------------------------------------------------
def test_build_request_and_parse_ok():
    body = build_request("m", [{"role": "user", "content": "x"}], SamplingParams(0.3, 100, None, 7))
    assert body == {"model": "m", "messages": [{"role": "user", "content": "x"}],
                    "temperature": 0.3, "max_tokens": 100, "seed": 7}
    ok = json.dumps({"choices": [{"message": {"content": "Score: 4"}}]}).encode()
    assert parse_response(200, ok, {}, "u") == "Score: 4"


@pytest.mark.parametrize("status,body,retryable", [
    (429, b"{}", True), (500, b"boom", True), (503, b"", True), (200, b"<html>", True),
    (401, b"no", False), (400, b"bad model", False), (404, b"nope", False),
])
def test_parse_response_classifies_faults(status, body, retryable):
    with pytest.raises(JudgeError) as info:
        parse_response(status, body, {"Retry-After": "3"}, "http://x")
    assert info.value.retryable is retryable
    if status == 429:
        assert info.value.retry_after == 3.0


def test_null_content_is_an_empty_answer():
    body = json.dumps({"choices": [{"message": {"content": None}}]}).encode()
    assert parse_response(200, body, {}, "u") == ""


def test_retry_after_forms():
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("garbage") is None
    assert 0 <= parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_endpoints_pair_urls_and_keys():
    eps = build_endpoints(["http://a/v1/", "http://b/v1"], ["k1", "k2"])
    assert [(e.base_url, e.key) for e in eps] == [("http://a/v1", "k1"), ("http://b/v1", "k2")]
    assert len(build_endpoints(["http://a/v1"], ["k1", "k2", "k3"])) == 3
    assert "k1" not in repr(eps[0])


# -- against a live stub -----------------------------------------------------------------------
def scorer_for(url, **judge):
    cfg = {"judge": {"backend": "openai", "base_url": [url], "model": "stub-judge", "backoff": 0.01,
                     "max_backoff": 0.2, **judge}}
    return PermScorer(cfg)


def test_scores_through_a_real_http_server():
    # each answer takes 1 s: long enough for all 128 connections to open on a cold, busy
    # machine (at 50 ms, early answers came back before the last requests arrived: flaky)
    with StubServer(StubConfig(latency=1.0)) as stub:
        scorer = scorer_for(stub.url)
        res = scorer.score(samples(32))
        scorer.close()
    assert all(r.reward is not None for r in res)
    # every call at once: 128 in flight at the server, not 128 one after another
    assert stub.state.hits == 128 and stub.state.max_in_flight == 128


@pytest.mark.parametrize("fault", ["500", "429", "garbage", "empty", "truncated"])
def test_every_fault_kind_ends_in_a_score_or_an_explicit_failure(fault):
    cfg = StubConfig(fault_rate=0.5, faults=(fault,), seed=1, retry_after=0.01)
    with StubServer(cfg) as stub:
        scorer = scorer_for(stub.url, max_retries=3, max_reasks=1)
        res = scorer.score(samples(20))
        scorer.close()
    assert len(res) == 20
    for r in res:
        for dim, value in r.scores.items():
            assert (value is None) == (dim in r.failures)
    assert stub.state.faults[fault] > 0
    if fault in ("500", "429", "garbage"):
        assert scorer.stats.retries > 0
    else:
        assert scorer.stats.reasks > 0


def test_timeouts_are_retried_then_reported():
    # the server stalls every request until the test releases it (or 60 s pass)
    cfg = StubConfig(fault_rate=1.0, faults=("timeout",), hang_seconds=60)
    with StubServer(cfg) as stub:
        scorer = scorer_for(stub.url, timeout=0.2, max_retries=1)
        (r,) = scorer.score(samples(1))
        # the scorer gave up while every request it sent (4 dimensions x 2 tries) still hangs
        stalled = stub.state.in_flight
        stub.release_hangs()
        scorer.close()
    assert r.reward is None
    assert all("timed out" in reason and "after 1 retry" in reason for reason in r.failures.values())
    assert stub.state.hits == 8 and stalled == 8


@contextlib.asynccontextmanager
async def serve(handler):
    """A one-route chat-completions server on 127.0.0.1; yields its base URL."""
    app = web.Application()
    app.router.add_post("/v1/chat/completions", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


def test_429_honours_retry_after():
    hits = []

    async def handler(request):
        hits.append(time.perf_counter())
        if len(hits) == 1:
            return web.json_response({}, status=429, headers={"Retry-After": "0.5"})
        return web.json_response({"choices": [{"message": {"content": "Score: 3"}}]})

    async def run():
        async with serve(handler) as url:
            judge = OpenAIChat(JudgeConfig(backend="openai", base_url=[url], model="m", backoff=0.0))
            caller = ChatCaller(judge, judge.config, rubric_version="v1")
            out = await caller.ask([{"role": "user", "content": "x"}], parse_score)
            await judge.aclose()
        return out

    out = asyncio.run(run())
    assert out.parsed.value == 3.0
    assert hits[1] - hits[0] >= 0.45


def test_unreachable_endpoint_fails_fast():
    judge = OpenAIChat(JudgeConfig(backend="openai", base_url=[f"http://127.0.0.1:{free_port()}/v1"]))
    with pytest.raises(JudgeUnavailable, match="unreachable"):
        asyncio.run(judge.check())


def test_openai_without_key_fails_fast():
    judge = OpenAIChat(JudgeConfig(backend="openai"))
    with pytest.raises(JudgeUnavailable, match="PERM_JUDGE_API_KEY"):
        asyncio.run(judge.check())


def test_check_discovers_the_single_served_model():
    with StubServer() as stub:
        judge = OpenAIChat(JudgeConfig(backend="openai", base_url=[stub.url]))
        asyncio.run(judge.check())
    assert judge.model == "stub-judge"


def test_key_is_sent_but_never_in_errors(monkeypatch):
    monkeypatch.setenv("PERM_JUDGE_API_KEY", "sk-secret-123")
    seen = {}

    async def handler(request):
        seen["auth"] = request.headers.get("Authorization")
        return web.json_response({"error": "x"}, status=400)

    async def run():
        async with serve(handler) as url:
            scorer = PermScorer({"judge": {"backend": "openai", "model": "m", "base_url": [url]}})
            res = await scorer.ascore(samples(1))
            await scorer.aclose()
        return res

    (r,) = asyncio.run(run())
    assert seen["auth"] == "Bearer sk-secret-123"
    assert r.reward is None
    assert "sk-secret" not in json.dumps(r.to_dict())


def test_load_spreads_over_several_endpoints():
    with StubServer(StubConfig(latency=0.02)) as a, StubServer(StubConfig(latency=0.02)) as b:
        scorer = PermScorer({"judge": {"backend": "openai", "base_url": [a.url, b.url], "model": "m"}})
        scorer.score(samples(16))
        scorer.close()
    assert a.state.hits + b.state.hits == 64
    assert min(a.state.hits, b.state.hits) >= 16


def test_cache_makes_a_rerun_free(tmp_path):
    with StubServer() as stub:
        cfg = {"judge": {"backend": "openai", "base_url": [stub.url], "model": "m",
                         "cache": str(tmp_path / "c.sqlite")}}
        first = PermScorer(cfg)
        r1 = first.score(samples(5))
        first.close()
        second = PermScorer(cfg)
        r2 = second.score(samples(5))
        second.close()
    assert stub.state.hits == 20
    assert second.stats.cache_hits == 20
    assert [r.reward for r in r1] == [r.reward for r in r2]
