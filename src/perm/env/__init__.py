"""Multi-turn PERM: a simulated seeker answers the policy turn by turn; every policy turn is
scored with the PERM perspectives given the whole history; the episode reward combines the
per-turn rewards with the seeker's own report (docs/multiturn.md).

    from perm.env import SeekerEnv
    env = SeekerEnv({"seeker": {"backend": "openai", "model": "gpt-4o-mini"},
                     "scoring": {"judge": {"backend": "openai", "model": "gpt-4o-mini"}}})
    episodes = asyncio.run(env.run(samples, policy))

Engine adapters: `perm.integrations.openrlhf_agent` (OpenRLHF), `perm.integrations.verl_agent`
(verl), `perm.train.multiturn` (TRL `rollout_func`).
"""
from .answer import SeekerAnswer, parse_seeker_answer
from .behaviour import SeekerBehaviour, behaviour_of
from .config import EndReason, EnvConfig, EpisodeRewardConfig, build_env_config, load_env_config
from .environment import Policy, SafetyCheck, SeekerEnv
from .episode import Episode, EpisodeTurn
from .reward import EpisodeReward, episode_reward
from .seeker import Seeker, SeekerReport, create_seeker_model

__all__ = [
    "EndReason", "EnvConfig", "Episode", "EpisodeReward", "EpisodeRewardConfig", "EpisodeTurn",
    "Policy", "SafetyCheck", "Seeker", "SeekerAnswer", "SeekerBehaviour", "SeekerEnv",
    "SeekerReport", "behaviour_of", "build_env_config", "create_seeker_model", "episode_reward",
    "load_env_config", "parse_seeker_answer",
]
