"""The reward server: PERM scores over HTTP, incl. OpenRLHF's remote reward model contract.

Stateless: every replica holds only its scorer (and optionally a response cache), so replicas
scale out behind any load balancer. All scoring goes through `PermScorer.ascore`.
"""
from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPBearer

from ..config import ScoringConfig
from ..data import parse_record
from ..errors import DataError, PermError
from ..integrations.openrlhf import openrlhf_payload, openrlhf_samples
from ..perspectives import RUBRIC_VERSION
from ..scoring import PermScorer
from ..types import Sample, ScoreResult
from .auth import BearerAuth
from .limits import Admission, BodyLimit, ServerLimits
from .metrics import Metrics, MetricsMiddleware
from .schemas import Health, Problem, RewardRequest, RewardResponse, ScoreRequest, ScoreResponse

log = logging.getLogger("perm.server")

#: Paths reachable without a token (load-balancer probes and the API description).
OPEN_PATHS = frozenset({"/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body could not be read as JSON text."},
    401: {"model": Problem, "description": "Missing or wrong bearer token."},
    413: {"model": Problem, "description": "Request body too large."},
    422: {"description": "Invalid request; `detail[].loc` names the field."},
    503: {"model": Problem, "description": "Overloaded (see Retry-After) or judge unavailable."},
}
_FIELD_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_loc(field: str | None) -> list[str | int]:
    """`labels[3].history[0].role` -> ["body", "labels", 3, "history", 0, "role"]."""
    loc: list[str | int] = ["body"]
    for name, index in _FIELD_PART.findall(field or ""):
        loc.append(int(index) if index else name)
    return loc


def invalid(field: str | None, message: str, kind: str = "value_error") -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors."""
    return HTTPException(422, [{"loc": field_loc(field), "msg": message, "type": kind}])


def _samples_from(body: ScoreRequest) -> list[Sample]:
    out = []
    for i, item in enumerate(body.samples):
        record = item.model_dump(exclude_none=True)
        try:
            out.append(parse_record(record))
        except DataError as e:
            field = f"samples[{i}].{e.field}" if e.field else f"samples[{i}]"
            raise invalid(field, e.reason) from None
    return out


def create_app(scorer_or_config: PermScorer | ScoringConfig | Mapping[str, Any] | None = None, *,
               token: str | None = None, limits: ServerLimits | None = None,
               null_reward: float = 0.0, close_scorer: bool | None = None) -> FastAPI:
    """Build the ASGI app. The scorer is closed at shutdown when `close_scorer` says so; by
    default a scorer built here from a config is, and one passed in stays the caller's.
    `null_reward` is what /get_reward reports for a sample whose PERM reward is missing
    (OpenRLHF needs a number; `perm/missing` marks it)."""
    limits = limits or ServerLimits()
    built = not isinstance(scorer_or_config, PermScorer)
    scorer: PermScorer = (scorer_or_config if isinstance(scorer_or_config, PermScorer)
                          else PermScorer(scorer_or_config))
    owned = built if close_scorer is None else close_scorer
    admission = Admission(limits.max_pending)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:  # runs after uvicorn has finished the requests in flight
            await scorer.aclose()

    app = FastAPI(title="PERM reward server", version=_version(), lifespan=lifespan,
                  summary="Empathy rewards (PERM) for RL engines: batch scoring and OpenRLHF's "
                          "remote reward model contract.")
    app.state.scorer, app.state.admission, app.state.limits = scorer, admission, limits
    bearer = [Depends(HTTPBearer(auto_error=False, description="Needed when the server has a token."))]

    async def run(samples: Sequence[Sample], endpoint: str) -> list[ScoreResult]:
        if not admission.try_acquire(len(samples)):
            metrics.rejected["overload"] += 1
            raise HTTPException(503, "overloaded: too many samples being scored; retry later",
                                headers={"Retry-After": str(limits.retry_after)})
        try:
            results = await scorer.ascore(samples)
        except PermError as e:  # the judge cannot work at all (missing key, endpoint down)
            log.error("scoring failed: %s", e)
            raise HTTPException(503, f"judge unavailable: {e}",
                                headers={"Retry-After": str(limits.retry_after)}) from None
        finally:
            admission.release(len(samples))
        metrics.samples[endpoint] += len(samples)
        metrics.outcomes.update(r.outcome for r in results)
        return results

    def check_batch(field: str, n: int) -> None:
        if n > limits.max_batch:
            raise invalid(field, f"at most {limits.max_batch} items per request, got {n}",
                          "too_long")

    @app.post("/v1/score", response_model=ScoreResponse, responses=_ERRORS, dependencies=bearer,
              summary="Score samples (data contract in, scored-output contract out, same order).")
    async def score(body: ScoreRequest) -> JSONResponse:
        check_batch("samples", len(body.samples))
        results = await run(_samples_from(body), "/v1/score")
        return JSONResponse({"results": [r.to_dict() for r in results]})

    @app.post("/get_reward", response_model=RewardResponse, responses=_ERRORS,
              dependencies=bearer, summary="OpenRLHF remote reward model.")
    async def get_reward(body: RewardRequest) -> JSONResponse:
        check_batch("query", len(body.query))
        labels = [x if isinstance(x, str) else x.model_dump(exclude_none=True) for x in body.labels]
        try:
            samples, methods = openrlhf_samples(body.query, body.prompts, labels)
        except DataError as e:
            raise invalid(e.field, e.reason) from None
        results = await run(samples, "/get_reward")
        return JSONResponse(openrlhf_payload(results, methods, null_reward))

    @app.get("/health", response_model=Health, summary="Liveness and what judge answers.")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "judge": scorer.identity, "rubric_version": RUBRIC_VERSION,
                "pending_samples": admission.pending}

    @app.get("/metrics", response_class=PlainTextResponse, dependencies=bearer,
             summary="Prometheus metrics.", responses={401: {
                 "description": _ERRORS[401]["description"],
                 "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/Problem"}}}}})
    async def metrics_endpoint() -> PlainTextResponse:
        text = metrics.render(scorer.stats.as_dict(), admission.pending)
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4")

    metrics = Metrics(route.path for route in app.routes)  # type: ignore[attr-defined]
    _document_limits(app, limits)
    app.state.metrics = metrics
    # Each added middleware wraps the ones before it, so the order is metrics -> auth -> body
    # limit -> app: metrics see every answer, and auth runs before any body is read.
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    app.add_middleware(BearerAuth, token=token, open_paths=OPEN_PATHS,
                       query_token_paths=frozenset({"/get_reward"}))
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


def _document_limits(app: FastAPI, limits: ServerLimits) -> None:
    """Put this replica's batch limit into the OpenAPI spec (clients and fuzzers read it)."""
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = FastAPI.openapi(app)
            schemas = spec["components"]["schemas"]
            schemas["ScoreRequest"]["properties"]["samples"]["maxItems"] = limits.max_batch
            schemas["RewardRequest"]["properties"]["query"]["maxItems"] = limits.max_batch
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def _version() -> str:
    from .. import __version__

    return __version__
