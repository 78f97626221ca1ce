"""One `PermScorer` per process for engine callbacks, driven by a private event-loop thread.

RL engines call reward functions synchronously from worker threads (verl's reward loop runs
them in an executor, OpenRLHF in `asyncio.to_thread`), often many at once. Submitting every
call to one loop keeps all their judge calls in flight together under the judge's concurrency
cap, and keeps the judge's connections on the loop that created them.

Settings come from keyword arguments (verl `reward_kwargs`) or, failing that, the environment:
`PERM_CONFIG` (scoring YAML), `PERM_JUDGE`, `PERM_JUDGE_MODEL`, `PERM_JUDGE_BASE_URL`,
`PERM_NULL_REWARD` (the reward reported when PERM's reward is missing; default 0).
"""
from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import json
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from perm.config import ScoringConfig, build_config, load_config
from perm.errors import ConfigError
from perm.scoring import PermScorer
from perm.types import Sample, ScoreResult

_ENV = {"config": "PERM_CONFIG", "judge": "PERM_JUDGE", "model": "PERM_JUDGE_MODEL",
        "base_url": "PERM_JUDGE_BASE_URL"}


class BackgroundScorer:
    """A PermScorer whose coroutines run on a dedicated daemon loop; callable from anywhere."""

    def __init__(self, scorer: PermScorer) -> None:
        self.scorer = scorer
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="perm-scorer",
                                        daemon=True)
        self._thread.start()

    def submit(self, samples: Sequence[Sample]) -> concurrent.futures.Future[list[ScoreResult]]:
        return asyncio.run_coroutine_threadsafe(self.scorer.ascore(list(samples)), self._loop)

    def score(self, samples: Sequence[Sample], timeout: float | None = None) -> list[ScoreResult]:
        """Blocking; safe from any thread except the runner's own."""
        return self.submit(samples).result(timeout)

    async def ascore(self, samples: Sequence[Sample]) -> list[ScoreResult]:
        """Awaitable from any other event loop."""
        return await asyncio.wrap_future(self.submit(samples))

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            asyncio.run_coroutine_threadsafe(self.scorer.aclose(), self._loop).result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()


def resolve_options(kwargs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Scorer settings from kwargs, else PERM_* environment variables (None where unset)."""
    kwargs = kwargs or {}
    return {k: kwargs.get(k) if kwargs.get(k) is not None else (os.environ.get(env) or None)
            for k, env in _ENV.items()}


def null_reward(kwargs: Mapping[str, Any] | None = None) -> float:
    value = (kwargs or {}).get("null_reward")
    if value is None:
        value = os.environ.get("PERM_NULL_REWARD", "0")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"null_reward must be a number, got {value!r}") from None


def config_from_options(options: Mapping[str, Any]) -> ScoringConfig:
    """`options["config"]`: a YAML path or a dict; judge/model/base_url override it."""
    overrides = {"judge.backend": options.get("judge"), "judge.model": options.get("model"),
                 "judge.base_url": options.get("base_url")}
    cfg = options.get("config")
    if isinstance(cfg, Mapping):
        data = json.loads(json.dumps(dict(cfg)))  # a deep, plain copy (OmegaConf dicts too)
        for key, value in overrides.items():
            if value is not None:
                data.setdefault("judge", {})[key.split(".", 1)[1]] = value
        return build_config(data, "reward_kwargs.config")
    return load_config(cfg, overrides)


_RUNNERS: dict[str, BackgroundScorer] = {}
_LOCK = threading.Lock()


def runner_for(kwargs: Mapping[str, Any] | None = None) -> BackgroundScorer:
    """The process-wide runner for these settings (built once, reused by every call)."""
    options = resolve_options(kwargs)
    key = json.dumps(options, sort_keys=True, default=str)
    with _LOCK:
        runner = _RUNNERS.get(key)
        if runner is None:
            runner = BackgroundScorer(PermScorer(config_from_options(options)))
            _RUNNERS[key] = runner
        return runner


@atexit.register
def close_all() -> None:
    """Close every runner (flushes caches, closes judge connections)."""
    with _LOCK:
        runners = list(_RUNNERS.values())
        _RUNNERS.clear()
    for runner in runners:
        try:
            runner.close()
        except Exception:  # exiting anyway: a judge that fails to close must not mask the exit
            pass
