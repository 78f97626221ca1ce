"""Reading request bodies strictly, and answering bad ones without echoing them.

- Only `application/json` (or `+json`) bodies are read: anything else gets 415 before any
  parsing. (A browser can POST text/plain or a typeless body to a loopback server from any web
  page without asking first; refusing them keeps such pages from spending the judge.)
- JSON is decoded as standard JSON: Python's parser also accepts `NaN` and `Infinity` (and
  turns `1e999` into infinity), which no JSON client sends and no field here can hold, so they
  get a 422 naming where they are instead of travelling on into a response that cannot be
  encoded (a 500).
- Validation errors are 422 with `loc`, `msg` and `type` only: FastAPI's default handler puts
  each offending value (`input`) into the answer, i.e. the seeker's text, the whole body for
  a body that is not an object.
"""
from __future__ import annotations

import email.message
import json
import math
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

#: The longest error message we return: messages built elsewhere may carry a preview.
MAX_MESSAGE = 300


class _Marker:
    """Stands where a non-finite number was, so its place can be reported."""


_MARK = _Marker()


def _find_marker(value: Any, loc: list[str | int]) -> list[str | int] | None:
    stack: list[tuple[Any, list[str | int]]] = [(value, loc)]
    while stack:
        item, where = stack.pop()
        if item is _MARK:
            return where
        if isinstance(item, dict):
            stack.extend((v, [*where, k]) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((v, [*where, i]) for i, v in reversed(list(enumerate(item))))
    return None


def decode_json(body: bytes) -> Any:
    """Standard JSON only. Raises json.JSONDecodeError (FastAPI answers 422 at the position)
    or an HTTPException 422 naming where a NaN / Infinity / overflowing number is."""
    found = False

    def constant(name: str) -> Any:  # NaN, Infinity, -Infinity
        nonlocal found
        found = True
        return _MARK

    def number(text: str) -> Any:  # 1e999 parses as infinity
        nonlocal found
        value = float(text)
        if math.isfinite(value):
            return value
        found = True
        return _MARK

    try:
        value = json.loads(body, parse_constant=constant, parse_float=number)
    except json.JSONDecodeError:
        raise  # FastAPI answers 422 with the position
    except (ValueError, RecursionError) as e:  # integers past 4,300 digits; deep nesting
        why = "nested too deeply" if isinstance(e, RecursionError) else "a number is too long"
        raise HTTPException(422, [{"loc": ["body"], "type": "json_invalid",
                                   "msg": f"JSON that cannot be read: {why}"}]) from None
    if found:
        loc = _find_marker(value, ["body"]) or ["body"]
        raise HTTPException(422, [{"loc": loc, "type": "finite_number",
                                   "msg": "NaN, Infinity and numbers too large for a double are "
                                          "not JSON; send a finite number or null"}])
    return value


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json"))


class StrictJSONRequest(Request):
    """A request whose `json()` is `decode_json` (FastAPI reads bodies through it)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = decode_json(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """Routes that refuse non-JSON bodies (415) and read JSON with `StrictJSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            if request.method in ("POST", "PUT", "PATCH") and not _is_json(
                    request.headers.get("content-type")):
                raise HTTPException(415, "send the body as JSON, with the header "
                                         "Content-Type: application/json")
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict


def safe_errors(errors: Any) -> list[dict[str, Any]]:
    """Validation errors reduced to where and what (`loc`, `msg`, `type`): never the value."""
    out = []
    for e in errors:
        loc = [p if isinstance(p, (int, str)) else str(p) for p in e.get("loc", ())]
        out.append({"loc": loc, "msg": str(e.get("msg", "invalid"))[:MAX_MESSAGE],
                    "type": str(e.get("type", "value_error"))})
    return out


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    """The 422 answer to a RequestValidationError, without the offending values."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return JSONResponse({"detail": safe_errors(errors)}, status_code=422)
