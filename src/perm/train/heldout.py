"""Before/after check of a policy on held-out prompts: generate, score with PERM, summarise.

    python -m perm.train.heldout run --config recipes/cpu-smollm2.yaml \
        --prompts RUN/heldout.jsonl [--checkpoint RUN/final] --out base.jsonl
    python -m perm.train.heldout compare base.jsonl trained.jsonl

The base policy and a trained checkpoint are compared with the same prompts, decoding settings,
seed and scoring config (the recipe's), so the difference is the training alone.
"""
from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ..config import ScoringConfig
from ..policy import build_messages
from ..scoring import PermScorer
from ..types import Sample, ScoreResult
from .config import ModelSection, load_train_config


def load_policy(model_cfg: ModelSection, checkpoint: str | Path | None, *, seed: int = 0) -> tuple[Any, Any]:
    """(model, tokenizer): the recipe's base policy, plus a LoRA adapter or a full checkpoint."""
    from .models import load_model, load_tokenizer

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


def generate(model: Any, tokenizer: Any, samples: Sequence[Sample], *, max_new_tokens: int,
             temperature: float, top_p: float = 1.0, num_samples: int = 1, seed: int = 0,
             batch_size: int = 8, history_as_turns: bool = False) -> list[list[str]]:
    """`num_samples` completions per sample (sampling when temperature > 0, else greedy)."""
    import torch

    model.eval()
    tokenizer.padding_side = "left"
    prompts = [tokenizer.apply_chat_template(build_messages(s, history_as_turns=history_as_turns),
                                             tokenize=False, add_generation_prompt=True) for s in samples]
    out: list[list[str]] = [[] for _ in samples]
    for k in range(num_samples):
        torch.manual_seed(seed + k)  # the same draws for every policy compared
        for start in range(0, len(prompts), batch_size):
            chunk = prompts[start:start + batch_size]
            enc = tokenizer(chunk, return_tensors="pt", padding=True, add_special_tokens=False)
            with torch.no_grad():
                ids = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=temperature > 0,
                                     temperature=temperature if temperature > 0 else None,
                                     top_p=top_p if temperature > 0 else None,
                                     pad_token_id=tokenizer.pad_token_id)
            for i, row in enumerate(ids[:, enc["input_ids"].shape[1]:]):
                out[start + i].append(tokenizer.decode(row, skip_special_tokens=True))
    return out


def summarise(results: Sequence[ScoreResult]) -> dict[str, Any]:
    """Mean reward (over completions that have one) and its parts, with a 95% interval."""
    rewards = [r.reward for r in results if r.reward is not None]
    summary: dict[str, Any] = {"n": len(results), "n_rewarded": len(rewards)}
    if rewards:
        sd = statistics.stdev(rewards) if len(rewards) > 1 else 0.0
        summary.update(reward_mean=statistics.fmean(rewards), reward_sd=sd,
                       reward_ci95=1.96 * sd / math.sqrt(len(rewards)))
    for term in ("empathy", "bystander", "length"):
        vals = [r.terms[term] for r in results if r.terms.get(term) is not None]
        summary[f"{term}_mean"] = statistics.fmean(vals) if vals else None  # type: ignore[arg-type]
    for dim in ("resonation", "expression", "reception", "bystander"):
        vals = [r.scores[dim] for r in results if r.scores.get(dim) is not None]
        summary[f"score_{dim}"] = statistics.fmean(vals) if vals else None  # type: ignore[arg-type]
    summary["format_ok_rate"] = sum(r.format_ok for r in results) / len(results) if results else None
    summary["mean_tokens"] = statistics.fmean(r.tokens for r in results) if results else None
    return summary


def evaluate(samples: Sequence[Sample], completions: Sequence[Sequence[str]],
             scoring: ScoringConfig) -> tuple[list[tuple[Sample, str, ScoreResult]], dict[str, Any]]:
    """Score every completion with the recipe's scorer; rows and a summary."""
    from dataclasses import replace

    flat = [replace(s, completion=c) for s, cs in zip(samples, completions) for c in cs]
    with PermScorer(scoring) as scorer:
        results = scorer.score(flat)
    rows = [(s, s.completion or "", r) for s, r in zip(flat, results)]
    return rows, summarise(results)


@click.group()
def main() -> None:
    """Held-out before/after checks of a policy trained with `perm train`."""


@main.command("run")
@click.option("--config", "-c", "recipe", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--prompts", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Held-out prompts (JSONL), e.g. RUN/heldout.jsonl written by perm train.")
@click.option("--checkpoint", default=None, type=click.Path(exists=True, file_okay=False),
              help="LoRA adapter or full model dir; omit for the base policy.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Scored completions (JSONL).")
@click.option("--num-samples", default=2, show_default=True, help="Completions per prompt.")
@click.option("--temperature", default=0.7, show_default=True, help="0 = greedy.")
@click.option("--top-p", default=1.0, show_default=True)
@click.option("--max-new-tokens", type=int, default=None, help="[the recipe's max_completion_length]")
@click.option("--seed", default=1234, show_default=True)
@click.option("--batch-size", default=8, show_default=True)
def run_cmd(recipe: str, prompts: str, checkpoint: str | None, out: str, num_samples: int,
         temperature: float, top_p: float, max_new_tokens: int | None, seed: int, batch_size: int) -> None:
    """Generate on held-out prompts with a policy and score the completions with PERM."""
    from ..data import load_samples, sample_to_dict

    cfg = load_train_config(recipe)
    samples = load_samples(prompts).samples
    started = time.time()
    model, tokenizer = load_policy(cfg.model, checkpoint, seed=cfg.seed)
    completions = generate(model, tokenizer, samples, max_new_tokens=max_new_tokens or cfg.grpo.max_completion_length,
                           temperature=temperature, top_p=top_p, num_samples=num_samples, seed=seed,
                           batch_size=batch_size, history_as_turns=cfg.data.history_as_turns)
    gen_s = time.time() - started
    rows, summary = evaluate(samples, completions, cfg.scoring)
    summary.update(checkpoint=checkpoint or "base", prompts=len(samples), num_samples=num_samples,
                   temperature=temperature, top_p=top_p, seed=seed, judge=rows[0][2].judge if rows else None,
                   generate_seconds=round(gen_s, 1), total_seconds=round(time.time() - started, 1))
    with open(out, "w", encoding="utf-8") as fh:
        for sample, _, res in rows:
            fh.write(json.dumps({**sample_to_dict(sample), **res.to_dict()}, ensure_ascii=False) + "\n")
    click.echo(json.dumps(summary, indent=2))


def paired(base: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]], *,
           resamples: int = 2000, seed: int = 0) -> dict[str, Any]:
    """Paired comparison of two scored files over the same (prompt, draw) pairs.

    Rows pair by id and order of appearance; pairs where either side has no reward are left
    out (and counted). The 95% interval bootstraps over prompts, so draws of one prompt move together.
    """
    import random

    from ..evaluate.stats import sign_test

    def index(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, int], float | None]:
        seen: dict[str, int] = {}
        out: dict[tuple[str, int], float | None] = {}
        for r in rows:
            k = seen.get(r["id"], 0)
            seen[r["id"]] = k + 1
            out[(r["id"], k)] = r.get("reward")
        return out

    a, b = index(base), index(new)
    keys = [k for k in a if k in b and a[k] is not None and b[k] is not None]
    by_prompt: dict[str, list[float]] = {}
    for k in keys:
        by_prompt.setdefault(k[0], []).append(b[k] - a[k])  # type: ignore[operator]
    diffs = [d for ds in by_prompt.values() for d in ds]
    if not diffs:
        return {"pairs": 0, "unpaired_or_missing": len(set(a) | set(b))}
    rng = random.Random(seed)
    groups = list(by_prompt.values())
    boots = []
    for _ in range(resamples):
        pick = [d for _ in groups for d in rng.choice(groups)]
        boots.append(statistics.fmean(pick))
    boots.sort()
    per_prompt = [statistics.fmean(g) for g in groups]
    better, worse = sum(d > 0 for d in per_prompt), sum(d < 0 for d in per_prompt)
    return {"pairs": len(diffs), "prompts": len(groups),
            "prompts_better": better, "prompts_worse": worse,
            "p_sign_prompts": sign_test(better, worse),  # over prompts: draws are not independent
            "unpaired_or_missing": len(set(a) | set(b)) - len(keys),
            "mean_diff": statistics.fmean(diffs),
            "ci95": [boots[int(0.025 * resamples)], boots[int(0.975 * resamples) - 1]],
            "win_rate": sum(d > 0 for d in diffs) / len(diffs),
            "tie_rate": sum(d == 0 for d in diffs) / len(diffs)}


@main.command("compare")
@click.argument("base", type=click.Path(exists=True, dir_okay=False))
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
def compare_cmd(base: str, new: str) -> None:
    """Paired reward difference NEW - BASE over the same held-out prompts and draws."""
    def read(path: str) -> list[dict[str, Any]]:
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

    click.echo(json.dumps(paired(read(base), read(new)), indent=2))


if __name__ == "__main__":
    main()
