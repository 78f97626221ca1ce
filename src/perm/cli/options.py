"""Options shared by every command that talks to a judge, and the config they build."""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from ..config import ScoringConfig, load_config

F = Callable[..., Any]


def default_cache_path() -> Path:
    root = os.environ.get("PERM_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "perm-reward")
    return Path(root) / "judge-cache.sqlite"


_JUDGE_OPTIONS = [
    click.option("--judge", "-j", "backend", default=None,
                 help="Judge backend: local (default, offline), openai, ollama, hf, vllm, fake. "
                      "See `perm judges`."),
    click.option("--model", "-m", default=None, help="Judge model name (e.g. gpt-4o-mini)."),
    click.option("--base-url", multiple=True,
                 help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1. Repeat (or "
                      "comma-separate) to spread load over several endpoints."),
    click.option("--config", "-c", "config_file", metavar="FILE|NAME", default=None,
                 help="YAML scoring config, or a packaged one by name (scoring-openai, "
                      "scoring-local; see `perm recipes`); flags override it."),
    click.option("--concurrency", type=int, default=None, help="Judge calls in flight at once [256]."),
    click.option("--rpm", type=float, default=None, help="Requests-per-minute limit [none]."),
    click.option("--timeout", type=float, default=None, help="Seconds per judge request [120]."),
    click.option("--max-retries", type=int, default=None, help="Transport retries per call [4]."),
    click.option("--max-reasks", type=int, default=None,
                 help="Re-asks when an answer has no parsable score [1]."),
    click.option("--temperature", type=float, default=None, help="Judge temperature [0.3]."),
    click.option("--cache", "cache_path", type=click.Path(dir_okay=False), default=None,
                 help="sqlite response cache [~/.cache/perm-reward/judge-cache.sqlite]."),
    click.option("--no-cache", is_flag=True, help="Do not read or write the response cache."),
    click.option("--empathy-mode", type=click.Choice(["harmonic", "mean", "weighted", "geometric"]),
                 default=None, help="How the three empathy scores combine [harmonic]."),
    click.option("--bystander-coef", type=float, default=None,
                 help="Bystander term coefficient: coef*(B/100-1) [0.5]; 0 skips the bystander."),
    click.option("--length-limit", type=int, default=None, help="Free tokens before the length penalty [768]."),
    click.option("--length-coef", type=float, default=None, help="Penalty per extra token [0.001]."),
    click.option("--missing", type=click.Choice(["null", "batch_mean", "available"]), default=None,
                 help="Missing scores: null reward (default), batch-mean imputation (reference "
                      "behaviour) or aggregate what is available."),
    click.option("--on-format-error", type=click.Choice(["penalize", "judge", "null"]), default=None,
                 help="Output without '# Analysis'/'# Response': floor reward without judging "
                      "(default), judge the text anyway, or null reward."),
    click.option("--fused", is_flag=True, default=None,
                 help="One judge call returns all four perspectives (fewer tokens; off by default)."),
]


def judge_options(f: F) -> F:
    for opt in reversed(_JUDGE_OPTIONS):
        f = opt(f)
    return f


def judge_options_for(judge_help: str) -> Callable[[F], F]:
    """The judge options with another `--judge` help (a command whose default differs)."""
    judge = click.option("--judge", "-j", "backend", default=None, help=judge_help)

    def deco(f: F) -> F:
        for opt in reversed([judge, *_JUDGE_OPTIONS[1:]]):
            f = opt(f)
        return f

    return deco


def run_options(f: F) -> F:
    """`--max-failure-rate` and `--overwrite`: the options of every resumable judging run."""
    from ..runs.gate import MAX_FAILURE_RATE

    f = click.option("--overwrite", is_flag=True,
                     help="Discard the results already in the output and start over (needed to "
                          "change the judge or the scoring settings of an existing output).")(f)
    return click.option("--max-failure-rate", type=click.FloatRange(0.0, 1.0),
                        default=MAX_FAILURE_RATE, show_default=True,
                        help="Exit non-zero when more than this share of the judged outputs got no "
                             "usable judge answer; a run where none did always fails.")(f)


def build_scoring_config(kw: dict[str, Any], *, default_cache: bool = True,
                         base: Mapping[str, Any] | None = None) -> ScoringConfig:
    """Merge --config FILE (or `base`, a scoring mapping from another file) with flags (flags
    win) into a validated ScoringConfig."""
    overrides: dict[str, Any] = {
        "judge.backend": kw.pop("backend", None),
        "judge.model": kw.pop("model", None),
        "judge.base_url": [u for raw in kw.pop("base_url", ()) or () for u in raw.split(",") if u] or None,
        "judge.concurrency": kw.pop("concurrency", None),
        "judge.rpm": kw.pop("rpm", None),
        "judge.timeout": kw.pop("timeout", None),
        "judge.max_retries": kw.pop("max_retries", None),
        "judge.max_reasks": kw.pop("max_reasks", None),
        "judge.temperature": kw.pop("temperature", None),
        "empathy_mode": kw.pop("empathy_mode", None),
        "bystander_coef": kw.pop("bystander_coef", None),
        "length_limit": kw.pop("length_limit", None),
        "length_coef": kw.pop("length_coef", None),
        "missing": kw.pop("missing", None),
        "on_format_error": kw.pop("on_format_error", None),
        "fused": kw.pop("fused", None),
    }
    cache_path, no_cache = kw.pop("cache_path", None), kw.pop("no_cache", False)
    config_file = kw.pop("config_file", None)
    if config_file:
        from ..recipebook import resolve

        config_file = str(resolve(config_file))
    cfg = load_config(config_file, overrides, base=base)
    if no_cache:
        cfg.judge.cache = None
    elif cache_path:
        cfg.judge.cache = Path(cache_path)
    elif cfg.judge.cache is None and default_cache and cfg.judge.backend not in ("fake", "local"):
        cfg.judge.cache = default_cache_path()
    return cfg
