"""A 3-turn episode with a real llama.cpp server (SmolLM2-135M) playing the seeker and the PERM
judge (issue 15, plumbing only: a 135M model neither plays a person nor judges well; these tests
check that the real HTTP path carries every turn through, and that whatever the model could
not do is an explicit missing value with a reason)."""
from __future__ import annotations

import asyncio

import pytest

from perm.env import SeekerEnv
from perm.types import Sample

pytestmark = pytest.mark.integration

OUTPUTS = [f"# Analysis\nTurn {k}: she is tired and feels overlooked.\n# Response\n"
           f"That sounds exhausting. What has been hardest this week ({k})?" for k in (1, 2, 3)]


def test_a_three_turn_episode_with_a_llama_cpp_seeker_and_judge(llama_server):
    chat = {"backend": "openai", "base_url": [llama_server], "model": "smollm2-135m",
            "max_retries": 1, "timeout": 120, "concurrency": 4, "api_key_env": ["PERM_NO_KEY"]}
    # one re-ask for the seeker: the real re-ask path runs, and the test stays within minutes
    env = SeekerEnv({"seeker": {**chat, "max_tokens": 96, "temperature": 0.7, "seed": 1,
                                "max_reasks": 1},
                     "turns": 3, "end_on": [],
                     "scoring": {"judge": {**chat, "max_tokens": 64, "temperature": 0, "max_reasks": 0},
                                 "bystander_coef": 0}})
    sample = Sample("Maya, 29, a night-shift nurse; jokes when things get heavy.",
                    "She was passed over for a promotion she trained for.",
                    "honestly it's fine. I'm just tired.", id="m1",
                    hidden_intention="She wants permission to be disappointed.",
                    extra={"seeker": {"guarded": "high", "leaves_if": "you are told to look on the bright side"}})

    async def play():
        await env.check()
        ep = env.start(sample)
        for out in OUTPUTS:
            if ep.done:
                break
            await env.step([ep], [out])
        await env.aclose()
        return ep

    ep = asyncio.run(play())
    assert env.identity == {"judge": "openai:smollm2-135m", "seeker": "openai:smollm2-135m"}
    assert ep.end == "turns" and [t.index for t in ep.turns] == [1, 2, 3]
    for turn in ep.turns:
        score = turn.score
        assert score is not None and score.judge == "openai:smollm2-135m"
        for dim in ("resonation", "expression", "reception"):  # a score, or why there is none
            assert (score.scores[dim] is not None) != (dim in score.failures)
        seeker = turn.seeker
        assert seeker is not None and seeker.message  # the seeker said something each turn
        if seeker.error is None:
            assert 0 <= seeker.feeling <= 10 and seeker.need_met in ("yes", "partly", "no")
        else:
            assert seeker.feeling is None and "seeker report unusable" in seeker.error
    # the seeker answered the replies of this episode, turn after turn
    assert ep.conversation()[-1].content == ep.turns[-1].seeker.message
    reward = ep.reward
    assert reward is not None and reward.lines[-1].startswith("reward = ")
    assert (reward.reward is None) == bool(reward.missing)
