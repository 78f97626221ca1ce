"""One `SeekerEnv` per process for the engines' multi-turn agent loops (verl, OpenRLHF).

The engines run each episode in its own coroutine, on their own event loop (or several). The
environment runs on a private daemon loop instead, as the single-turn adapters' scorer does
(`perm.integrations.runner`): every episode's turn is submitted there, where concurrent turns
are gathered into one batch (`SeekerEnv.step_one`), so all their judge and seeker calls are in
flight together, on connections that live on one loop.

Settings come from keyword arguments or the environment: `PERM_ENV_CONFIG` (a YAML env config:
seeker, turns, end_on, reward, scoring; required, since the seeker must be named),
`PERM_JUDGE` / `PERM_JUDGE_MODEL` / `PERM_JUDGE_BASE_URL` (override its judge),
`PERM_NULL_REWARD` (the reward an episode without one reports: the per-turn reward floor by
default) and `PERM_MAX_FAILED_SAMPLES` (episodes in a row without a reward before
`JudgeUnavailable` stops the run; 0 never).
"""
from __future__ import annotations

import asyncio
import json
import math
import os
import threading
from collections.abc import Mapping
from typing import Any

from perm.env import EnvConfig, Episode, SeekerEnv, build_env_config, load_env_config
from perm.errors import ConfigError, JudgeUnavailable
from perm.integrations.common import decode_context, resolve_null_reward, sample_from_context
from perm.integrations.loop import LoopThread, PerProcess
from perm.integrations.runner import max_failed_samples
from perm.shared_lines import SharedLineWindow
from perm.signs import SIGN_FIELDS
from perm.types import Sample

_ENV = {"env_config": "PERM_ENV_CONFIG", "judge": "PERM_JUDGE", "model": "PERM_JUDGE_MODEL",
        "base_url": "PERM_JUDGE_BASE_URL", "null_reward": "PERM_NULL_REWARD",
        "max_failed_samples": "PERM_MAX_FAILED_SAMPLES"}
#: The flat per-episode fields an engine logs (floats; NaN where nothing was measured).
EPISODE_FIELDS = ("score", "turns_term", "final_term", "turns_played", "turn_reward_mean",
                  "seeker_feeling", "need_met", "missing", "ended_early", *SIGN_FIELDS,
                  "shared_line")


def env_config_from(options: Mapping[str, Any]) -> EnvConfig:
    """The env config of `options["env_config"]` (a YAML path or a mapping), with the judge
    overrides applied."""
    raw = options.get("env_config")
    if raw is None:
        raise ConfigError("the multi-turn adapters need an env config naming the seeker: set "
                          "PERM_ENV_CONFIG to a YAML file (docs/multiturn.md)")
    data = (json.loads(json.dumps(dict(raw))) if isinstance(raw, Mapping)
            else load_env_config(str(raw)).model_dump(mode="json"))
    judge = dict((data.get("scoring") or {}).get("judge") or {})
    for key in ("judge", "model", "base_url"):
        if options.get(key) is not None:
            judge["backend" if key == "judge" else key] = options[key]
    if judge:
        data["scoring"] = {**(data.get("scoring") or {}), "judge": judge}
    return build_env_config(data, "PERM_ENV_CONFIG")


class BackgroundEnv:
    """A SeekerEnv whose coroutines run on a dedicated daemon loop; awaitable from any loop."""

    def __init__(self, env: SeekerEnv, *, null_reward: float, max_failed: int) -> None:
        self.env = env
        self.null_reward = null_reward
        self.max_failed = max_failed
        self.failed_in_a_row = 0
        self.last_reason = ""
        self._lock = threading.Lock()
        #: lines said to many seekers lately (`perm.shared_lines`): `shared_line` of an episode
        self.lines = SharedLineWindow()
        self._loop = LoopThread("perm-env")

    def start(self, context: Any, *, field: str, episode_id: str | None = None) -> Episode:
        """A new episode of the sample an engine carries (label / extra_info)."""
        ctx = decode_context(context, field=field)
        sample: Sample = sample_from_context(ctx, "", field=field)
        sample = Sample(sample.persona, sample.scenario, sample.query, sample.id,
                        sample.hidden_intention, sample.history,
                        extra={k: v for k, v in ctx.items() if k == "seeker"})
        return self.env.start(sample, episode_id)

    async def step(self, episode: Episode, output: str | None, tokens: int | None = None) -> None:
        """Play one turn of `episode` (batched on the env's loop with concurrent turns)."""
        await asyncio.wrap_future(self._loop.submit(self.env.step_one(episode, output, tokens)))

    def finish(self, episode: Episode, end: Any) -> None:
        """End an episode early (the engine's length budget) and compute its reward."""
        self.env.finish(episode, end)

    def reward(self, episode: Episode) -> float:
        """The episode reward, or `null_reward` when it has none; counts episodes without one
        and stops the run (JudgeUnavailable) after `max_failed` in a row."""
        value = None if episode.reward is None else episode.reward.reward
        with self._lock:
            if value is None:
                self.failed_in_a_row += 1
                missing = episode.reward.missing if episode.reward is not None else []
                self.last_reason = "; ".join(missing[:2])[:300] or f"ended: {episode.end}"
            else:
                self.failed_in_a_row = 0
            tripped = 0 < self.max_failed <= self.failed_in_a_row and value is None
        if tripped:
            raise JudgeUnavailable(f"PERM could not reward {self.failed_in_a_row} episodes in a row "
                                   f"(last reason: {self.last_reason}); check the judge and the "
                                   "seeker (their URLs and keys, `perm judges`)")
        return self.null_reward if value is None else float(value)

    def run(self, coro: Any) -> Any:
        return self._loop.run(coro)

    def close(self) -> None:
        self._loop.close(self.env.aclose())


def episode_fields(episode: Episode, score: float, lines: SharedLineWindow | None = None
                   ) -> dict[str, float]:
    """An ended episode as flat floats for an engine's logs (`EPISODE_FIELDS`); `sign_<name>`
    is the share of its policy turns that showed that shortcut sign (`perm.signs`), and
    `shared_line` the share that hold a line `lines` (the runner's window, which the episode's
    turns join) has lately seen given to several seekers (NaN without a window, or without a
    turn with a reply)."""
    r = episode.reward
    nan = math.nan
    rewards = [t.score.reward for t in episode.turns if t.score is not None and t.score.reward is not None]
    last = episode.turns[-1].seeker if episode.turns else None

    def num(v: float | None) -> float:
        return nan if v is None else float(v)

    return {"score": score, "turns_term": num(None if r is None else r.terms.get("turns")),
            "final_term": num(None if r is None else r.terms.get("final")),
            "turns_played": float(len(episode.turns)),
            "turn_reward_mean": sum(rewards) / len(rewards) if rewards else nan,
            "seeker_feeling": num(None if last is None else last.feeling),
            "need_met": num(None if last is None else last.need_value),
            "missing": 1.0 if r is None or r.reward is None else 0.0,
            "ended_early": 0.0 if episode.end == "turns" else 1.0,
            **{f"sign_{n}": v for n, v in episode.sign_shares().items()},
            "shared_line": nan if lines is None else episode.shared_line_share(lines)}


def resolve(kwargs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Settings from kwargs, else the PERM_* environment variables (None where unset)."""
    kwargs = kwargs or {}
    return {k: kwargs.get(k) if kwargs.get(k) is not None else (os.environ.get(env) or None)
            for k, env in _ENV.items()}


_RUNNERS: PerProcess[BackgroundEnv] = PerProcess()
#: Close every environment (judge and seeker connections); also done at exit.
close_all = _RUNNERS.close_all


def env_runner_for(kwargs: Mapping[str, Any] | None = None) -> BackgroundEnv:
    """The process-wide environment for these settings (built and checked once)."""
    options = resolve(kwargs)

    def build() -> BackgroundEnv:
        env = SeekerEnv(env_config_from(options))
        runner = BackgroundEnv(env, null_reward=resolve_null_reward(options.get("null_reward"),
                                                                    env.scorer.config),
                               max_failed=max_failed_samples(options))
        try:
            runner.run(env.check())
        except BaseException:
            runner.close()
            raise
        return runner

    return _RUNNERS.get(json.dumps(options, sort_keys=True, default=str), build)
