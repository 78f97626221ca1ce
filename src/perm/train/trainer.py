"""Assemble and run TRL's GRPOTrainer with PERM rewards from a `TrainConfig`.

`build_trainer(cfg)` returns a ready `TrainRun` (trainer, data split, reward state) without
training; `run_training(cfg)` trains, saves the final policy, plots, and writes `run_info.json`.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..data import sample_to_dict
from ..errors import ConfigError
from ..policy import POLICY_PROMPT_VERSION
from ..rewards.trl import PermRewardState, perm_reward_funcs
from ..types import Sample
from .config import TrainConfig, dump_train_config
from .dataset import load_split, to_dataset
from .models import load_model, load_tokenizer, lora_config

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from ..judges.base import ChatModel

log = logging.getLogger(__name__)
HELDOUT_FILE = "heldout.jsonl"
RUN_INFO_FILE = "run_info.json"
#: Our replacements of TRL functions, so that installing one twice is a no-op.
_PATCHES: list[object] = []


@dataclass
class TrainRun:
    config: TrainConfig
    trainer: GRPOTrainer
    train_samples: list[Sample]
    heldout_samples: list[Sample]
    reward_state: PermRewardState
    resume: str | None = None
    info: dict[str, Any] = field(default_factory=dict)
    rollout: Any = None  # the multi-turn rollout (perm.train.multiturn.SeekerRollout), if any


def grpo_args(cfg: TrainConfig) -> GRPOConfig:
    """The trl.GRPOConfig a recipe stands for (`grpo.extra` may set any other field)."""
    import torch
    from trl import GRPOConfig

    g = cfg.grpo
    bf16 = g.bf16 if g.bf16 is not None else bool(
        torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    kwargs: dict[str, Any] = dict(
        output_dir=str(cfg.output_dir), seed=cfg.seed, data_seed=cfg.seed,
        learning_rate=g.learning_rate, beta=g.beta, num_generations=g.num_generations,
        max_completion_length=g.max_completion_length, num_train_epochs=g.num_train_epochs,
        max_steps=g.max_steps, per_device_train_batch_size=g.per_device_train_batch_size,
        gradient_accumulation_steps=g.gradient_accumulation_steps, temperature=g.temperature,
        top_p=g.top_p, lr_scheduler_type=g.lr_scheduler_type, warmup_steps=g.warmup_steps,
        bf16=bf16, fp16=False,
        use_vllm=g.use_vllm, vllm_mode=g.vllm_mode,
        save_strategy="steps", save_steps=cfg.save_steps, save_total_limit=cfg.save_total_limit,
        logging_steps=cfg.logging_steps, report_to=cfg.report_to or "none",
        log_completions=cfg.log_completions, remove_unused_columns=False, disable_tqdm=False,
        dataloader_pin_memory=torch.cuda.is_available(),
        # several processes (torchrun / accelerate) and no accelerator: tell transformers, or
        # each process silently trains alone on the whole batch instead of its shard over gloo
        use_cpu=not _has_accelerator() and int(os.environ.get("WORLD_SIZE", "1")) > 1,
    )
    # transformers 5 renamed gradient_checkpointing (TRL defaults it to True: set it either way)
    names = {f.name for f in dataclasses.fields(GRPOConfig)}
    ckpt = "activation_checkpointing" if "activation_checkpointing" in names else "gradient_checkpointing"
    kwargs[ckpt] = cfg.model.gradient_checkpointing
    kwargs.update(g.extra)
    try:
        return GRPOConfig(**kwargs)
    except (TypeError, ValueError) as e:  # TRL's own checks, e.g. batch vs num_generations
        raise ConfigError(f"grpo: {e}") from None


def _has_accelerator() -> bool:
    """A GPU or other torch accelerator (CUDA, ROCm, MPS, XPU, ...) this process can use."""
    import torch

    acc = getattr(torch, "accelerator", None)  # torch >= 2.6
    return bool(acc.is_available()) if acc is not None else torch.cuda.is_available()


def compact_logprobs_on_cpu() -> bool:
    """Make TRL score only completion positions on CPU too (3-10x faster CPU steps).

    TRL's fused LM head projects every position (prompt included) through the vocabulary off
    Triton devices, so that shapes stay fixed for Neuron compilers; on CPU that only wastes time.
    Same math, fewer rows (see tests/train/test_cpu_logprobs.py). Returns whether it applied.
    """
    try:
        from trl.trainer import utils as trl_utils
    except ImportError:
        return False
    original = getattr(trl_utils, "_use_triton", None)
    if original is None or any(original is p for p in _PATCHES):
        return original is not None

    def use_compact(device: torch.device) -> bool:
        return bool(original(device)) or getattr(device, "type", None) == "cpu"

    _PATCHES.append(use_compact)
    trl_utils._use_triton = use_compact
    return True


def resolve_resume(cfg: TrainConfig) -> str | None:
    """The checkpoint directory to resume from (None: fresh run)."""
    spec = cfg.resume_from_checkpoint
    if not spec:
        return None
    if spec == "latest":
        from transformers.trainer_utils import get_last_checkpoint

        last = (get_last_checkpoint(str(cfg.output_dir))  # type: ignore[no-untyped-call]  # unannotated in transformers
                if cfg.output_dir.is_dir() else None)
        if last is None:
            raise ConfigError(f"--resume latest: no checkpoint-* directory in {cfg.output_dir}")
        return str(last)
    if not (Path(spec) / "trainer_state.json").is_file():
        raise ConfigError(f"--resume {spec}: not a checkpoint directory (no trainer_state.json)")
    return spec


def prepare_output_dir(cfg: TrainConfig, *, resume: str | None, overwrite: bool) -> None:
    """Refuse to mix a fresh run into old checkpoints unless asked to replace them."""
    out = cfg.output_dir
    old = sorted(out.glob("checkpoint-*")) if out.is_dir() else []
    if old and resume is None:
        if not overwrite:
            raise ConfigError(f"{out} already holds checkpoints ({old[-1].name}); pass --resume latest "
                              f"to continue, --overwrite to start again, or another --output-dir")
        for ckpt in old:
            shutil.rmtree(ckpt, ignore_errors=True)  # every rank may try; one wins
    out.mkdir(parents=True, exist_ok=True)


def ensure_reference_source(model: PreTrainedModel, cfg: TrainConfig, *, fresh: bool) -> None:
    """Give TRL a path to rebuild the reference model of a full fine-tune from.

    TRL reloads the reference from `config._name_or_path`; a randomly initialised or
    GGUF-converted policy has no such checkpoint, so save the initial weights in the run dir.
    """
    if cfg.lora.enabled or cfg.grpo.beta == 0:
        return  # LoRA: the reference is the model with its adapter disabled; beta 0: none
    src = str(getattr(model.config, "_name_or_path", "") or "")
    loadable = bool(src) and (Path(src) / "config.json").is_file()
    hub_id = bool(src) and not Path(src).exists() and cfg.model.random_init is None
    if loadable or hub_id:
        return
    from accelerate import PartialState

    target = cfg.output_dir / "initial-policy"
    with PartialState().main_process_first():  # one process writes, the others then read
        if PartialState().is_main_process and (fresh or not (target / "config.json").is_file()):
            model.save_pretrained(target)
    model.config._name_or_path = str(target)


def build_trainer(cfg: TrainConfig, *, base_dir: Path | None = None, judge: ChatModel | None = None,
                  check_judge: bool = True, overwrite: bool = False) -> TrainRun:
    """Load data, policy and judge, and assemble a GRPOTrainer (nothing is trained yet)."""
    from transformers import set_seed
    from transformers.trainer_callback import ProgressCallback
    from trl import GRPOTrainer

    from .callbacks import MetricsLogger, PlotCallback, RewardProgressBar

    resume = resolve_resume(cfg)
    if cfg.grpo.cpu_compact_logprobs:
        compact_logprobs_on_cpu()
    train_samples, heldout = load_split(cfg.data, base_dir)
    state = PermRewardState(cfg.scoring, judge=judge, max_failed_batches=cfg.max_failed_batches)
    rollout = None
    if cfg.multi_turn is not None:  # episodes with a simulated seeker; the env scores them
        from .multiturn import SeekerRollout, episode_reward_funcs

        rollout = SeekerRollout(cfg.multi_turn, train_samples, scorer=state.scorer,
                                history_as_turns=cfg.data.history_as_turns,
                                max_failed_batches=cfg.max_failed_batches)
        if check_judge:
            rollout.check()
        reward_funcs: list[Any] = list(episode_reward_funcs())
    else:
        reward_funcs = perm_reward_funcs(state=state)
        if check_judge:
            state.check()  # fail before loading a model when the judge cannot work at all
    args = grpo_args(cfg)
    prepare_output_dir(cfg, resume=resume, overwrite=overwrite)
    set_seed(cfg.seed)
    tokenizer = load_tokenizer(cfg.model)
    model = load_model(cfg.model, tokenizer, seed=cfg.seed)
    ensure_reference_source(model, cfg, fresh=resume is None)
    callbacks: list[TrainerCallback] = [MetricsLogger(cfg.output_dir)]
    if cfg.plot:
        callbacks.append(PlotCallback(cfg.output_dir))
    trainer = GRPOTrainer(
        model=model, reward_funcs=reward_funcs, args=args,
        train_dataset=to_dataset(train_samples, history_as_turns=cfg.data.history_as_turns),
        processing_class=tokenizer, peft_config=lora_config(cfg.lora), callbacks=callbacks,
        rollout_func=rollout)
    if trainer.pop_callback(ProgressCallback) is not None:
        trainer.add_callback(RewardProgressBar())
    policy = trainer.model
    assert policy is not None  # GRPOTrainer always holds the policy; transformers types it Optional
    info = {"policy_prompt_version": POLICY_PROMPT_VERSION, "judge": state.scorer.identity,
            "train_prompts": len(train_samples), "heldout_prompts": len(heldout),
            "trainable_params": _count_params(policy, trainable=True),
            "total_params": _count_params(policy, trainable=False)}
    if rollout is not None:
        info.update(seeker=rollout.env.seeker.identity, turns=cfg.multi_turn.turns if cfg.multi_turn else None)
    return TrainRun(cfg, trainer, train_samples, heldout, state, resume, info, rollout)


def _count_params(model: torch.nn.Module, *, trainable: bool) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable)


def write_heldout(run: TrainRun) -> Path:
    """The held-out prompts, for before/after evaluation with exactly the same scenarios."""
    path = run.config.output_dir / HELDOUT_FILE
    with path.open("w", encoding="utf-8") as fh:
        for s in run.heldout_samples:
            fh.write(json.dumps(sample_to_dict(s), ensure_ascii=False) + "\n")
    return path


def run_training(run: TrainRun) -> dict[str, Any]:
    """Train, save the final policy to OUTPUT_DIR/final, and summarise the run."""
    cfg, trainer = run.config, run.trainer
    out = cfg.output_dir
    if trainer.is_world_process_zero():
        (out / "perm_train_config.yaml").write_text(dump_train_config(cfg), encoding="utf-8")
        write_heldout(run)
    started = time.time()
    try:
        result = trainer.train(resume_from_checkpoint=run.resume)
    finally:
        if run.rollout is not None:
            run.rollout.close()
        close_reward_state(run)
    wall = time.time() - started
    trainer.save_model(str(out / "final"))
    summary = {**run.info, "global_step": trainer.state.global_step,
               "resumed_from": run.resume, "wall_seconds": round(wall, 1),
               "seconds_per_step": round(wall / max(1, trainer.state.global_step - _start_step(run)), 2),
               "train_metrics": result.metrics, "judge_stats": run.reward_state.scorer.stats.as_dict(),
               "batches_scored": run.reward_state.batches, "seed": cfg.seed,
               "device": _device_summary()}
    if trainer.is_world_process_zero():
        (out / RUN_INFO_FILE).write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    return summary


def close_reward_state(run: TrainRun) -> None:
    """Close the judge's connections in the event loop TRL ran the async rewards in."""
    import asyncio

    loop = getattr(run.trainer, "async_loop", None)
    try:
        if loop is not None and loop.is_running():
            asyncio.run_coroutine_threadsafe(run.reward_state.aclose(), loop).result(timeout=30)
        else:
            asyncio.run(run.reward_state.aclose())
    except Exception as e:  # closing must never hide the training outcome
        log.warning("could not close the judge cleanly: %s", e)


def _device_summary() -> dict[str, Any]:
    import torch

    if not torch.cuda.is_available():
        return {"type": "cpu", "threads": torch.get_num_threads()}
    return {"type": "cuda", "name": torch.cuda.get_device_name(0), "count": torch.cuda.device_count(),
            "max_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2)}


def _start_step(run: TrainRun) -> int:
    if not run.resume:
        return 0
    state = json.loads((Path(run.resume) / "trainer_state.json").read_text(encoding="utf-8"))
    return int(state.get("global_step", 0))
