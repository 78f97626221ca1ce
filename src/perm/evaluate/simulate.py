"""`perm simulate`: a policy talks with a simulated seeker for up to N turns per scenario; every
policy turn is scored with PERM; one transcript line per episode (resumable).

The policy is any `perm generate` backend (an OpenAI-compatible endpoint, a transformers model,
the fake). Episodes run in batches, turn-synchronously (`perm.env.SeekerEnv.run`), so each turn
of a batch costs about one judge / seeker round trip.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..calling import ChatCaller
from ..env import Episode, SeekerEnv
from ..env.prompt import SEEKER_PROMPT_VERSION
from ..errors import ConfigError
from ..judges.base import ChatModel
from ..perspectives import RUBRIC_VERSION
from ..policy import POLICY_PROMPT_VERSION
from ..runs import ResumableRun, Stamp, drive, sample_digest
from ..runs.provenance import digest, scoring_digest
from ..types import Message, Sample
from .generate import PolicySpec

#: How to resolve a refused resume of `perm simulate`.
SIMULATE_HINT = "use another -o, or pass --overwrite to discard them and start over"


def parse_policy(text: str) -> tuple[str, str | None]:
    """`BACKEND[:MODEL]` -> (backend, model): `fake`, `openai:gpt-4o-mini`, `hf:smollm2`.

    >>> parse_policy("openai:Qwen/Qwen2.5-7B-Instruct")
    ('openai', 'Qwen/Qwen2.5-7B-Instruct')
    """
    backend, _, model = text.partition(":")
    if backend not in ("openai", "hf", "fake"):
        raise ConfigError(f"POLICY: expected openai:MODEL, hf:MODEL or fake, got {text!r}")
    return backend, model or None


@dataclass(frozen=True)
class Job:
    sample: Sample

    @property
    def key(self) -> str:
        return self.sample.id or ""


def chat_policy(chat: ChatModel, spec: PolicySpec) -> Callable[[Sequence[Sequence[Message]]], Any]:
    """A `perm.env.Policy` over a chat model: every prompt of a turn in flight at once (under
    the policy's concurrency cap); a prompt the policy could not answer gives None."""
    callers: list[ChatCaller] = []

    async def policy(prompts: Sequence[Sequence[Message]]) -> list[str | None]:
        if not callers:  # made on the loop that plays the episodes (its semaphore lives there)
            callers.append(ChatCaller(chat, spec.judge_config(), rubric_version=POLICY_PROMPT_VERSION))
        outs = await asyncio.gather(*(callers[0].generate(p) for p in prompts))
        return [None if out.parsed is None else out.parsed.text for out in outs]

    return policy


def settings_of(env: SeekerEnv) -> dict[str, Any]:
    """The environment settings a transcript records (and a resumed run must match)."""
    cfg = env.config
    return {"turns": cfg.turns, "end_on": list(cfg.end_on),
            "stop_on_format_error": cfg.stop_on_format_error, "seeker_prompt": SEEKER_PROMPT_VERSION,
            "seeker_sampling": {k: getattr(cfg.seeker, k) for k in ("temperature", "max_tokens",
                                                                     "top_p", "seed")},
            "reward": cfg.reward.model_dump(mode="json")}


def simulation_stamp(env: SeekerEnv, system: str) -> Stamp:
    """What every transcript line records and a resumed run must match: the system, the judge,
    the seeker, and a hash of the scoring and environment settings."""
    settings = {"judge": env.scorer.identity, "seeker": env.seeker.identity,
                "config_hash": digest([scoring_digest(env.config.scoring), settings_of(env)])}
    return Stamp(("system", system), settings,
                 {"judge": "--judge / --model", "seeker": "--seeker / --seeker-model",
                  "config_hash": "the scoring, seeker sampling, --turns or reward settings"})


def simulation_run(output: str | Path, samples: Sequence[Sample], stamp: Stamp, *,
                   overwrite: bool = False) -> ResumableRun[Job]:
    """The resumable run of one transcripts file, keyed by scenario id."""
    return ResumableRun(output, [Job(s) for s in samples], lambda j: j.key, stamp=stamp,
                        digest=lambda j: sample_digest(j.sample), overwrite=overwrite,
                        hint=SIMULATE_HINT)


def transcript(ep: Episode, system: str, env: SeekerEnv, spec: PolicySpec) -> dict[str, Any]:
    """One transcript line: the episode plus who played and judged it, and how."""
    return {**ep.to_dict(), "system": system, **env.identity, "rubric_version": RUBRIC_VERSION,
            "env": settings_of(env), "generation": spec.metadata()}


async def simulate_run(env: SeekerEnv, policy: ChatModel, spec: PolicySpec, run: ResumableRun[Job],
                       *, batch_size: int = 16,
                       on_episode: Callable[[Episode], None] | None = None) -> None:
    """Play the run's pending episodes in batches of `batch_size`, writing each transcript as
    its episode ends. The policy and the environment are checked first and closed in any case."""
    assert run.stamp is not None
    system = run.stamp.producer[1]

    class Both:
        async def check(self) -> None:
            await asyncio.gather(policy.check(), env.check())

        async def aclose(self) -> None:
            await asyncio.gather(policy.aclose(), env.aclose())

    async def work() -> None:
        play = chat_policy(policy, spec)

        def done(ep: Episode) -> None:
            run.write(ep.id, transcript(ep, system, env, spec))
            if on_episode is not None:
                on_episode(ep)

        todo = run.todo
        for start in range(0, len(todo), batch_size):
            batch = [j.sample for j in todo[start:start + batch_size]]
            await env.run(batch, play, ids=[s.id or "" for s in batch], on_episode=done)

    await drive(Both(), [run], work)
