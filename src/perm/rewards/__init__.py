"""Reward adapters for RL frameworks, all thin layers over `perm.scoring`.

`perm.rewards.trl`: TRL `GRPOTrainer` reward functions (`perm_reward_funcs`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["perm_reward_funcs"]

if TYPE_CHECKING:
    from .trl import perm_reward_funcs


def __getattr__(name: str) -> object:
    if name == "perm_reward_funcs":
        from .trl import perm_reward_funcs

        return perm_reward_funcs
    raise AttributeError(f"module 'perm.rewards' has no attribute {name!r}")
