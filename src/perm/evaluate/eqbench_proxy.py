"""A small OpenAI-compatible pass-through on 127.0.0.1 that caps `max_tokens` (and, optionally,
how long one request may take) before forwarding to the real endpoint.

Why: EQ-Bench3's harness asks its judge for up to 8,000 tokens and the tested model for 12,000,
and gives up on a request after its own timeout. A local stand-in (e.g. llama-cpp-python's
server) keeps generating for an abandoned request, so the next ones queue behind it. With the
cap, an abandoned request ends soon by itself."""
from __future__ import annotations

import asyncio
import json
import socket
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web

TOKEN_KEYS = ("max_tokens", "max_completion_tokens")


def cap_body(body: dict[str, Any], cap: int | None) -> dict[str, Any]:
    """The request with every token limit at most `cap` (and one set when none was)."""
    if cap is None:
        return body
    out = dict(body)
    present = [k for k in TOKEN_KEYS if k in out]
    for k in present or ["max_tokens"]:
        v = out.get(k)
        out[k] = cap if not isinstance(v, int) or v > cap else v
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class CappingProxy:
    """Forwards every POST to `upstream` (a full chat-completions URL) with the cap applied;
    `timeout` (seconds) bounds one forwarded request (504 when it runs out)."""

    upstream: str
    max_tokens: int | None = None
    timeout: float | None = None
    port: int = 0
    requests: int = 0
    capped: int = 0
    timeouts: int = 0
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _runner: web.AppRunner | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/chat/completions"

    async def _handle(self, request: web.Request) -> web.Response:
        import aiohttp
        from aiohttp import web

        self.requests += 1
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": {"message": "request body is not JSON"}}, status=400)
        capped = cap_body(body, self.max_tokens)
        self.capped += capped != body
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("authorization", "content-type", "api-key")}
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session, \
                    session.post(self.upstream, data=json.dumps(capped), headers=headers) as resp:
                data = await resp.read()
                return web.Response(body=data, status=resp.status,
                                    content_type=resp.content_type or "application/json")
        except asyncio.TimeoutError:
            self.timeouts += 1
            return web.json_response({"error": {"message": f"upstream took longer than {self.timeout:g}s"}},
                                     status=504)
        except aiohttp.ClientError as e:
            return web.json_response({"error": {"message": f"upstream unreachable: {e}"}}, status=502)

    def start(self) -> CappingProxy:
        """Serve in a background thread until `stop()`."""
        from aiohttp import web

        self.port = self.port or free_port()
        ready = threading.Event()

        async def serve() -> None:
            app = web.Application()
            app.router.add_post("/{tail:.*}", self._handle)
            runner = self._runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", self.port).start()
            ready.set()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(serve())
            loop.run_forever()
            if self._runner is not None:
                loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True, name="perm-capping-proxy")
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the capping proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = self._thread = None
