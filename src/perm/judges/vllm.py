"""`vllm`: an in-process vLLM engine as an LLM judge (GPU). Calls are micro-batched into
`LLM.chat` so vLLM's continuous batching sees full batches.

Options: `batch_size` (64), `tensor_parallel_size` (1), `gpu_memory_utilization` (0.85),
`max_model_len` (8192). For a shared judge across many trainers, prefer `vllm serve` plus the
`openai` backend instead.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..config import JudgeConfig
from ..errors import JudgeUnavailable
from ..types import Message
from .base import ChatModel, SamplingParams
from .batching import MicroBatcher


def to_vllm_params(params: SamplingParams) -> dict[str, Any]:
    """Our sampling settings as vLLM SamplingParams keyword arguments."""
    kw: dict[str, Any] = {"temperature": params.temperature, "max_tokens": params.max_tokens}
    if params.top_p is not None:
        kw["top_p"] = params.top_p
    if params.seed is not None:
        kw["seed"] = params.seed
    return kw


class VLLMChat(ChatModel):
    name = "vllm"

    def __init__(self, config: JudgeConfig | None = None) -> None:
        super().__init__(config or JudgeConfig(backend="vllm"))
        if not self.config.model:
            raise JudgeUnavailable("the vllm judge needs --model (a Hugging Face id or local path)")
        self.opts = dict(self.config.options)
        self._llm: Any = None
        self._batcher = MicroBatcher(self._generate, max_batch=int(self.opts.get("batch_size", 64)))

    def max_concurrency(self) -> int | None:
        return int(self.opts.get("batch_size", 64)) * 2

    def load(self) -> None:
        if self._llm is None:
            from vllm import LLM

            self._llm = LLM(model=self.config.model,
                            tensor_parallel_size=int(self.opts.get("tensor_parallel_size", 1)),
                            gpu_memory_utilization=float(self.opts.get("gpu_memory_utilization", 0.85)),
                            max_model_len=int(self.opts.get("max_model_len", 8192)))

    def _generate(self, batch: list[Sequence[Message]], params: SamplingParams) -> list[str]:
        from vllm import SamplingParams as VSP

        self.load()
        outs = self._llm.chat([list(m) for m in batch], VSP(**to_vllm_params(params)), use_tqdm=False)
        return [o.outputs[0].text if o.outputs else "" for o in outs]

    async def complete(self, messages: Sequence[Message], params: SamplingParams) -> str:
        return await self._batcher.submit(messages, params)

    async def check(self) -> None:
        import asyncio

        await asyncio.to_thread(self.load)

    async def aclose(self) -> None:
        await self._batcher.aclose()
