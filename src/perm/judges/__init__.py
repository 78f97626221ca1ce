"""Judge backends. Create one through the registry so its dependencies load lazily:
`create_rater` (what `PermScorer` uses) or `create_chat_model` (a chat model for any role)."""
from .base import ChatModel, Judge, SamplingParams
from .registry import BackendInfo, backends, create_chat_model, create_rater, get_backend, register

__all__ = ["BackendInfo", "ChatModel", "Judge", "SamplingParams", "backends", "create_chat_model",
           "create_rater", "get_backend", "register"]
