"""Ways to send a GRPO batch of judge calls to an OpenAI-compatible server, for comparison.

- `reference_schedule`: our re-implementation of the reference PERM reward's schedule (written
  from its description, no code copied): four phases one after another (resonation,
  expression, reception, then the bystander), each phase a fresh `asyncio.run` with a fresh
  `openai.AsyncOpenAI` client and a semaphore of 64, retrying each call up to 5 times.
- `AllInFlight`: every call of the batch at once through one persistent client: bare aiohttp,
  bare httpx (unlimited pool) or the openai SDK.
"""
from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable, Sequence
from typing import Any

Messages = list[dict[str, str]]
REF_CONCURRENCY = 64


# --------------------------------------------------------------------------- reference schedule
async def _reference_phase(url: str, prompts: Sequence[Messages], *, client_kind: str,
                           concurrency: int = REF_CONCURRENCY, max_retry: int = 5) -> list[str | None]:
    sem = asyncio.Semaphore(concurrency)

    if client_kind == "openai":
        from openai import AsyncOpenAI

        async with AsyncOpenAI(api_key="bench", base_url=url) as client:
            async def send(messages: Messages) -> str:
                resp = await client.chat.completions.create(
                    model="stub-judge", messages=messages, temperature=0.3, top_p=0.9,
                    max_tokens=1024)  # type: ignore[arg-type]
                return resp.choices[0].message.content or ""

            return await _phase_calls(prompts, send, sem, max_retry)
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async def send(messages: Messages) -> str:
            body = {"model": "stub-judge", "messages": messages, "temperature": 0.3,
                    "top_p": 0.9, "max_tokens": 1024}
            async with session.post(f"{url}/chat/completions", json=body) as r:
                data = await r.json(content_type=None)
                return str(data["choices"][0]["message"]["content"] or "")

        return await _phase_calls(prompts, send, sem, max_retry)


async def _phase_calls(prompts: Sequence[Messages], send: Callable[[Messages], Any],
                       sem: asyncio.Semaphore, max_retry: int) -> list[str | None]:
    async def one(messages: Messages) -> str | None:
        async with sem:  # the reference holds the slot through its retries and back-off
            for attempt in range(1, max_retry + 1):
                try:
                    return await send(messages)  # type: ignore[no-any-return]
                except Exception:
                    if attempt < max_retry:
                        await asyncio.sleep(1.5 * 2 ** (attempt - 1) + random.random())
            return None  # the reference then imputes the batch mean

    return list(await asyncio.gather(*(one(p) for p in prompts)))


def reference_schedule(url: str, phases: Sequence[Sequence[Messages]], *,
                       client_kind: str = "openai") -> list[list[str | None]]:
    """Run the phases one after another, each in its own event loop (as the reference does)."""
    return [asyncio.run(_reference_phase(url, prompts, client_kind=client_kind))
            for prompts in phases]


# --------------------------------------------------------------------------- all in flight
class AllInFlight:
    """One persistent client of the given kind; `send_all` fires every call at once."""

    def __init__(self, kind: str, url: str) -> None:
        self.kind, self.url = kind, url
        self.client: Any = None

    async def open(self) -> None:
        if self.kind == "aiohttp":
            import aiohttp

            self.client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        elif self.kind == "httpx":
            import httpx

            self.client = httpx.AsyncClient(limits=httpx.Limits(max_connections=None,
                                                                max_keepalive_connections=None),
                                            timeout=120)
        elif self.kind == "openai":
            from openai import AsyncOpenAI

            self.client = AsyncOpenAI(api_key="bench", base_url=self.url)
        else:
            raise ValueError(self.kind)

    async def send(self, messages: Messages) -> str:
        body = {"model": "stub-judge", "messages": messages, "temperature": 0.3, "max_tokens": 512}
        if self.kind == "aiohttp":
            async with self.client.post(f"{self.url}/chat/completions", data=json.dumps(body),
                                        headers={"Content-Type": "application/json"}) as r:
                data = json.loads(await r.read())
        elif self.kind == "httpx":
            r = await self.client.post(f"{self.url}/chat/completions", json=body)
            data = r.json()
        else:
            resp = await self.client.chat.completions.create(**body)
            return resp.choices[0].message.content or ""  # type: ignore[no-any-return]
        return str(data["choices"][0]["message"]["content"] or "")

    async def send_all(self, prompts: Sequence[Messages]) -> list[str]:
        return list(await asyncio.gather(*(self.send(p) for p in prompts)))

    async def close(self) -> None:
        if self.kind == "aiohttp":
            await self.client.close()
        elif self.kind in ("httpx", "openai"):
            await self.client.aclose() if self.kind == "httpx" else await self.client.close()
