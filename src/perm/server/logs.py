"""What the server writes to its logs: never a token, never a seeker's text.

- `RedactTokens`: a logging filter that replaces the value of `token=` in anything logged
  (uvicorn's access log prints the path with its query string, where OpenRLHF's URL carries the
  token).
- `ErrorGuard`: the outermost middleware. An unexpected exception becomes a plain 500 and one
  log line naming its type and where it was raised, not its message or traceback: messages of
  errors raised on user data quote that data (and uvicorn would print the whole traceback).
- `uvicorn_log_config`: uvicorn's logging with the filter on every handler and the `perm`
  loggers printed like uvicorn's own.
"""
from __future__ import annotations

import copy
import logging
import re
import traceback
from typing import Any

from .limits import ASGIApp, Message, Receive, Scope, Send, send_json

log = logging.getLogger("perm.server")

# The query key must be spelled `token` for auth to take it (see auth.BearerAuth), so this
# finds every value that could be one; it runs to the next `&`, space, quote or `#`.
_TOKEN_VALUE = re.compile(r"((?:^|[?&\s\"'])token=)[^&\s\"#]*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """`text` with every `token=<value>` replaced by `token=[redacted]`."""
    return _TOKEN_VALUE.sub(lambda m: m.group(1) + REDACTED, text)


class RedactTokens(logging.Filter):
    """Redacts `token=` values in a record's message and arguments (keeps the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "token=" in record.msg.lower():
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple) and any(
                isinstance(a, str) and "token=" in a.lower() for a in record.args):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):  # logging's other form: one mapping of arguments
            record.args = {k: redact(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        return True


def uvicorn_log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's default logging config plus token redaction and the `perm` loggers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": RedactTokens}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_tokens")
    config["loggers"]["perm"] = {"handlers": ["default"], "level": level.upper(),
                                 "propagate": False}
    return config


class ErrorGuard:
    """Turns an unexpected exception into a 500 that says nothing about the request, and
    logs its type and location only."""

    def __init__(self, app: ASGIApp, paths: frozenset[str] = frozenset()) -> None:
        self.app, self.paths = app, paths  # paths it may name in the log (a URL is user input)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as e:
            frame = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
            where = f"{frame.filename}:{frame.lineno} in {frame.name}" if frame else "unknown"
            path = scope.get("path") if scope.get("path") in self.paths else "(other path)"
            log.error("internal error answering %s %s: %s at %s", scope.get("method"), path,
                      type(e).__name__, where)
            if not started:
                await send_json(send, 500, {"detail": "internal server error"})
