"""Prometheus metrics in the text exposition format (no client library needed)."""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable

from ..calling import CallCounts
from .limits import ASGIApp, Message, Receive, Scope, Send

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


class Histogram:
    def __init__(self, buckets: Iterable[float] = BUCKETS) -> None:
        self.buckets = tuple(buckets)
        self.counts = [0] * len(self.buckets)  # per bucket (not cumulative)
        self.total = 0
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.total += 1
        self.sum += value
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[i] += 1
                break


def _labels(**kw: str) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in kw.items())
    return "{" + inner + "}" if inner else ""


class Metrics:
    """Counters of one replica. `endpoint` labels are route paths (never raw paths, so
    random URLs cannot grow the label set)."""

    def __init__(self, routes: Iterable[str]) -> None:
        self.routes = frozenset(routes)
        self.requests: Counter[tuple[str, int]] = Counter()
        self.latency: defaultdict[str, Histogram] = defaultdict(Histogram)
        self.samples: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self.refused_samples = 0
        self.inflight_requests = 0

    def endpoint(self, path: str) -> str:
        return path if path in self.routes else "other"

    def observe(self, path: str, status: int, seconds: float) -> None:
        ep = self.endpoint(path)
        self.requests[(ep, status)] += 1
        self.latency[ep].observe(seconds)

    def render(self, judge: CallCounts, pending_samples: int) -> str:
        """The exposition text; `judge` is the scorer's CallStats.as_dict()."""
        out: list[str] = []

        def head(name: str, kind: str, text: str) -> None:
            out.append(f"# HELP {name} {text}")
            out.append(f"# TYPE {name} {kind}")

        head("perm_requests_total", "counter", "HTTP requests answered, by endpoint and status.")
        for (ep, status), n in sorted(self.requests.items()):
            out.append(f"perm_requests_total{_labels(endpoint=ep, status=str(status))} {n}")
        head("perm_request_duration_seconds", "histogram", "Time to answer a request.")
        for ep, h in sorted(self.latency.items()):
            running = 0
            for bound, n in zip(h.buckets, h.counts, strict=True):
                running += n
                out.append(f"perm_request_duration_seconds_bucket{_labels(endpoint=ep, le=f'{bound:g}')} {running}")
            out.append(f"perm_request_duration_seconds_bucket{_labels(endpoint=ep, le='+Inf')} {h.total}")
            out.append(f"perm_request_duration_seconds_sum{_labels(endpoint=ep)} {h.sum:.6f}")
            out.append(f"perm_request_duration_seconds_count{_labels(endpoint=ep)} {h.total}")
        head("perm_samples_total", "counter", "Samples scored, by endpoint.")
        for ep, n in sorted(self.samples.items()):
            out.append(f"perm_samples_total{_labels(endpoint=ep)} {n}")
        head("perm_sample_outcomes_total", "counter",
             "Scored samples by outcome (scored, partial, failed, format_error).")
        for outcome, n in sorted(self.outcomes.items()):
            out.append(f"perm_sample_outcomes_total{_labels(outcome=outcome)} {n}")
        head("perm_rejected_total", "counter",
             "Requests answered 503, by reason (overload, judge_unavailable).")
        for reason, n in sorted(self.rejected.items()):
            out.append(f"perm_rejected_total{_labels(reason=reason)} {n}")
        head("perm_refused_samples_total", "counter",
             "Samples failed before judging: invalid Unicode or over --max-sample-chars.")
        out.append(f"perm_refused_samples_total {self.refused_samples}")
        for value, name, text in (
                (judge["calls"], "perm_judge_calls_total", "Requests sent to the judge backend."),
                (judge["retries"], "perm_judge_retries_total", "Judge transport retries."),
                (judge["reasks"], "perm_judge_reasks_total", "Re-asks after an unparsable judge answer."),
                (judge["failures"], "perm_judge_failures_total", "Judge calls that gave no score."),
                (judge["cache_hits"], "perm_cache_hits_total", "Judge answers served from the cache.")):
            head(name, "counter", text)
            out.append(f"{name} {int(value)}")
        head("perm_inflight_requests", "gauge", "Requests being answered now.")
        out.append(f"perm_inflight_requests {self.inflight_requests}")
        head("perm_pending_samples", "gauge", "Samples admitted and not yet scored.")
        out.append(f"perm_pending_samples {pending_samples}")
        return "\n".join(out) + "\n"


class MetricsMiddleware:
    """Times every HTTP request to the end of its response and counts it by status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        self.metrics.inflight_requests += 1
        try:
            await self.app(scope, receive, timed_send)
        finally:
            self.metrics.inflight_requests -= 1
            self.metrics.observe(scope["path"], status, time.perf_counter() - start)
