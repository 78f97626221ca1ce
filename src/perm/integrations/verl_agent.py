"""Multi-turn PERM for verl: an agent loop (`verl.experimental.agent_loop`) in which the policy
talks with a simulated seeker and the episode reward is the trajectory's reward.

    export PERM_ENV_CONFIG=env.yaml      # seeker, turns, reward, judge (docs/multiturn.md)
    python -m verl.trainer.main_ppo --config-path "$PWD/recipes/verl" --config-name perm_grpo \\
        actor_rollout_ref.rollout.mode=async \\
        actor_rollout_ref.rollout.agent.agent_loop_config_path=recipes/verl/perm_seeker_agent.yaml \\
        actor_rollout_ref.rollout.agent.default_agent_loop=perm_seeker

verl's `AgentLoopWorker` runs `PermSeekerAgentLoop.run` once per sample, each in its own
coroutine: the policy's turn comes from verl's LLM server (in tokens); the turn is played in the
process-wide environment (`perm.integrations.episodes`), where the turns of all episodes are
judged and answered together; the seeker's message is appended as a user turn through verl's
own Continuous Token builder (response mask 0: never trained). The episode ends on the env's
stops or when `rollout.response_length` leaves no room, and its reward becomes the trajectory's
`reward_score` (verl then skips its reward loop); per-turn PERM rewards go to
`extra_fields["turn_scores"]` and the episode's flat fields to `extra_fields["perm"]`. The
sample's context comes from `extra_info` (`perm convert verl` writes it).
"""
from __future__ import annotations

from typing import Any
from uuid import uuid4

from verl.experimental.agent_loop.agent_loop import AgentLoopBase, AgentLoopOutput, register

from perm.integrations.episodes import env_runner_for, episode_fields

MIN_TURN_TOKENS = 8  # less room than this for the next policy turn ends the episode


@register("perm_seeker")
class PermSeekerAgentLoop(AgentLoopBase):  # type: ignore[misc]  # verl's class is untyped
    """A conversation with a simulated seeker, scored per turn with PERM."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("tools", None)  # verl hands every agent loop its tool list; there are none here
        super().__init__(*args, **kwargs)
        self.response_length = int(self.rollout_config.response_length)

    async def run(self, sampling_params: dict[str, Any], **kwargs: Any) -> AgentLoopOutput:
        runner = env_runner_for()
        messages = list(kwargs["raw_prompt"])
        ep = runner.start(kwargs.get("extra_info"), field="extra_info")
        request_id = uuid4().hex
        ids = await self.ct_build_initial_tokens(messages)
        mask: list[int] = []
        logprobs: list[float] | None = None
        metrics: dict[str, Any] = {}
        while True:
            out = await self.server_manager.generate(request_id=request_id, prompt_ids=ids,
                                                     sampling_params=sampling_params)
            if metrics.get("num_preempted") is None:
                metrics["num_preempted"] = out.num_preempted if out.num_preempted is not None else -1
            merged, mask, logprobs = await self.ct_merge_assistant_token(
                ids, out.token_ids, mask, logprobs if (logprobs or out.log_probs) else None,
                assistant_logprobs=out.log_probs or None)
            ids = merged.token_ids
            text = self.tokenizer.decode(out.token_ids, skip_special_tokens=True)
            await runner.step(ep, text, len(out.token_ids))
            if ep.done:
                break
            if len(mask) + MIN_TURN_TOKENS >= self.response_length:
                runner.finish(ep, "length")
                break
            before = [*messages, {"role": "assistant", "content": text}]
            messages = [*before, {"role": "user", "content": ep.seeker_message()}]
            merged, new_mask, new_logprobs = await self.ct_merge_context_msg(before, messages, ids, mask,
                                                                             logprobs or None)
            if len(new_mask) + MIN_TURN_TOKENS >= self.response_length:
                runner.finish(ep, "length")
                break
            ids, mask = merged.token_ids, new_mask
            logprobs = new_logprobs if logprobs else logprobs
        score = runner.reward(ep)
        n = len(mask)
        limit = self.response_length
        return AgentLoopOutput(
            prompt_ids=ids[:len(ids) - n], response_ids=ids[len(ids) - n:][:limit],
            response_mask=mask[:limit], response_logprobs=logprobs[:limit] if logprobs else None,
            reward_score=score, num_turns=2 * len(ep.turns) + 1, metrics=metrics,
            extra_fields={"turn_scores": [t.score.reward if t.score is not None else None
                                          for t in ep.turns],
                          "perm": episode_fields(ep, score, runner.lines)})
