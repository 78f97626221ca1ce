"""Lazy registry of judge backends: looked up by name, imported only when used.

Two kinds: `chat` backends are chat models (`ChatModel`: prompts in, text out) that judge
through `perm.rating.LLMRater` and can also act as policies; `rater` backends (the embedded
local scorer) rate PERM dimensions directly (`perm.rating.Rater`)."""
from __future__ import annotations

import difflib
import importlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..config import JudgeConfig
from ..errors import BackendNotFound, ConfigError, JudgeUnavailable
from ..extras import BASE_MODULES, install_hint

if TYPE_CHECKING:
    from ..rating import Rater
    from .base import ChatModel
    from .cache import ResponseCache

Kind = Literal["chat", "rater"]


@dataclass(frozen=True)
class BackendInfo:
    name: str
    target: str  # "module:Class"
    extra: str | None  # pip extra that provides its dependencies
    needs: tuple[str, ...]  # importable modules it requires
    summary: str
    defaults: tuple[tuple[str, Any], ...] = ()
    kind: Kind = "chat"

    def available(self) -> bool:
        return not self.missing()

    def missing(self) -> list[str]:
        """Required modules that are not installed."""
        return [m for m in self.needs if importlib.util.find_spec(m) is None]

    def install(self, modules: Sequence[str] | None = None) -> str:
        """The pip command(s) that install `modules` (default: everything it needs)."""
        mods = self.needs if modules is None else modules
        cmds = dict.fromkeys(install_hint(m, self.extra) for m in mods
                             if modules is not None or m not in BASE_MODULES)
        return " && ".join(cmds) or "built in"


_BACKENDS: dict[str, BackendInfo] = {}


def register(info: BackendInfo) -> None:
    _BACKENDS[info.name] = info


for _info in (
    BackendInfo("local", "perm.judges.local:LocalRater", "local",
                ("onnxruntime", "onnx", "tokenizers", "safetensors"),
                "embedded offline PERM scorer (perm-minilm-v2, ships with the package); the default",
                kind="rater"),
    BackendInfo("openai", "perm.judges.openai:OpenAIChat", None, ("aiohttp",),
                "any OpenAI-compatible chat endpoint (OpenAI, DeepSeek, vLLM, SGLang, llama.cpp, Ollama)"),
    BackendInfo("ollama", "perm.judges.openai:OpenAIChat", None, ("aiohttp",),
                "OpenAI-compatible endpoint with Ollama's default URL",
                (("base_url", ["http://127.0.0.1:11434/v1"]),)),
    BackendInfo("hf", "perm.judges.hf:HFChat", "hf", ("torch", "transformers"),
                "a local transformers chat model as an LLM judge (batched generation, CPU or GPU)"),
    BackendInfo("vllm", "perm.judges.vllm:VLLMChat", "vllm", ("vllm",),
                "an in-process vLLM engine as an LLM judge (GPU)"),
    BackendInfo("fake", "perm.judges.fake:FakeJudge", None, (),
                "deterministic scriptable judge for tests, docs and demos (scores are meaningless)"),
):
    register(_info)


def backends() -> dict[str, BackendInfo]:
    return dict(_BACKENDS)


def get_backend(name: str) -> BackendInfo:
    try:
        return _BACKENDS[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(_BACKENDS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise BackendNotFound(
            f"unknown judge backend '{name}'{hint} (known: {', '.join(sorted(_BACKENDS))})") from None


def _load(info: BackendInfo, config: JudgeConfig) -> Any:
    missing = info.missing()
    if missing:
        raise JudgeUnavailable(f"judge backend '{info.name}' needs {', '.join(missing)}, which "
                               f"is not installed. Install it with: {info.install(missing)}")
    updates = {k: v for k, v in info.defaults if not getattr(config, k)}
    if updates:
        config = config.model_copy(update=updates)
    module_name, cls_name = info.target.split(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls(config)


def create_chat_model(config: JudgeConfig) -> ChatModel:
    """The chat backend named by `config.backend` (an error for rater-only backends)."""
    info = get_backend(config.backend)
    if info.kind != "chat":
        chats = ", ".join(n for n, b in sorted(_BACKENDS.items()) if b.kind == "chat")
        raise ConfigError(f"the '{info.name}' judge rates single outputs directly and cannot "
                          f"answer prompts; pick a chat backend ({chats})")
    model: ChatModel = _load(info, config)
    return model


def create_rater(config: JudgeConfig, *, fused: bool = False,
                 cache: ResponseCache | None = None) -> Rater:
    """The rater for `config.backend`: the local scorer itself, or a chat model as judge."""
    info = get_backend(config.backend)
    if info.kind == "rater":
        rater: Rater = _load(info, config)
        return rater
    from ..rating import LLMRater

    return LLMRater(create_chat_model(config), config, fused=fused, cache=cache)
