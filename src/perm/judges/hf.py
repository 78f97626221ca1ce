"""`hf`: a local transformers chat model as an LLM judge (batched generation, CPU or GPU).

`--model` is a Hugging Face model directory / id, a `.gguf` file (loaded through
transformers' GGUF support), or `smollm2` for the packaged SmolLM2-135M-Instruct.
Options (`options:` in the config): `batch_size` (8), `device` ("auto"), `dtype` ("auto").
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..config import JudgeConfig
from ..errors import ConfigError, JudgeUnavailable
from ..models import resolve_model
from ..types import Message
from .base import ChatModel, SamplingParams
from .batching import MicroBatcher

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


class HFChat(ChatModel):
    name = "hf"
    role = "judge"  # what the model is used as, in error messages

    def __init__(self, config: JudgeConfig | None = None) -> None:
        super().__init__(config or JudgeConfig(backend="hf"))
        opts = self.config.options
        self.batch_size = int(opts.get("batch_size", 8))
        self._device, self._dtype = str(opts.get("device", "auto")), str(opts.get("dtype", "auto"))
        # Any: a causal LM's generate() and a tokenizer's __call__ are not on transformers'
        # PreTrainedModel / PreTrainedTokenizerBase types
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

        try:
            path, gguf = resolve_model(self.config.model)
        except ConfigError as e:  # the judge cannot work at all: say which extra is missing
            raise JudgeUnavailable(f"hf judge: {e}") from None
        kw: dict[str, Any] = {"gguf_file": gguf} if gguf else {}
        device = self._resolved_device()
        dtype = (torch.bfloat16 if device.startswith("cuda") else torch.float32) \
            if self._dtype == "auto" else getattr(torch, self._dtype)
        tok = AutoTokenizer.from_pretrained(path, **kw)
        self._install(AutoModelForCausalLM.from_pretrained(path, dtype=dtype, **kw), tok, device)

    def _resolved_device(self) -> str:
        import torch

        return ("cuda" if torch.cuda.is_available() else "cpu") if self._device == "auto" else self._device

    def _install(self, model: PreTrainedModel, tok: PreTrainedTokenizerBase, device: str) -> None:
        """Use `model` (moved to `device`, eval mode) and `tok` (left padding for batched
        generation, with a pad token)."""
        tok.padding_side = "left"
        if tok.pad_token is None:
            tok.pad_token = tok.eos_token
        self._tok = tok
        # transformers wraps `to` with functools.wraps(nn.Module.to), which mypy reads as unbound
        self._model = model.to(device).eval()  # type: ignore[arg-type]

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
            raise JudgeUnavailable(f"hf {self.role} could not load {self.model!r}: {e}") from None

    async def aclose(self) -> None:
        await self._batcher.aclose()
