"""`perm train` (GRPO with PERM rewards) and `perm plot` (reward curves as PNG)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import ConfigError


def _overrides(kw: dict[str, Any]) -> dict[str, Any]:
    """CLI flags -> dotted recipe overrides (None: keep the recipe's value)."""
    flags = {
        "grpo.max_steps": kw["max_steps"], "output_dir": kw["output_dir"], "seed": kw["seed"],
        "model.name_or_path": kw["model"], "model.gguf_file": kw["gguf_file"],
        "scoring.judge.backend": kw["judge"], "scoring.judge.model": kw["judge_model"],
        "scoring.judge.base_url": list(kw["judge_base_url"]) or None,
        "resume_from_checkpoint": kw["resume"], "save_steps": kw["save_steps"],
        "report_to": [r for r in kw["report_to"] if r != "none"] if kw["report_to"] else None,
    }
    return {k: v for k, v in flags.items() if v is not None}


@click.command()
@click.option("--config", "-c", "recipe", type=click.Path(dir_okay=False, exists=True), required=True,
              help="Training recipe (YAML), e.g. recipes/cpu-smollm2.yaml.")
@click.option("--max-steps", type=int, default=None, help="Stop after N optimizer steps.")
@click.option("--output-dir", "-o", default=None, help="Checkpoints, logs and plots go here.")
@click.option("--model", default=None,
              help="Policy model (HF id, local dir or package:NAME); clears the recipe's gguf_file "
                   "unless --gguf-file is given too.")
@click.option("--gguf-file", default=None, help="GGUF file of the policy model.")
@click.option("--judge", "-j", default=None,
              help="Judge backend for the reward: local, openai, ollama, hf, vllm, fake.")
@click.option("--judge-model", default=None, help="Judge model name (e.g. gpt-4o-mini).")
@click.option("--judge-base-url", multiple=True, help="OpenAI-compatible judge URL (repeatable).")
@click.option("--seed", type=int, default=None, help="Random seed.")
@click.option("--resume", default=None, metavar="latest|DIR",
              help="Resume from the newest checkpoint in the output dir, or from DIR.")
@click.option("--save-steps", type=int, default=None, help="Checkpoint every N steps.")
@click.option("--report-to", multiple=True,
              type=click.Choice(["tensorboard", "wandb", "none"]), help="Experiment trackers.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="Override any recipe field, e.g. --set grpo.learning_rate=5e-6 (repeatable).")
@click.option("--overwrite", is_flag=True, help="Replace old checkpoints in the output dir.")
@click.option("--dry-run", is_flag=True, help="Print the resolved recipe and data split, then stop.")
@click.option("--no-check-judge", is_flag=True, help="Skip the up-front judge availability check.")
def train(recipe: str, dry_run: bool, overwrite: bool, no_check_judge: bool, **kw: Any) -> None:
    """Train a policy with GRPO (TRL) and PERM rewards.

    The reward is three TRL reward functions (empathy, bystander, length) sharing one judge pass
    per batch. Progress shows the reward; metrics go to OUTPUT_DIR/metrics.jsonl, curves to
    OUTPUT_DIR/reward_curves.png, the final policy (adapter with LoRA) to OUTPUT_DIR/final.
    Multi-GPU: `accelerate launch --config_file recipes/accelerate/zero3.yaml -m perm.train ...`.
    """
    from ..train.config import dump_train_config, load_train_config, parse_assignment

    sets = [parse_assignment(item) for item in kw["assignments"]]
    cfg = load_train_config(recipe, _overrides(kw), assignments=sets)
    if kw["model"] and not kw["gguf_file"]:
        cfg.model.gguf_file = None  # the recipe's GGUF file belongs to the recipe's model
    if dry_run:
        from ..train.dataset import load_split

        train_s, dev_s = load_split(cfg.data)
        click.echo(dump_train_config(cfg))
        click.echo(f"# {len(train_s)} training prompts, {len(dev_s)} held out")
        return
    from ..train.trainer import build_trainer, run_training

    run = build_trainer(cfg, check_judge=not no_check_judge, overwrite=overwrite)
    info = run.info
    main = run.trainer.is_world_process_zero()  # one report per run, not one per process
    if main:
        click.echo(f"policy {cfg.model.name_or_path}: {info['trainable_params']:,} trainable of "
                   f"{info['total_params']:,} parameters; judge {info['judge']}; "
                   f"{info['train_prompts']} prompts ({info['heldout_prompts']} held out)"
                   + (f"; resuming from {run.resume}" if run.resume else ""), err=True)
    summary = run_training(run)
    if main:
        last = _last_reward(cfg.output_dir)
        click.echo(f"done: {summary['global_step']} steps in {summary['wall_seconds']:.0f} s "
                   f"({summary['seconds_per_step']:.2f} s/step)"
                   + (f", last reward {last:.3f}" if last is not None else "")
                   + f"; policy in {cfg.output_dir / 'final'}", err=True)


def _last_reward(run_dir: Path) -> float | None:
    from ..train.plot import read_history, series

    try:
        _, ys = series(read_history(run_dir), "reward")
    except Exception:  # nothing logged is not an error worth failing a finished run for
        return None
    return ys[-1] if ys else None


@click.command()
@click.argument("run", type=click.Path(exists=True))
@click.option("--out", "-o", type=click.Path(dir_okay=False), default=None,
              help="PNG to write [RUN/reward_curves.png].")
@click.option("--window", type=int, default=None, help="Moving-average window [a tenth of the steps].")
@click.option("--title", default=None, help="Figure title.")
def plot(run: str, out: str | None, window: int | None, title: str | None) -> None:
    """Draw reward curves (per term and per dimension) of a training run as PNG.

    RUN is a `perm train` output dir, its metrics.jsonl, or a dir with checkpoint-*/trainer_state.json.
    """
    from ..train.plot import plot_run

    if window is not None and window < 1:
        raise ConfigError("--window must be at least 1")
    click.echo(str(plot_run(run, out, window=window, title=title)))
