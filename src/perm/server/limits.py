"""Request limits: body size, batch size, and admission control instead of an unbounded queue."""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class ServerLimits:
    """What one server replica accepts."""

    max_body_bytes: int = 16 * 1024 * 1024  # larger bodies: 413
    max_batch: int = 1024  # samples (or queries) per request; more: 422 naming the field
    max_pending: int = 4096  # samples being scored at once; beyond: 503 + Retry-After
    retry_after: int = 1  # seconds suggested to a client turned away with 503
    max_sample_chars: int = 100_000  # characters of one sample, all text; more: that sample fails
    chunk_samples: int = 8  # a request is scored in chunks of at most this many samples ...
    chunk_chars: int = 200_000  # ... and about this many characters (see server.fair)

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_batch", "max_pending", "retry_after",
                     "max_sample_chars", "chunk_samples", "chunk_chars"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")


class Admission:
    """Counts samples in flight; a request that would pass `max_pending` is refused at once.

    Single-threaded (one event loop), so plain integers suffice.
    """

    def __init__(self, max_pending: int) -> None:
        self.max_pending = max_pending
        self.pending = 0
        self.rejected = 0

    def try_acquire(self, n: int) -> bool:
        # A request larger than the whole budget still runs when nothing else does.
        if self.pending and self.pending + n > self.max_pending:
            self.rejected += 1
            return False
        self.pending += n
        return True

    def release(self, n: int) -> None:
        self.pending -= n


async def send_json(send: Send, status: int, body: dict[str, Any],
                    headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


class BodyLimit:
    """Reads a request body up to `max_bytes` before the app sees it; larger ones get 413.

    Buffering first also means a slow or oversized upload never reaches the JSON parser.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        too_big = {"detail": f"request body larger than {self.max_bytes} bytes"}
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await send_json(send, 413, too_big)
                return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_json(send, 413, too_big)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect as usual

        await self.app(scope, replay, send)
