"""perm-reward: PERM, the psychology-grounded empathy reward model.

    from perm import PermScorer, Sample
    scorer = PermScorer({"judge": {"backend": "local"}})
    results = scorer.score([Sample(persona=..., scenario=..., query=..., completion=...)])

Imports stay light: judge backends and heavy libraries load only when used.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
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
    "create_judge": "perm.judges.registry",
    "Judge": "perm.judges.base",
    "PermError": "perm.errors",
}
__all__ = sorted(_LAZY)

if TYPE_CHECKING:
    from .completion import split_completion
    from .config import JudgeConfig, ScoringConfig, load_config
    from .data import load_samples
    from .errors import PermError
    from .judges.base import Judge
    from .judges.registry import create_judge
    from .scoring import PermScorer, combine
    from .types import Sample, ScoreResult, Turn


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'perm' has no attribute {name!r}")
