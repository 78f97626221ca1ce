"""`perm score`: JSONL of samples with completions in, one scored line per sample out."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape

from ..data import load_samples
from ..errors import DataErrors, PermError
from ..runs import STDOUT, abandon, check_output_file, failure_problem, format_warning
from ..runs.gate import score_tally
from ..runs.scored import score_run, score_runs, score_stamp
from ..shared_lines import shared_lines
from ..signs import describe, sign_rates
from ..types import Sample, ScoreResult
from .options import build_scoring_config, judge_options, run_options
from .progress import ScoreProgress, summary_table

if TYPE_CHECKING:
    from ..scoring import PermScorer

EPILOG = """\b
Examples:
  perm score data.jsonl -o scored.jsonl                 # embedded offline scorer
  perm score data.jsonl -o scored.jsonl --judge openai --model gpt-4o-mini
  perm score data.jsonl -o scored.jsonl --judge openai \\
      --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-7B-Instruct   # vLLM / SGLang
  perm score data.jsonl -o scored.jsonl --judge ollama --model qwen2.5:7b
  perm score data.jsonl -o - --judge fake | jq .reward  # stream to stdout (no resume)
  perm score data.jsonl --dry-run --judge openai        # print the judge prompts only

Re-running with the same -o resumes: finished ids are kept and not judged again; a line whose
sample changed is judged again; another judge or other scoring settings are refused (--overwrite
starts over). Exits non-zero when more than --max-failure-rate of the judged samples got no
reward, or none did.
API keys are read from PERM_JUDGE_API_KEY (or OPENAI_API_KEY), never from flags.
"""


def echo(console: Console, messages: Sequence[tuple[str, str]]) -> None:
    """Print a run's (level, text) messages on stderr."""
    for level, text in messages:
        console.print(f"[yellow]{text}[/]" if level == "warn" else text, highlight=False,
                      soft_wrap=True)  # one line per message: greppable in logs


@click.command(epilog=EPILOG)
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Output JSONL (one result per input line), or - for standard output (no "
                   "resume; the summary goes to stderr). Required unless --dry-run.")
@judge_options
@run_options
@click.option("--skip-invalid", is_flag=True,
              help="Score the valid lines and list the invalid ones (default: stop before judging).")
@click.option("--retry-failed", is_flag=True,
              help="On resume, judge again the ids whose reward could not be computed.")
@click.option("--dry-run", is_flag=True, help="Print the rendered judge prompts of the first samples.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Only the first N samples.")
@click.option("--no-progress", is_flag=True, help="No progress bar (logs / CI).")
def score(input_path: str, output: str | None, skip_invalid: bool, retry_failed: bool,
          dry_run: bool, limit: int | None, no_progress: bool, max_failure_rate: float,
          overwrite: bool, **kw: Any) -> None:
    """Score model outputs (the `completion` field) with PERM.

    INPUT is JSONL: persona, scenario, query, completion (+ optional id, hidden_intention,
    history). Each output line has reward, empathy, scores, terms, format_ok, failures, judge,
    rubric_version and its provenance (config_hash, sample_hash). A judge that fails or answers
    nonsense gives a null score with its reason in `failures`, never an invented number.
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
    try:
        if output != STDOUT:
            check_output_file(output, inputs=[input_path])
        scorer = PermScorer(cfg)
    except PermError as e:
        raise click.ClickException(f"{e}\nNothing was judged.") from None
    try:
        run = score_run(output, samples, score_stamp(scorer), retry_failed=retry_failed,
                        overwrite=overwrite)
        report = run.resume()
    except PermError as e:
        abandon(scorer)
        raise click.ClickException(f"{e}\nNothing was judged.") from None
    echo(console, report.messages())

    started = time.perf_counter()
    # the bar shows once the judge passed its check: a judge that cannot work (no API key,
    # endpoint down) ends with its error alone
    with ScoreProgress(len(run.todo), console=console, disable=no_progress, wait=True) as bar:
        def on_result(_: int, res: ScoreResult) -> None:
            bar.advance(res)

        asyncio.run(score_runs(scorer, [run], on_start=bar.start, on_result=on_result))
    extra = run.finish()
    if extra:
        console.print(f"[yellow]{len(extra)} result(s) in {output} have ids not in {input_path} "
                      f"(kept at the end): {', '.join(extra[:5])}[/]")
    if run.stdout_broken:
        console.print("[yellow]standard output closed early: some results were not written[/]")
    rows = run.records()
    console.print(summary_table(rows, scorer.stats.as_dict(), time.perf_counter() - started,
                                len(run.todo), scorer.identity))
    console.print(f"Shortcut signs (share of outputs; docs/training.md): "
                  f"{describe(sign_rates(samples))}", highlight=False, soft_wrap=True)
    shared = shared_lines(samples)
    if shared["rate"] is not None:
        top = shared["lines"][0] if shared["lines"] else None
        most = f' (most shared: "{escape(top["line"])}", to {top["seekers"]} seekers)' if top else ""
        console.print(f"Lines said to many seekers (docs/evaluation.md): {100 * shared['rate']:.1f} % of "
                      f"outputs{most}", highlight=False, soft_wrap=True)
    tally = score_tally(rows)
    warning = format_warning(tally, cfg.on_format_error)
    if warning:
        console.print(f"[yellow]{warning}[/]", highlight=False, soft_wrap=True)
    problem = failure_problem(tally, max_failure_rate, "judged samples")
    if problem:
        where = "" if run.to_stdout else f" (reasons in `failures` in {output}; after fixing the " \
                                          "judge, re-run with --retry-failed)"
        raise click.ClickException(f"{problem}{where}")


def _dry_run(scorer: PermScorer, samples: Sequence[Sample], backend: str) -> None:
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
