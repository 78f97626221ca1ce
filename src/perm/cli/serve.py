"""`perm serve`: the reward server (POST /v1/score, OpenRLHF's POST /get_reward, /health,
/metrics) under uvicorn."""
from __future__ import annotations

from typing import Any

import click

from .options import build_scoring_config, judge_options


@click.command()
@judge_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback requires --token.")
@click.option("--port", default=8765, type=int, show_default=True,
              help="Port to bind (8000 is left to judges such as vLLM).")
@click.option("--token", envvar="PERM_SERVER_TOKEN", default=None,
              help="Bearer token clients must send (env PERM_SERVER_TOKEN keeps it out of `ps`): "
                   "at least 16 visible ASCII characters, e.g. `openssl rand -hex 24`.")
@click.option("--max-batch", type=int, default=1024, show_default=True,
              help="Most samples (or OpenRLHF queries) in one request.")
@click.option("--max-pending", type=int, default=4096, show_default=True,
              help="Most samples being scored at once; more get 503 with Retry-After.")
@click.option("--max-body-mb", type=float, default=16.0, show_default=True,
              help="Largest request body accepted (MiB).")
@click.option("--max-sample-chars", type=click.IntRange(min=1), default=100_000,
              show_default=True,
              help="Most characters in one sample (all its text); a longer one fails alone.")
@click.option("--null-reward", default="floor", show_default=True,
              help="Reward /get_reward reports when PERM's reward is missing (perm/missing=1): "
                   "'floor' (what a malformed output gets, -0.3 by default) or a number.")
@click.option("--max-failed-samples", type=click.IntRange(min=0), default=256, show_default=True,
              help="After this many samples in a row without a reward, a /get_reward request "
                   "that gets none is answered 503 (judge unavailable); 0: never.")
@click.option("--shared-lines-window", type=click.IntRange(min=0), default=0, show_default=True,
              metavar="N",
              help="Add perm/shared_line to /get_reward's extra_logs: 1 when a reply holds a "
                   "line (5+ words) given to 3+ different seekers among the last N outputs "
                   "scored (stock padding a policy says to everyone; docs/training.md). The "
                   "window mixes every client's outputs: turn it on (e.g. 512) for a server "
                   "that serves one training run. 0: off.")
@click.option("--shutdown-timeout", type=float, default=60.0, show_default=True,
              help="Seconds to let in-flight requests finish after SIGTERM / Ctrl-C.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="info", show_default=True)
@click.option("--access-log/--no-access-log", default=False, show_default=True,
              help="Log every request (costs throughput).")
def serve(host: str, port: int, token: str | None, max_batch: int, max_pending: int,
          max_body_mb: float, max_sample_chars: int, null_reward: str, max_failed_samples: int,
          shared_lines_window: int, shutdown_timeout: float, log_level: str, access_log: bool, **kw: Any) -> None:
    """Serve PERM rewards over HTTP: POST /v1/score, POST /get_reward (OpenRLHF remote RM),
    GET /health, GET /metrics, OpenAPI at /docs. Stateless (but for --shared-lines-window,
    which each replica keeps for itself): run replicas behind a load balancer to scale out
    (see docs/serving.md)."""
    import asyncio

    import uvicorn

    from ..integrations.common import resolve_null_reward
    from ..scoring import PermScorer
    from ..server import ServerLimits, create_app
    from ..server.auth import check_bind, check_token
    from ..server.logs import uvicorn_log_config

    check_token(token)  # before anything else: a bad token must never serve a request
    check_bind(host, token)
    try:
        limits = ServerLimits(max_body_bytes=int(max_body_mb * 1024 * 1024), max_batch=max_batch,
                              max_pending=max_pending, max_sample_chars=max_sample_chars)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    config = build_scoring_config(kw)
    null = resolve_null_reward(null_reward, config)  # ConfigError names a bad value
    scorer = PermScorer(config)
    asyncio.run(scorer.check())  # fail fast (missing key, endpoint down) with a plain message
    app = create_app(scorer, token=token, limits=limits, null_reward=null, close_scorer=True,
                     max_failed_samples=max_failed_samples, shared_lines_window=shared_lines_window)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=access_log,
                log_config=uvicorn_log_config(log_level),  # redacts ?token= values
                timeout_graceful_shutdown=int(shutdown_timeout), server_header=False)
