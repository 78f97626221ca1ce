"""The reward server: PERM scores over HTTP, incl. OpenRLHF's remote reward model contract.

Stateless: every replica holds only its scorer (and optionally a response cache), so replicas
scale out behind any load balancer. All scoring goes through `PermScorer.ascore`, in chunks
shared fairly between requests (`fair`). A sample whose text no judge can take (invalid
Unicode, longer than `max_sample_chars`) fails alone; a body that is not what the API says
gets a 4xx naming the field (`body`), and nothing a client sent is echoed or logged (`logs`).
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import Depends, FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPBearer
from starlette.routing import Mount, Route, WebSocketRoute

from ..config import ScoringConfig
from ..data import parse_record
from ..errors import ConfigError, DataError, PermError
from ..integrations.common import Refusal, refused_result, resolve_null_reward, text_problem
from ..integrations.openrlhf import openrlhf_payload, openrlhf_samples
from ..integrations.watch import MAX_FAILED_SAMPLES, RewardWatch
from ..perspectives import RUBRIC_VERSION
from ..scoring import PermScorer
from ..shared_lines import SharedLineWindow
from ..types import Sample, ScoreResult
from .auth import BearerAuth, check_token
from .body import MAX_MESSAGE, StrictJSONRoute, validation_error_handler
from .fair import FairScheduler, plan_chunks
from .limits import Admission, BodyLimit, ServerLimits
from .logs import ErrorGuard
from .metrics import Metrics, MetricsMiddleware
from .schemas import Health, Problem, RewardRequest, RewardResponse, ScoreRequest, ScoreResponse

log = logging.getLogger("perm.server")

#: How a server operator turns on judging of malformed outputs (the format warning's fix).
FORMAT_HINT = "--on-format-error judge (or on_format_error: judge in the --config file)"
#: Paths reachable without a token (load-balancer probes and the API description).
OPEN_PATHS = frozenset({"/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body could not be read as JSON text."},
    401: {"model": Problem, "description": "Missing or wrong bearer token."},
    413: {"model": Problem, "description": "Request body too large."},
    415: {"model": Problem, "description": "The body is not sent as application/json."},
    422: {"description": "Invalid request; `detail[].loc` names the field (values are not "
                         "echoed)."},
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
    return HTTPException(422, [{"loc": field_loc(field), "msg": message[:MAX_MESSAGE],
                                "type": kind}])


def _samples_from(body: ScoreRequest, max_chars: int) -> list[Sample | Refusal]:
    out: list[Sample | Refusal] = []
    for i, item in enumerate(body.samples):
        record = item.model_dump(exclude_none=True)
        problem = text_problem((f"samples[{i}]", record), max_chars=max_chars)
        if problem is not None:
            out.append(problem._replace(sample_id=record.get("id")))
            continue
        try:
            out.append(parse_record(record))
        except DataError as e:
            field = f"samples[{i}].{e.field}" if e.field else f"samples[{i}]"
            raise invalid(field, e.reason) from None
    return out


class _JSON(JSONResponse):
    """JSON that always encodes: ASCII escapes (no text can fail to encode) and, for the
    extra_logs of /get_reward, NaN for what nobody scored (Python's json and OpenRLHF read it)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, allow_nan=True, separators=(",", ":")).encode()


def _fair_share(scorer: PermScorer, limits: ServerLimits) -> tuple[int, int, int]:
    """(capacity, reserve, chunk) in samples. A chat-model judge: as many samples in flight
    as it takes calls at once, an eighth kept free for newcomers. A judge that computes in
    this process (the embedded scorer) gains nothing from more work at once, only queues:
    two chunks, one of them kept free, so a newcomer never waits behind a batch."""
    chunk = limits.chunk_samples
    parallel = scorer.rater.concurrency()
    if parallel is None:
        return 2 * chunk, chunk, chunk
    calls = 1 if scorer.config.fused else len(scorer.dimensions())
    capacity = max(2, parallel // calls)
    reserve = max(1, capacity // 8)
    return capacity, reserve, max(1, min(chunk, capacity - reserve))


def create_app(scorer_or_config: PermScorer | ScoringConfig | Mapping[str, Any] | None = None, *,
               token: str | None = None, limits: ServerLimits | None = None,
               null_reward: float | str | None = None, close_scorer: bool | None = None,
               max_failed_samples: int = MAX_FAILED_SAMPLES,
               shared_lines_window: int = 0) -> FastAPI:
    """Build the ASGI app. The scorer is closed at shutdown when `close_scorer` says so; by
    default a scorer built here from a config is, and one passed in stays the caller's.
    `null_reward` is what /get_reward reports for a sample whose PERM reward is missing
    (OpenRLHF needs a number; `perm/missing` marks it): `floor` (None) is the reward of a
    malformed output, or give a number. After `max_failed_samples` samples in a row without a
    reward (0: never), a /get_reward request that gets none is answered 503.
    `shared_lines_window` > 0 adds `perm/shared_line` to /get_reward's extra_logs: whether
    each reply holds a line given to 3+ different seekers among the last that many outputs the
    server scored there (`perm.shared_lines`). Off by default: the window holds every
    client's outputs, so run one server per training run when you turn it on."""
    check_token(token)
    limits = limits or ServerLimits()
    built = not isinstance(scorer_or_config, PermScorer)
    scorer: PermScorer = (scorer_or_config if isinstance(scorer_or_config, PermScorer)
                          else PermScorer(scorer_or_config))
    owned = built if close_scorer is None else close_scorer
    admission = Admission(limits.max_pending)
    null = resolve_null_reward(null_reward, scorer.config)
    capacity, reserve, chunk = _fair_share(scorer, limits)
    scheduler: FairScheduler[ScoreResult] = FairScheduler(capacity, reserve)
    watch = RewardWatch(max_failed=max_failed_samples, format_hint=FORMAT_HINT,
                        judged_format_errors=scorer.config.on_format_error == "judge")
    if shared_lines_window < 0:
        raise ConfigError(f"shared_lines_window must be 0 (off) or more, not {shared_lines_window}")
    lines = SharedLineWindow(shared_lines_window) if shared_lines_window else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:  # runs after uvicorn has finished the requests in flight
            await scorer.aclose()

    app = FastAPI(title="PERM reward server", version=_version(), lifespan=lifespan,
                  summary="Empathy rewards (PERM) for RL engines: batch scoring and OpenRLHF's "
                          "remote reward model contract.")
    app.router.route_class = StrictJSONRoute  # before any route is added
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.state.scorer, app.state.admission, app.state.limits = scorer, admission, limits
    app.state.scheduler, app.state.watch, app.state.null_reward = scheduler, watch, null
    bearer = [Depends(HTTPBearer(auto_error=False, description="Needed when the server has a token."))]
    retry = {"Retry-After": str(limits.retry_after)}

    async def scheduled(samples: Sequence[Sample]) -> list[ScoreResult]:
        """Score through the fair scheduler, in chunks (one chunk under batch-mean imputation,
        which needs the whole request at once)."""
        if scorer.config.missing == "batch_mean":
            parts = [slice(0, len(samples))] if samples else []
        else:
            parts = plan_chunks(samples, chunk, limits.chunk_chars)
        jobs = [(min(p.stop - p.start, capacity - reserve), partial(scorer.ascore, samples[p]))
                for p in parts]
        return [r for part in await scheduler.run(jobs) for r in part]

    async def run(items: Sequence[Sample | Refusal], endpoint: str) -> list[ScoreResult]:
        samples = [x for x in items if isinstance(x, Sample)]
        if not admission.try_acquire(len(samples)):
            metrics.rejected["overload"] += 1
            raise HTTPException(503, "overloaded: too many samples being scored; retry later",
                                headers=retry)
        try:
            scored = iter(await scheduled(samples))
        except PermError as e:  # the judge cannot work at all (missing key, endpoint down)
            metrics.rejected["judge_unavailable"] += 1
            log.error("scoring failed: %s", str(e)[:MAX_MESSAGE])
            raise HTTPException(503, f"judge unavailable: {str(e)[:MAX_MESSAGE]}",
                                headers=retry) from None
        finally:
            admission.release(len(samples))
        results = [next(scored) if isinstance(x, Sample)
                   else refused_result(x, scorer.config, judge=scorer.identity) for x in items]
        refused = len(items) - len(samples)
        if refused:
            metrics.refused_samples += refused
            log.warning("%s: %d of %d samples refused before judging (first: %s)", endpoint,
                        refused, len(items), next(r.failures["input"] for r in results
                                                  if "input" in r.failures)[:MAX_MESSAGE])
        metrics.samples[endpoint] += len(items)
        metrics.outcomes.update(r.outcome for r in results)
        watch.observe(results)
        return results

    def check_batch(field: str, n: int) -> None:
        if n > limits.max_batch:
            raise invalid(field, f"at most {limits.max_batch} items per request, got {n}",
                          "too_long")

    @app.post("/v1/score", response_model=ScoreResponse, responses=_ERRORS, dependencies=bearer,
              summary="Score samples (data contract in, scored-output contract out, same order).")
    async def score(body: ScoreRequest) -> JSONResponse:
        check_batch("samples", len(body.samples))
        results = await run(_samples_from(body, limits.max_sample_chars), "/v1/score")
        return _JSON({"results": [r.to_dict() for r in results]})

    @app.post("/get_reward", response_model=RewardResponse, responses=_ERRORS,
              dependencies=bearer, summary="OpenRLHF remote reward model.")
    async def get_reward(body: RewardRequest) -> JSONResponse:
        check_batch("query", len(body.query))
        labels = [x if isinstance(x, str) else x.model_dump(exclude_none=True) for x in body.labels]
        try:
            items, methods = openrlhf_samples(body.query, body.prompts, labels,
                                              max_chars=limits.max_sample_chars)
        except DataError as e:
            raise invalid(e.field, e.reason) from None
        results = await run(items, "/get_reward")
        if watch.gave_up(results):
            # OpenRLHF needs a number per sample; after this many in a row, a made-up one would
            # train on nothing: say so, as TRL's reward functions raise JudgeUnavailable.
            metrics.rejected["judge_unavailable"] += 1
            log.error("judge unavailable: %s", watch.message()[:MAX_MESSAGE])
            raise HTTPException(503, f"judge unavailable: {watch.message()}"[:1000], headers=retry)
        shared = None if lines is None else lines.flags(
            [x if isinstance(x, Sample) else None for x in items])
        return _JSON(openrlhf_payload(results, methods, null, items, shared))

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

    metrics = Metrics(route.path for route in app.routes
                      if isinstance(route, (Route, Mount, WebSocketRoute)))  # those have a path
    _document_limits(app, limits)
    app.state.metrics = metrics
    # Each added middleware wraps the ones before it, so the order is guard -> metrics -> auth
    # -> body limit -> app: metrics see every answer, and auth runs before any body is read.
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    app.add_middleware(BearerAuth, token=token, open_paths=OPEN_PATHS,
                       query_token_paths=frozenset({"/get_reward"}))
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(ErrorGuard, paths=metrics.routes)  # outermost: sees every exception
    return app


def _document_limits(app: FastAPI, limits: ServerLimits) -> None:
    """Put this replica's batch limit into the OpenAPI spec (clients and fuzzers read it)."""
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = FastAPI.openapi(app)  # builds and keeps app.openapi_schema
        schemas = spec["components"]["schemas"]
        schemas["ScoreRequest"]["properties"]["samples"]["maxItems"] = limits.max_batch
        schemas["RewardRequest"]["properties"]["query"]["maxItems"] = limits.max_batch
        return spec

    # FastAPI's documented way to customise the schema is to replace the bound method
    app.openapi = openapi  # type: ignore[method-assign]


def _version() -> str:
    from .. import __version__

    return __version__
