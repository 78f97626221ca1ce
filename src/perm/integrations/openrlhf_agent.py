"""Multi-turn PERM for OpenRLHF: an `AgentExecutor` file for `--train.agent_func_path`.

    export PERM_ENV_CONFIG=env.yaml          # seeker, turns, reward, judge (docs/multiturn.md)
    python -m openrlhf.cli.train_ppo_ray ... --train.agent_func_path \\
        $(python -c "import perm.integrations.openrlhf_agent as m; print(m.__file__)") \\
        --data.label_key perm                # the sample's context, as `perm convert openrlhf` writes it

OpenRLHF's `MultiTurnAgentExecutor` (`openrlhf/utils/agent.py`) runs one `AgentInstance` per
prompt: `reset` with the prompt and its label, then `step` after each policy turn. Here `reset`
starts the episode of the label's sample and `step` plays the turn in the process-wide
environment (`perm.integrations.episodes`), where concurrent turns of all episodes are judged
and answered together. While the episode goes on, the step's feedback is the seeker's message
rendered by the policy's chat template, and its reward 0; the last step carries the episode
reward (OpenRLHF sums the steps' rewards), per-episode logs in `extra_logs`, and `done`. An
episode the token budget cuts short ends as `length` and is rewarded as far as it got.
Absolute imports only: OpenRLHF loads this file by path.
"""
from __future__ import annotations

from typing import Any

import torch
from openrlhf.utils.agent import AgentInstanceBase, MultiTurnAgentExecutor

from perm.env.chat import seeker_turn_text
from perm.env.episode import Episode
from perm.integrations.common import strip_trailing_specials
from perm.integrations.episodes import BackgroundEnv, env_runner_for, episode_fields

MIN_TURN_TOKENS = 8  # less room than this for the next policy turn ends the episode


class AgentInstance(AgentInstanceBase):  # type: ignore[misc]  # OpenRLHF's class is untyped
    """One episode: the prompt's sample in conversation with a simulated seeker."""

    def __init__(self, executor: AgentExecutor | None = None) -> None:
        self.executor = executor
        self.runner: BackgroundEnv | None = None
        self.episode: Episode | None = None

    async def reset(self, states: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Start the episode of the label's sample; the observation stays the prompt."""
        self.runner = env_runner_for()
        self.episode = self.runner.start(states["label"], field="label")
        return {"observation": states["observation"]}

    async def step(self, state_dict: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Play the policy's turn; the seeker's answer as feedback, or the episode reward."""
        runner, ep = self.runner, self.episode
        if runner is None or ep is None:
            raise RuntimeError("AgentInstance.step before reset")
        text = strip_trailing_specials(str(state_dict["action_text"]))
        tok = self.executor.tokenizer if self.executor is not None else None
        await runner.step(ep, text, _count(tok, text))
        params = state_dict.get("sampling_params")
        if not ep.done:
            feedback = seeker_turn_text(tok, ep.seeker_message(), _eos(tok)) if tok is not None else ""
            budget = getattr(params, "max_tokens", None)
            left = None if budget is None else budget - (_count(tok, text) or 0) - (_count(tok, feedback) or 0)
            if tok is None or (left is not None and left < MIN_TURN_TOKENS):
                runner.finish(ep, "length")
            else:
                zero = torch.tensor(0.0)
                return {"rewards": zero, "scores": zero, "environment_feedback": feedback,
                        "done": False, "sampling_params": params, "extra_logs": {}}
        score = runner.reward(ep)
        logs = {f"perm/{k}": v for k, v in episode_fields(ep, score, runner.lines).items() if k != "score"}
        return {"rewards": torch.tensor(score), "scores": torch.tensor(score),
                "environment_feedback": "", "done": True, "sampling_params": params,
                "extra_logs": logs}


class AgentExecutor(MultiTurnAgentExecutor):  # type: ignore[misc]
    """What OpenRLHF loads from `--train.agent_func_path`: its multi-turn executor, with the
    policy's tokenizer handed to each episode (to render the seeker's turn)."""

    def __init__(self) -> None:
        super().__init__(AgentInstance)
        self.tokenizer: Any = None
        self.agent_instance_cls = self._new_instance  # OpenRLHF calls it with no arguments

    def _new_instance(self) -> AgentInstance:
        return AgentInstance(self)

    async def execute(self, prompt: Any, label: Any, sampling_params: Any, max_length: int,
                      hf_tokenizer: Any, llm_engine: Any, images: Any = None) -> Any:
        self.tokenizer = hf_tokenizer
        return await super().execute(prompt, label, sampling_params, max_length, hf_tokenizer,
                                     llm_engine, images)


def _count(tok: Any, text: str) -> int | None:
    if tok is None:
        return None
    return len(tok(text=text, add_special_tokens=False)["input_ids"])


def _eos(tok: Any) -> list[int]:
    return [tok.eos_token_id] if tok.eos_token_id is not None else []
