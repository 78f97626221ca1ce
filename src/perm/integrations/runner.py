"""One `PermScorer` per process for engine callbacks, driven by a private event-loop thread.

RL engines call reward functions synchronously from worker threads (verl's reward loop runs
them in an executor, OpenRLHF in `asyncio.to_thread`), often many at once. Submitting every
call to one loop keeps all their judge calls in flight together under the judge's concurrency
cap, and keeps the judge's connections on the loop that created them.

Settings come from keyword arguments (verl `reward_kwargs`) or, failing that, the environment:
`PERM_CONFIG` (scoring YAML), `PERM_JUDGE`, `PERM_JUDGE_MODEL`, `PERM_JUDGE_BASE_URL`,
`PERM_ON_FORMAT_ERROR` (penalize | judge | null), `PERM_NULL_REWARD` (the reward reported when
PERM's reward is missing: `floor`, the default, or a number) and `PERM_MAX_FAILED_SAMPLES`
(samples in a row without a reward before `JudgeUnavailable` stops the run; 0 never).

`engine_score` / `engine_ascore` are what the adapters call: they refuse text no judge can
take (one sample at a time), score the rest, and keep the run honest (`watch.RewardWatch`).
`shared_flags` marks the outputs that hold a line the runner has lately seen said to several
seekers (`perm.shared_lines`), for the adapters' `shared_line` field.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any, TypeVar

from perm.config import ScoringConfig, build_config, load_config
from perm.errors import ConfigError
from perm.integrations.common import Refusal, refused_result, resolve_null_reward, reward_floor
from perm.integrations.loop import LoopThread, PerProcess
from perm.integrations.watch import MAX_FAILED_SAMPLES, RewardWatch
from perm.scoring import PermScorer
from perm.shared_lines import SharedLineWindow
from perm.types import Sample, ScoreResult

log = logging.getLogger("perm.integrations")
T = TypeVar("T")

_ENV = {"config": "PERM_CONFIG", "judge": "PERM_JUDGE", "model": "PERM_JUDGE_MODEL",
        "base_url": "PERM_JUDGE_BASE_URL", "on_format_error": "PERM_ON_FORMAT_ERROR",
        "null_reward": "PERM_NULL_REWARD", "max_failed_samples": "PERM_MAX_FAILED_SAMPLES"}
#: How a user of the adapters turns on judging of malformed outputs (the format warning's fix).
FORMAT_HINT = ("on_format_error=judge (verl: in reward_kwargs; either engine: the environment "
               "variable PERM_ON_FORMAT_ERROR=judge)")
#: A sample the adapters refuse to judge, see `common.text_problem`.
Refused = Refusal


class BackgroundScorer:
    """A PermScorer whose coroutines run on a dedicated daemon loop; callable from anywhere."""

    def __init__(self, scorer: PermScorer, *, null_reward: float | None = None,
                 max_failed: int = MAX_FAILED_SAMPLES) -> None:
        self.scorer = scorer
        #: What a sample without a PERM reward reports (the reward floor unless chosen).
        self.null_reward = reward_floor(scorer.config) if null_reward is None else null_reward
        self.watch = RewardWatch(max_failed=max_failed, format_hint=FORMAT_HINT,
                                 judged_format_errors=scorer.config.on_format_error == "judge")
        #: lines said to many seekers lately (`perm.shared_lines`): the `shared_line` field
        self.lines = SharedLineWindow()
        self._loop = LoopThread("perm-scorer")

    def submit(self, samples: Sequence[Sample]) -> concurrent.futures.Future[list[ScoreResult]]:
        return self._loop.submit(self.scorer.ascore(list(samples)))

    def score(self, samples: Sequence[Sample], timeout: float | None = None) -> list[ScoreResult]:
        """Blocking; safe from any thread except the runner's own."""
        return self.submit(samples).result(timeout)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run any coroutine on the runner's loop and wait for it."""
        return self._loop.run(coro)

    async def ascore(self, samples: Sequence[Sample]) -> list[ScoreResult]:
        """Awaitable from any other event loop."""
        return await asyncio.wrap_future(self.submit(samples))

    def close(self) -> None:
        self._loop.close(self.scorer.aclose())


def resolve_options(kwargs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Settings from kwargs, else PERM_* environment variables (None where unset)."""
    kwargs = kwargs or {}
    return {k: kwargs.get(k) if kwargs.get(k) is not None else (os.environ.get(env) or None)
            for k, env in _ENV.items()}


def max_failed_samples(options: Mapping[str, Any]) -> int:
    """Samples in a row without a reward before the adapters raise JudgeUnavailable."""
    value = options.get("max_failed_samples")
    if value is None:
        return MAX_FAILED_SAMPLES
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit():
        raise ConfigError(f"max_failed_samples must be a whole number >= 0, got {value!r}")
    return int(text)


def config_from_options(options: Mapping[str, Any]) -> ScoringConfig:
    """`options["config"]`: a YAML path or a dict; judge/model/base_url override it."""
    overrides = {"judge.backend": options.get("judge"), "judge.model": options.get("model"),
                 "judge.base_url": options.get("base_url"),
                 "on_format_error": options.get("on_format_error")}
    cfg = options.get("config")
    if isinstance(cfg, Mapping):
        data = json.loads(json.dumps(dict(cfg)))  # a deep, plain copy (OmegaConf dicts too)
        for key, value in overrides.items():
            if value is not None:
                *parents, leaf = key.split(".")
                node = data
                for part in parents:
                    node = node.setdefault(part, {})
                node[leaf] = value
        return build_config(data, "reward_kwargs.config")
    return load_config(cfg, overrides)


_RUNNERS: PerProcess[BackgroundScorer] = PerProcess()
#: Close every runner (flushes caches, closes judge connections); also done at exit.
close_all = _RUNNERS.close_all


def runner_for(kwargs: Mapping[str, Any] | None = None) -> BackgroundScorer:
    """The process-wide runner for these settings (built once, reused by every call). A new
    runner checks its judge first, so a missing key or a dead endpoint stops the run at once."""
    options = resolve_options(kwargs)

    def build() -> BackgroundScorer:
        config = config_from_options(options)
        runner = BackgroundScorer(PermScorer(config),
                                  null_reward=resolve_null_reward(options.get("null_reward"), config),
                                  max_failed=max_failed_samples(options))
        try:
            runner.run(runner.scorer.check())
        except BaseException:
            runner.close()
            raise
        return runner

    return _RUNNERS.get(json.dumps(options, sort_keys=True, default=str), build)


def _merge(items: Sequence[Sample | Refused], scored: Sequence[ScoreResult],
           runner: BackgroundScorer) -> list[ScoreResult]:
    """Scored results and refusals back in input order; the watch sees them all."""
    it = iter(scored)
    config, judge = runner.scorer.config, runner.scorer.identity
    out = [next(it) if isinstance(x, Sample) else refused_result(x, config, judge=judge)
           for x in items]
    runner.watch.observe(out)
    runner.watch.check(out)  # JudgeUnavailable after max_failed samples in a row with no reward
    return out


def engine_score(runner: BackgroundScorer, items: Sequence[Sample | Refused]) -> list[ScoreResult]:
    """Score the samples among `items` (blocking); refused ones become explicit failures."""
    samples = [x for x in items if isinstance(x, Sample)]
    return _merge(items, runner.score(samples) if samples else [], runner)


async def engine_ascore(runner: BackgroundScorer, items: Sequence[Sample | Refused]
                        ) -> list[ScoreResult]:
    """Awaitable twin of `engine_score`."""
    samples = [x for x in items if isinstance(x, Sample)]
    return _merge(items, await runner.ascore(samples) if samples else [], runner)


def shared_flags(runner: BackgroundScorer, items: Sequence[Sample | Refused]) -> list[float]:
    """Per item: 1.0 when its reply holds a line the runner's window has seen given to several
    seekers, 0.0 when not, NaN for a refused item or one without a reply."""
    return runner.lines.flags([it if isinstance(it, Sample) else None for it in items])
