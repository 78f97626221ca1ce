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
        "multi_turn.seeker.backend": kw["seeker"], "multi_turn.seeker.model": kw["seeker_model"],
        "multi_turn.seeker.base_url": list(kw["seeker_base_url"]) or None,
        "multi_turn.turns": kw["turns"],
    }
    return {k: v for k, v in flags.items() if v is not None}


EPILOG = """\b
Examples:
  perm train -c cpu-smollm2                  # packaged SmolLM2 on a CPU, offline local judge
  perm train -c cpu-smollm2 --dry-run        # print the resolved recipe and data split
  perm train -c paper-qwen2.5-7b --judge openai --judge-model gpt-4o-mini
  perm train -c cpu-smollm2 --multi-turn --turns 3 \\
      --seeker openai --seeker-model gpt-4o-mini --seeker-base-url http://127.0.0.1:8080/v1
"""


@click.command(epilog=EPILOG)
@click.option("--config", "-c", "recipe", metavar="FILE|NAME", required=True,
              help="Training recipe: a YAML file, or the name of a packaged recipe "
                   "(`perm recipes list`), e.g. cpu-smollm2.")
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
@click.option("--multi-turn", is_flag=True,
              help="Multi-turn GRPO: each prompt is a conversation with a simulated seeker, every "
                   "policy turn scored with PERM (the recipe's multi_turn section; docs/multiturn.md).")
@click.option("--seeker", default=None, help="Seeker backend for --multi-turn: openai, ollama, hf, vllm, fake.")
@click.option("--seeker-model", default=None, help="Seeker model name (--multi-turn).")
@click.option("--seeker-base-url", multiple=True, help="OpenAI-compatible seeker URL (--multi-turn).")
@click.option("--turns", type=click.IntRange(1, 50), default=None, help="Policy turns per episode (--multi-turn).")
@click.option("--overwrite", is_flag=True, help="Replace old checkpoints in the output dir.")
@click.option("--dry-run", is_flag=True, help="Print the resolved recipe and data split, then stop.")
@click.option("--no-check-judge", is_flag=True, help="Skip the up-front judge availability check.")
def train(recipe: str, dry_run: bool, overwrite: bool, no_check_judge: bool, multi_turn: bool,
          **kw: Any) -> None:
    """Train a policy with GRPO (TRL) and PERM rewards.

    The reward is three TRL reward functions (empathy, bystander, length) sharing one judge pass
    per batch. Progress shows the reward; metrics go to OUTPUT_DIR/metrics.jsonl, curves to
    OUTPUT_DIR/reward_curves.png, the final policy (adapter with LoRA) to OUTPUT_DIR/final.

    With --multi-turn each prompt becomes a conversation with a simulated seeker (--seeker,
    --turns N): the model being trained writes every policy turn, PERM scores each turn given
    the conversation so far, and the reward is the episode reward (discounted turn mean plus
    the seeker's final report; docs/multiturn.md). Only the policy's tokens are trained.

    Multi-GPU: `accelerate launch --config_file recipes/accelerate/zero3.yaml -m perm.train ...`.
    """
    from ..recipebook import resolve
    from ..train.config import dump_train_config, load_train_config, parse_assignment

    recipe = str(resolve(recipe))
    sets = [parse_assignment(item) for item in kw["assignments"]]
    overrides = _overrides(kw)
    if not multi_turn and any(k.startswith("multi_turn.") for k in overrides):
        raise click.UsageError("--seeker, --seeker-model, --seeker-base-url and --turns need --multi-turn")
    if multi_turn:
        from ..config import read_yaml_mapping

        has_section = isinstance(read_yaml_mapping(recipe, "recipe").get("multi_turn"), dict)
        named = "multi_turn.seeker.backend" in overrides or any(
            k.startswith("multi_turn.seeker") for k, _ in sets)
        if not has_section and not named:
            raise click.UsageError("--multi-turn needs a seeker: --seeker BACKEND (or a multi_turn: "
                                   "section in the recipe)")
    cfg = load_train_config(recipe, overrides, assignments=sets)
    if not multi_turn and cfg.multi_turn is not None:
        cfg.multi_turn = None  # the recipe can hold the section; --multi-turn turns it on
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
