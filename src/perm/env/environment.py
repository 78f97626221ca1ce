"""`SeekerEnv`: the simulated-seeker environment, turn-synchronous over a batch of episodes.

Each `step` takes the policy's next output for every live episode of a batch and, all at once:
scores every output with PERM given its episode's whole history (one `PermScorer.ascore` call
for the batch), asks every episode's seeker for its answer and report (one `ChatCaller`, one
cap), and runs the optional safety check. A batch of episodes therefore costs about one
(judge or seeker) round trip per turn, not one per episode. Then each episode either goes on or
ends: turn limit, need met, seeker left, format or safety stop, or a seeker / policy failure
(an explicit end, never a made-up answer). A finished episode gets its reward
(`perm.env.reward`).

Engines that run each episode in its own coroutine call `step_one`; concurrent calls are
gathered into batches (`perm.env.batching`). `run` plays whole episodes with a policy
(`perm simulate`, the TRL rollout).
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from ..completion import split_completion
from ..errors import ConfigError
from ..judges.base import ChatModel
from ..rating import Rater
from ..scoring import PermScorer
from ..signs import signs_of
from ..types import Message, Sample, Turn
from .batching import StepBatcher
from .behaviour import behaviour_of
from .config import EndReason, EnvConfig, build_env_config
from .episode import Episode, EpisodeTurn
from .reward import episode_reward
from .seeker import Seeker, SeekerReport, create_seeker_model

#: A policy for `run`: the next output for each prompt (None: no output, and why is lost).
Policy = Callable[[Sequence[Sequence[Message]]], Awaitable[list[str | None]]]
#: An optional safety check: for each reply a reason to stop, or None.
SafetyCheck = Callable[[Sequence[str]], Awaitable[list[str | None]]]


class SeekerEnv:
    """Episodes with a simulated seeker, scored turn by turn with PERM.

    >>> import asyncio
    >>> env = SeekerEnv({"seeker": {"backend": "fake"}, "turns": 2,
    ...                  "scoring": {"judge": {"backend": "fake"}}})
    >>> ep = env.start(Sample("A nurse.", "She was passed over.", "it's fine. I'm fine.", id="s1"))
    >>> asyncio.run(env.step([ep], ["# Analysis\\nHurt.\\n# Response\\nThat sounds hard."]))
    >>> len(ep.turns), ep.done, ep.turns[0].seeker.need_met
    (1, False, 'no')
    """

    def __init__(self, config: EnvConfig | Mapping[str, Any], *, scorer: PermScorer | None = None,
                 rater: Rater | None = None, judge: ChatModel | None = None,
                 seeker: ChatModel | None = None, safety: SafetyCheck | None = None,
                 max_wait: float = 0.005) -> None:
        self.config = config if isinstance(config, EnvConfig) else build_env_config(config)
        self.scorer = scorer or PermScorer(self.config.scoring, rater=rater, judge=judge)
        self.seeker = Seeker(seeker or create_seeker_model(self.config.seeker), self.config.seeker)
        self.safety = safety
        self.batcher = StepBatcher(self.step, max_wait=max_wait)

    @property
    def identity(self) -> dict[str, str]:
        """Who judged and who played the seeker (recorded with every transcript)."""
        return {"judge": self.scorer.identity, "seeker": self.seeker.identity}

    def start(self, sample: Sample, episode_id: str | None = None) -> Episode:
        """A new episode of `sample` (DataError when its `seeker` behaviour is malformed)."""
        return Episode(episode_id or sample.id or "episode", sample, behaviour_of(sample))

    async def check(self) -> None:
        """Fail fast (JudgeUnavailable) when the judge or the seeker cannot work at all."""
        await asyncio.gather(self.scorer.check(), self.seeker.check())

    async def aclose(self) -> None:
        await self.batcher.aclose()
        await asyncio.gather(self.scorer.aclose(), self.seeker.aclose())

    # -- one turn of a batch -------------------------------------------------------------------
    async def step(self, episodes: Sequence[Episode], outputs: Sequence[str | None],
                   tokens: Sequence[int | None] | None = None) -> None:
        """Play one turn of every episode: score, let the seeker answer, decide who goes on."""
        if len(outputs) != len(episodes):
            raise ConfigError(f"step: {len(outputs)} outputs for {len(episodes)} episodes")
        if any(ep.done for ep in episodes):
            raise ConfigError("step: an episode that has ended cannot take another turn")
        turns: list[EpisodeTurn] = []
        scored: list[int] = []
        asked: list[int] = []
        for i, (ep, out) in enumerate(zip(episodes, outputs)):
            if out is None:
                turns.append(EpisodeTurn(len(ep.turns) + 1, None, "", stop="the policy gave no output"))
                continue
            parsed = split_completion(out)
            response = parsed.response if parsed.format_ok else (parsed.response or out.strip())
            turn = EpisodeTurn(len(ep.turns) + 1, out, response)
            if not parsed.format_ok and self.config.stop_on_format_error:
                turn.stop = f"format: {parsed.problem}"
            else:
                asked.append(i)
            turns.append(turn)
            scored.append(i)
        samples = [episodes[i].judge_sample(outputs[i] or "") for i in scored]
        for i, sample in zip(scored, samples):
            turns[i].signs = signs_of(sample)
        counts = None if tokens is None else [tokens[i] for i in scored]
        conversations = {i: [*episodes[i].conversation(), Turn("assistant", turns[i].response)]
                         for i in asked}
        results, replies, flags = await asyncio.gather(
            self.scorer.ascore(samples, tokens=counts),
            asyncio.gather(*(self.seeker.respond(episodes[i].sample, episodes[i].behaviour,
                                                 conversations[i]) for i in asked)),
            self._check_safety([turns[i].response for i in asked]))
        for i, result in zip(scored, results):
            turns[i].score = result
        for i, reply, flag in zip(asked, replies, flags):
            if flag is not None:
                turns[i].stop = f"safety: {flag}"  # the seeker's answer to an unsafe reply is dropped
            else:
                turns[i].seeker = reply
        for ep, turn in zip(episodes, turns):
            ep.turns.append(turn)
            end = self._end_of(ep, turn)
            if end is not None:
                self.finish(ep, end)

    async def step_one(self, episode: Episode, output: str | None, tokens: int | None = None) -> None:
        """One episode's turn, batched with the other episodes' concurrent calls."""
        await self.batcher.submit(episode, output, tokens)

    def finish(self, episode: Episode, end: EndReason) -> None:
        """End an episode (e.g. an engine's length limit) and compute its reward."""
        if episode.done:
            return
        episode.end = end
        if end != "turns" and episode.turns and episode.turns[-1].stop is None:
            episode.turns[-1].stop = end
        episode.reward = episode_reward(episode.turn_values(), episode.final_report(), end,
                                        self.config.reward)

    def _end_of(self, ep: Episode, turn: EpisodeTurn) -> EndReason | None:
        if turn.output is None:
            return "policy_error"
        if turn.stop is not None:
            return "format" if turn.stop.startswith("format") else "safety"
        seeker: SeekerReport | None = turn.seeker
        if seeker is None or (seeker.message is None and seeker.staying):
            return "seeker_error"
        if "need_met" in self.config.end_on and seeker.need_met == "yes":
            return "need_met"
        if not seeker.staying and ("left" in self.config.end_on or seeker.message is None):
            return "left"
        if len(ep.turns) >= self.config.turns:
            return "turns"
        return None

    async def _check_safety(self, responses: Sequence[str]) -> list[str | None]:
        if self.safety is None or not responses:
            return [None] * len(responses)
        flags = list(await self.safety(list(responses)))
        if len(flags) != len(responses):
            raise ConfigError(f"safety check returned {len(flags)} answers for {len(responses)} replies")
        return flags

    # -- whole episodes ----------------------------------------------------------------------
    async def run(self, samples: Sequence[Sample], policy: Policy, *,
                  ids: Sequence[str] | None = None,
                  on_episode: Callable[[Episode], None] | None = None) -> list[Episode]:
        """Play every sample's episode to its end, turn-synchronously (one policy batch and one
        `step` per turn); `on_episode` fires as each episode ends."""
        episodes = [self.start(s, ids[k] if ids is not None else None) for k, s in enumerate(samples)]
        live = list(episodes)
        while live:
            outputs = await policy([ep.policy_messages() for ep in live])
            if len(outputs) != len(live):
                raise ConfigError(f"the policy returned {len(outputs)} outputs for {len(live)} prompts")
            await self.step(live, outputs)
            for ep in live:
                if ep.done and on_episode is not None:
                    on_episode(ep)
            live = [ep for ep in live if not ep.done]
        return episodes

