"""`perm score`: JSONL of samples with completions in, one scored line per sample out."""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from ..data import load_samples
from ..errors import DataErrors
from ..results_io import ResultWriter, read_finished, rewrite_in_order
from ..types import Sample, ScoreResult
from .options import build_scoring_config, judge_options
from .progress import ScoreProgress, summary_table

EPILOG = """\b
Examples:
  perm score data.jsonl -o scored.jsonl                 # embedded offline scorer
  perm score data.jsonl -o scored.jsonl --judge openai --model gpt-4o-mini
  perm score data.jsonl -o scored.jsonl --judge openai \\
      --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-7B-Instruct   # vLLM / SGLang
  perm score data.jsonl -o scored.jsonl --judge ollama --model qwen2.5:7b
  perm score data.jsonl --dry-run --judge openai        # print the judge prompts only

Re-running with the same -o resumes: finished ids are kept and not judged again.
API keys are read from PERM_JUDGE_API_KEY (or OPENAI_API_KEY), never from flags.
"""


@click.command(epilog=EPILOG)
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Output JSONL (one result per input line). Required unless --dry-run.")
@judge_options
@click.option("--skip-invalid", is_flag=True,
              help="Score the valid lines and list the invalid ones (default: stop before judging).")
@click.option("--retry-failed", is_flag=True,
              help="On resume, judge again the ids whose reward could not be computed.")
@click.option("--dry-run", is_flag=True, help="Print the rendered judge prompts of the first samples.")
@click.option("--limit", type=int, default=None, help="Only the first N samples.")
@click.option("--no-progress", is_flag=True, help="No progress bar (logs / CI).")
def score(input_path: str, output: str | None, skip_invalid: bool, retry_failed: bool,
          dry_run: bool, limit: int | None, no_progress: bool, **kw: Any) -> None:
    """Score model outputs (the `completion` field) with PERM.

    INPUT is JSONL: persona, scenario, query, completion (+ optional id, hidden_intention,
    history). Each output line has reward, empathy, scores, terms, format_ok, failures, judge
    and rubric_version. A judge that fails or answers nonsense gives a null score with its
    reason in `failures`, never an invented number.
    """
    console = Console(stderr=True)
    cfg = build_scoring_config(kw)
    try:
        data = load_samples(input_path, require_completion=not dry_run, skip_invalid=skip_invalid)
    except DataErrors as e:
        raise click.ClickException(f"{e}\nNothing was judged. Fix the lines above, or pass "
                                   "--skip-invalid to score the valid ones.") from None
    for err in data.errors:
        console.print(f"[yellow]skipped[/] {err}")
    samples = data.samples[:limit] if limit else data.samples
    if not samples:
        raise click.ClickException(f"{input_path}: no valid samples to score")

    from ..scoring import PermScorer

    if dry_run:
        _dry_run(PermScorer(cfg.model_copy(update={"judge": cfg.judge.model_copy(update={"backend": "fake"})})),
                 samples[:limit or 2], cfg.judge.backend)
        return
    if output is None:
        raise click.UsageError("missing -o/--output (or pass --dry-run)")

    done, torn = read_finished(output)
    if torn:
        console.print(f"[yellow]{output}: dropped a torn last line from an interrupted run[/]")
    if retry_failed:
        done = {k: v for k, v in done.items() if v.get("reward") is not None}
        _drop_ids(output, set(done))
    todo = [s for s in samples if s.id not in done]
    if done:
        console.print(f"Resuming: {len(samples) - len(todo)} of {len(samples)} already scored in {output}")

    scorer = PermScorer(cfg)
    started = time.perf_counter()
    fresh: list[ScoreResult] = []
    try:
        asyncio.run(_score_all(scorer, todo, output, fresh, no_progress, console))
    finally:
        scorer.cache.close() if scorer.cache is not None else None
    extra = rewrite_in_order(output, [s.id or "" for s in samples])
    if extra:
        console.print(f"[yellow]{len(extra)} result(s) in {output} have ids not in {input_path} "
                      f"(kept at the end): {', '.join(extra[:5])}[/]")
    final, _ = read_finished(output)
    rows = [final[s.id or ""] for s in samples if (s.id or "") in final]
    console.print(summary_table(rows, scorer.stats.as_dict(), time.perf_counter() - started,
                                len(todo), scorer.identity))


async def _score_all(scorer: Any, todo: Sequence[Sample], output: str, fresh: list[ScoreResult],
                     no_progress: bool, console: Console) -> None:
    await scorer.check()
    writer = ResultWriter(output)
    progress = ScoreProgress(len(todo), console=console, disable=no_progress)
    try:
        with progress:
            def on_result(_: int, res: ScoreResult) -> None:
                writer.write(res.to_dict())
                fresh.append(res)
                progress.advance(res)

            await scorer.ascore(todo, on_result=on_result)
    finally:
        writer.close()
        await scorer.judge.aclose()


def _drop_ids(output: str, keep: set[str]) -> None:
    p = Path(output)
    if not p.exists():
        return
    lines = [ln for ln in p.read_text(encoding="utf-8").splitlines()
             if ln.strip() and str(json.loads(ln).get("id")) in keep]
    p.write_text("".join(ln + "\n" for ln in lines), encoding="utf-8")


def _dry_run(scorer: Any, samples: Sequence[Sample], backend: str) -> None:
    for sample in samples:
        click.secho(f"=== sample {sample.id} (judge backend: {backend}) ===", bold=True)
        prompts = scorer.render(sample)
        if not prompts:
            click.echo("(no judge call: the completion is malformed and --on-format-error is not 'judge')")
        for dim, messages in prompts:
            click.secho(f"--- {dim} ---", fg="cyan")
            for m in messages:
                click.secho(f"[{m['role']}]", fg="yellow")
                click.echo(m["content"])
    if backend == "local":
        click.echo("\nNote: the local backend scores the same inputs with an embedded model; the "
                   "prompts above are what an LLM judge would see.")

