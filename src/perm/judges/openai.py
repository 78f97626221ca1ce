"""OpenAI-compatible chat judge over aiohttp (one shared session, keep-alive, no SDK).

Why aiohttp and not the openai SDK / httpx: on a 2-core machine their per-call CPU cost, not
the network, decides whether 256 concurrent judge calls cost one round trip or four (see
bench/ and BENCHMARKS.md). The request builder and response parser are pure functions around
one network call, so they are tested without a server.

Several endpoints: `base_url` may list many URLs; keys come from the environment variable(s)
in `api_key_env` (comma-separated for several keys). URLs and keys pair up one-to-one when the
counts match, otherwise every URL uses every key in turn. Each call goes to the endpoint with the
fewest calls in flight. Keys are only ever put in the Authorization header.
"""
from __future__ import annotations

import asyncio
import email.utils
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from ..config import JudgeConfig
from ..errors import JudgeError, JudgeUnavailable
from ..types import Message
from .base import ChatModel, SamplingParams

OPENAI_URL = "https://api.openai.com/v1"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


@dataclass
class Endpoint:
    base_url: str
    key: str | None
    in_flight: int = 0

    def __repr__(self) -> str:  # never show the key
        return f"Endpoint({self.base_url!r}, key={'set' if self.key else 'none'})"


def read_keys(env_names: Sequence[str]) -> list[str]:
    for name in env_names:
        raw = os.environ.get(name, "")
        keys = [k.strip() for k in raw.split(",") if k.strip()]
        if keys:
            return keys
    return []


def build_endpoints(urls: Sequence[str], keys: Sequence[str]) -> list[Endpoint]:
    urls = [u.rstrip("/") for u in urls] or [OPENAI_URL]
    if not keys:
        return [Endpoint(u, None) for u in urls]
    if len(keys) == len(urls):
        return [Endpoint(u, k) for u, k in zip(urls, keys)]
    return [Endpoint(u, k) for u in urls for k in keys]


def build_request(model: str, messages: Sequence[Message], params: SamplingParams) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": list(messages),
                            "temperature": params.temperature, "max_tokens": params.max_tokens}
    if params.top_p is not None:
        body["top_p"] = params.top_p
    if params.seed is not None:
        body["seed"] = params.seed
    return body


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def parse_response(status: int, body: bytes, headers: Mapping[str, str], url: str) -> str:
    """Answer text from an HTTP response, or a JudgeError that says whether to retry."""
    snippet = body[:200].decode("utf-8", "replace").strip()
    if status == 429:
        raise JudgeError(f"{url}: rate limited (429)", retryable=True, status=429,
                         retry_after=parse_retry_after(headers.get("Retry-After")))
    if status in (408, 409) or status >= 500:
        raise JudgeError(f"{url}: server error {status}: {snippet}", retryable=True, status=status,
                         retry_after=parse_retry_after(headers.get("Retry-After")))
    if status in (401, 403):
        raise JudgeError(f"{url}: authentication failed ({status}); check PERM_JUDGE_API_KEY",
                         status=status)
    if status != 200:
        raise JudgeError(f"{url}: request rejected ({status}): {snippet}", status=status)
    try:
        data = json.loads(body)
        content = data["choices"][0]["message"].get("content")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise JudgeError(f"{url}: malformed response body: {snippet!r}", retryable=True,
                         status=status) from None
    return content if isinstance(content, str) else ""


class OpenAIChat(ChatModel):
    name = "openai"

    def __init__(self, config: JudgeConfig | None = None) -> None:
        super().__init__(config or JudgeConfig(backend="openai"))
        self.endpoints = build_endpoints(self.config.base_url, read_keys(self.config.api_key_env))
        self._model = self.config.model
        self._session: aiohttp.ClientSession | None = None

    @property
    def model(self) -> str:
        if self._model:
            return self._model
        return DEFAULT_OPENAI_MODEL if self._uses_openai() else "default"

    def _uses_openai(self) -> bool:
        return any(e.base_url.startswith(OPENAI_URL) for e in self.endpoints)

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.config.concurrency, limit_per_host=0,
                                             ttl_dns_cache=300, enable_cleanup_closed=True)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=self.config.timeout),
                headers={"Content-Type": "application/json"})
        return self._session

    def _pick(self) -> Endpoint:
        return min(self.endpoints, key=lambda e: e.in_flight)

    async def complete(self, messages: Sequence[Message], params: SamplingParams) -> str:
        ep = self._pick()
        headers = {"Authorization": f"Bearer {ep.key}"} if ep.key else None
        payload = json.dumps(build_request(self.model, messages, params))
        url = f"{ep.base_url}/chat/completions"
        ep.in_flight += 1
        try:
            async with self._get_session().post(url, data=payload, headers=headers) as resp:
                body = await resp.read()
                return parse_response(resp.status, body, resp.headers, ep.base_url)
        except asyncio.TimeoutError:
            raise JudgeError(f"{ep.base_url}: timed out after {self.config.timeout:g}s",
                             retryable=True) from None
        except aiohttp.ClientError as e:
            raise JudgeError(f"{ep.base_url}: connection error: {type(e).__name__}: {e}",
                             retryable=True) from None
        finally:
            ep.in_flight -= 1

    async def check(self) -> None:
        if self._uses_openai() and not any(e.key for e in self.endpoints):
            names = " or ".join(self.config.api_key_env)
            raise JudgeUnavailable(f"no API key for {OPENAI_URL}: set {names} in the environment")
        timeout = aiohttp.ClientTimeout(total=min(10.0, self.config.timeout))
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for ep in self.endpoints:
                headers = {"Authorization": f"Bearer {ep.key}"} if ep.key else {}
                try:
                    async with session.get(f"{ep.base_url}/models", headers=headers) as resp:
                        status, body = resp.status, await resp.read()
                except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as e:
                    raise JudgeUnavailable(f"judge endpoint {ep.base_url} is unreachable: "
                                           f"{type(e).__name__}: {e}") from None
                if status in (401, 403):
                    raise JudgeUnavailable(f"judge endpoint {ep.base_url} rejected the API key "
                                           f"({status})")
                if self._model is None and not self._uses_openai() and status == 200:
                    self._model = self._only_model(body, ep.base_url)

    @staticmethod
    def _only_model(body: bytes, url: str) -> str | None:
        try:
            ids = [m["id"] for m in json.loads(body).get("data", [])]
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if len(ids) == 1:
            return str(ids[0])
        if ids:
            raise JudgeUnavailable(f"{url} serves several models; pick one with --model "
                                   f"({', '.join(map(str, ids[:10]))})")
        return None

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
