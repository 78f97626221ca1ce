"""Auth, bind rule, body / batch limits and overload behaviour of the reward server."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from server_helpers import fake_config, sample

from perm.errors import ConfigError
from perm.server import ServerLimits, create_app
from perm.server.auth import check_bind, is_loopback
from perm.server.limits import Admission

TOKEN = "t0ken-with-some-length"


@pytest.fixture
def secured(make_client: Any) -> Any:
    return make_client(token=TOKEN)


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN, "Bearer",
                                    f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"])
@pytest.mark.parametrize("path", ["/v1/score", "/get_reward"])
def test_protected_endpoints_refuse_without_the_token(secured: Any, header: str | None,
                                                      path: str) -> None:
    headers = {"Authorization": header} if header is not None else {}
    r = secured.post(path, json={"samples": [sample(0)]}, headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_token_accepted_scheme_case_insensitive(secured: Any, scheme: str) -> None:
    r = secured.post("/v1/score", json={"samples": [sample(0)]},
                     headers={"Authorization": f"{scheme} {TOKEN}"})
    assert r.status_code == 200


def test_query_token_only_for_get_reward(secured: Any) -> None:
    body = {"query": ["x"], "labels": [json.dumps(sample(0))]}
    assert secured.post(f"/get_reward?token={TOKEN}", json=body).status_code == 200
    assert secured.post("/get_reward?token=nope", json=body).status_code == 401
    assert secured.post(f"/v1/score?token={TOKEN}", json={"samples": [sample(0)]}).status_code == 401
    assert secured.get(f"/metrics?token={TOKEN}").status_code == 401


def test_auth_runs_before_the_body_is_parsed(secured: Any) -> None:
    r = secured.post("/v1/score", content=b"{broken", headers={"content-type": "application/json"})
    assert r.status_code == 401


def test_open_and_protected_paths(secured: Any) -> None:
    assert secured.get("/health").status_code == 200
    assert secured.get("/openapi.json").status_code == 200
    assert secured.get("/metrics").status_code == 401
    ok = secured.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and "perm_requests_total" in ok.text
    assert 'status="401"' in ok.text


@pytest.mark.parametrize(("host", "loop"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("::", False), ("10.1.2.3", False), ("example.org", False), ("", False),
])
def test_is_loopback(host: str, loop: bool) -> None:
    assert is_loopback(host) is loop


def test_bind_rule() -> None:
    check_bind("127.0.0.1", None)
    check_bind("0.0.0.0", "secret")
    with pytest.raises(ConfigError, match="without a token"):
        check_bind("0.0.0.0", None)
    with pytest.raises(ConfigError):
        check_bind("192.168.1.5", "")


def test_cli_refuses_public_bind_without_token() -> None:
    from click.testing import CliRunner

    from perm.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--judge", "fake", "--host", "0.0.0.0"],
                                env={"PERM_SERVER_TOKEN": ""})
    assert result.exit_code != 0
    assert "without a token" in str(result.exception)


def test_body_limit_by_content_length(make_client: Any) -> None:
    client = make_client(limits=ServerLimits(max_body_bytes=2000))
    small = {"samples": [sample(0)]}
    assert client.post("/v1/score", json=small).status_code == 200
    big = {"samples": [sample(i) for i in range(20)]}
    r = client.post("/v1/score", json=big)
    assert r.status_code == 413 and "2000" in r.json()["detail"]


def test_body_limit_without_content_length(make_client: Any) -> None:
    client = make_client(limits=ServerLimits(max_body_bytes=2000))
    payload = json.dumps({"samples": [sample(i) for i in range(20)]}).encode()

    def chunks() -> Any:  # a streamed (chunked) upload has no Content-Length
        for i in range(0, len(payload), 500):
            yield payload[i:i + 500]

    r = client.post("/v1/score", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_batch_limit_names_the_field(make_client: Any) -> None:
    client = make_client(limits=ServerLimits(max_batch=3))
    r = client.post("/v1/score", json={"samples": [sample(i) for i in range(4)]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "samples"]
    r = client.post("/get_reward", json={"query": ["a"] * 4, "labels": ["{}"] * 4})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "query"]
    assert client.post("/v1/score", json={"samples": [sample(i) for i in range(3)]}).status_code == 200


def test_admission_counts() -> None:
    adm = Admission(10)
    assert adm.try_acquire(6) and adm.try_acquire(4)
    assert not adm.try_acquire(1) and adm.rejected == 1
    adm.release(4)
    assert adm.try_acquire(3) and adm.pending == 9
    adm.release(9)
    assert adm.try_acquire(50)  # alone, an oversized request still runs
    assert not adm.try_acquire(1)


def test_limits_validate() -> None:
    with pytest.raises(ValueError, match="max_pending"):
        ServerLimits(max_pending=0)


async def test_overload_gives_503_with_retry_after_and_recovers() -> None:
    app = create_app(fake_config(latency=0.3), limits=ServerLimits(max_pending=4, retry_after=7))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        body = {"samples": [sample(i) for i in range(3)]}
        first = asyncio.create_task(c.post("/v1/score", json=body))
        await asyncio.sleep(0.1)  # the first request holds 3 of the 4 slots
        r = await c.post("/v1/score", json=body)
        assert r.status_code == 503 and r.headers["retry-after"] == "7"
        assert (await first).status_code == 200
        assert (await c.post("/v1/score", json=body)).status_code == 200  # capacity is back
        text = (await c.get("/metrics")).text
        assert 'perm_rejected_total{reason="overload"} 1' in text
        assert 'perm_requests_total{endpoint="/v1/score",status="503"} 1' in text
        assert "perm_pending_samples 0" in text


# -- issue 12 item 13: tokens that say nothing are refused at start-up -------------------------
@pytest.mark.parametrize("bad", ["", " ", "   ", "\t\n", "+", "short-token", "x" * 15,
                                 "has a space 0123456789", "tab\tinside-0123456789",
                                 "unicod\u00e9-token-0123456789"])
def test_bad_tokens_are_refused(bad: str) -> None:
    from perm.server.auth import check_token

    with pytest.raises(ConfigError, match="token"):
        check_token(bad)
    with pytest.raises(ConfigError, match="token"):
        create_app(fake_config(), token=bad)


def test_good_tokens_pass() -> None:
    from perm.server.auth import check_token

    check_token(None)
    check_token("a" * 16)
    check_token("9f2c1e7a4b8d3f60a1c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0")
    check_token("p@ss/word+with=punct~!")


@pytest.mark.parametrize(("args", "env"), [
    (["--token", " "], {}),
    (["--token", "+"], {}),
    ([], {"PERM_SERVER_TOKEN": "   "}),
    (["--token", "too-short"], {}),
])
def test_cli_refuses_a_bad_token_before_serving(args: list[str], env: dict[str, str]) -> None:
    import os
    import subprocess
    import sys

    from server_helpers import free_port

    proc = subprocess.run(
        [sys.executable, "-m", "perm.cli", "serve", "--judge", "fake", "--port", str(free_port()),
         *args], capture_output=True, text=True, timeout=30,
        env={**os.environ, "PERM_SERVER_TOKEN": "", **env})
    assert proc.returncode != 0
    assert "token" in proc.stderr and "openssl rand" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_query_token_key_must_be_spelled_token(secured: Any) -> None:
    body = {"query": ["x"], "labels": [json.dumps(sample(0))]}
    assert secured.post(f"/get_reward?a=1&token={TOKEN}", json=body).status_code == 200
    assert secured.post(f"/get_reward?%74oken={TOKEN}", json=body).status_code == 401
    assert secured.post(f"/get_reward?TOKEN={TOKEN}", json=body).status_code == 401
    assert secured.post("/get_reward?token=+", json=body).status_code == 401
    assert secured.post("/get_reward?token=", json=body).status_code == 401


# -- issue 12 item 14: ?token= never reaches a log in clear -----------------------------------
@pytest.mark.parametrize(("text", "clean"), [
    ("/get_reward?token=abc", "/get_reward?token=[redacted]"),
    ("/get_reward?x=1&token=abc&y=2", "/get_reward?x=1&token=[redacted]&y=2"),
    ('"POST /get_reward?TOKEN=a%2Bb+c HTTP/1.1" 200', '"POST /get_reward?TOKEN=[redacted] HTTP/1.1" 200'),
    ("?token=a&token=b", "?token=[redacted]&token=[redacted]"),
    ("/get_reward?mytoken=abc", "/get_reward?mytoken=abc"),
    ("no query here", "no query here"),
])
def test_redact(text: str, clean: str) -> None:
    from perm.server.logs import redact

    assert redact(text) == clean


def test_access_log_records_are_redacted() -> None:
    import logging

    from perm.server.logs import RedactTokens, uvicorn_log_config

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "POST", f"/get_reward?token={TOKEN}", "1.1", 200),
                               None)
    assert RedactTokens().filter(record)
    assert TOKEN not in record.getMessage() and "token=[redacted]" in record.getMessage()
    config = uvicorn_log_config("info")
    assert all("redact_tokens" in h["filters"] for h in config["handlers"].values())
    assert config["loggers"]["perm"]["handlers"]
