"""Judge backends. Import a backend through `create_judge` so its dependencies load lazily."""
from .base import DirectScorer, Judge, SamplingParams
from .registry import BackendInfo, backends, create_judge, get_backend, register

__all__ = ["BackendInfo", "DirectScorer", "Judge", "SamplingParams", "backends", "create_judge",
           "get_backend", "register"]
