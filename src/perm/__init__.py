"""perm-reward: PERM, the psychology-grounded empathy reward model.

    import perm
    r = perm.score(persona=..., scenario=..., query=..., completion=...)   # one ScoreResult
    rs = perm.score_batch([{"persona": ..., ...}, ...])                    # many, in order
    model, tokenizer = perm.load_policy("smollm2")                         # a trainable policy

Imports stay light: judge backends and heavy libraries load only when used.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

_LAZY = {
    "score": "perm.api",
    "score_batch": "perm.api",
    "ascore": "perm.api",
    "ascore_batch": "perm.api",
    "load_policy": "perm.train.models",
    "PermScorer": "perm.scoring",
    "combine": "perm.scoring",
    "ScoringConfig": "perm.config",
    "JudgeConfig": "perm.config",
    "load_config": "perm.config",
    "Sample": "perm.types",
    "Turn": "perm.types",
    "ScoreResult": "perm.types",
    "load_samples": "perm.data",
    "split_completion": "perm.completion",
    "create_rater": "perm.judges.registry",
    "create_chat_model": "perm.judges.registry",
    "ChatModel": "perm.judges.base",
    "Judge": "perm.judges.base",
    "Rater": "perm.rating",
    "Rating": "perm.rating",
    "PermError": "perm.errors",
}
__all__ = sorted(_LAZY)

if TYPE_CHECKING:
    from .api import ascore, ascore_batch, score, score_batch
    from .completion import split_completion
    from .config import JudgeConfig, ScoringConfig, load_config
    from .data import load_samples
    from .errors import PermError
    from .judges.base import ChatModel, Judge
    from .judges.registry import create_chat_model, create_rater
    from .rating import Rater, Rating
    from .scoring import PermScorer, combine
    from .train.models import load_policy
    from .types import Sample, ScoreResult, Turn


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'perm' has no attribute {name!r}")
