"""`perm generate`, `perm eval`, `perm compare`, `perm report` and `perm human export|import`:
thin edges over `perm.evaluate` (argument translation, progress, resume, friendly errors)."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..errors import PermError
from ..results_io import ResultWriter, read_finished, rewrite_in_order
from .options import build_scoring_config, judge_options
from .progress import ScoreProgress


def _console() -> Console:
    return Console(stderr=True)


class _Bar:
    """A small progress bar that counts failures (rich; disabled for logs / CI)."""

    def __init__(self, total: int, label: str, console: Console, disable: bool) -> None:
        self.failed = 0
        self.p = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("eta"), TimeRemainingColumn(), TextColumn("{task.fields[f]}"),
                          console=console, disable=disable)
        self.task = self.p.add_task(label, total=total, f="")

    def __enter__(self) -> _Bar:
        self.p.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.p.__exit__(*exc)  # type: ignore[arg-type]

    def advance(self, failed: bool = False) -> None:
        self.failed += failed
        self.p.update(self.task, advance=1, f=f"[red]{self.failed} failed[/]" if self.failed else "")


def _check_owner(done: dict[str, dict[str, Any]], key: str, want: str, path: str, hint: str) -> None:
    """Refuse to resume into a file written with another system / judge."""
    other = next((str(r.get(key)) for r in done.values() if r.get(key) not in (None, want)), None)
    if other is not None:
        raise click.ClickException(f"{path} already holds results of {key} {other!r}, not {want!r}: "
                                   f"{hint}")


def _aligned(specs: list[str], *, intersect: bool, exactly: int | None = None,
             note: str = "Nothing was judged.") -> Any:
    """Load and line up the systems; input problems become a plain message naming the ids."""
    from ..evaluate.systems import load_aligned

    try:
        return load_aligned(specs, intersect=intersect, exactly=exactly)
    except PermError as e:
        raise click.ClickException(f"{e}\n{note}".rstrip()) from None


GENERATE_EPILOG = """\b
Examples:
  perm generate scenarios.jsonl -o base.jsonl --base-url http://127.0.0.1:8000/v1   # vLLM
  perm generate scenarios.jsonl -o tuned.jsonl --model Qwen/Qwen2.5-7B-Instruct \\
      --adapter runs/qwen/final                                 # transformers + LoRA
  perm generate scenarios.jsonl -o smol.jsonl --model smollm2   # packaged SmolLM2, CPU
  perm generate scenarios.jsonl -o demo.jsonl --backend fake    # canned outputs (demos)

Re-running with the same -o resumes. The endpoint key is read from PERM_POLICY_API_KEY
(or OPENAI_API_KEY).
"""


@click.command(epilog=GENERATE_EPILOG)
@click.argument("scenarios", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Output JSONL.")
@click.option("--backend", type=click.Choice(["openai", "hf", "fake"]), default=None,
              help="openai: an OpenAI-compatible endpoint (default with --base-url); hf: a local "
                   "transformers model (default otherwise); fake: canned outputs.")
@click.option("--model", "-m", default=None,
              help="Served model name (openai) or HF id / dir / .gguf / smollm2 (hf).")
@click.option("--base-url", multiple=True, help="OpenAI-compatible base URL (repeatable).")
@click.option("--adapter", type=click.Path(exists=True, file_okay=False), default=None,
              help="LoRA adapter (or full fine-tuned checkpoint) directory for --backend hf.")
@click.option("--gguf-file", default=None, help="GGUF file inside --model's directory (hf).")
@click.option("--name", default=None, help="System name stored in every line [the model name].")
@click.option("--num-samples", default=1, show_default=True, help="Outputs per scenario (ids <id>#k).")
@click.option("--temperature", default=0.7, show_default=True, help="0 = greedy.")
@click.option("--top-p", type=float, default=None)
@click.option("--max-new-tokens", default=1024, show_default=True)
@click.option("--seed", default=1234, show_default=True, help="Sample k uses seed + k.")
@click.option("--concurrency", default=16, show_default=True, help="Requests in flight (openai).")
@click.option("--timeout", default=600.0, show_default=True, help="Seconds per request.")
@click.option("--max-retries", default=4, show_default=True, help="Transport retries per request.")
@click.option("--batch-size", default=8, show_default=True, help="Generation batch size (hf).")
@click.option("--device", default="auto", show_default=True, help="hf: auto, cpu, cuda, cuda:1 ...")
@click.option("--dtype", default="auto", show_default=True, help="hf: auto, float32, bfloat16, float16.")
@click.option("--history-as-turns", is_flag=True, help="Send earlier turns as chat turns.")
@click.option("--limit", type=int, default=None, help="Only the first N scenarios.")
@click.option("--skip-invalid", is_flag=True, help="Skip bad scenario lines instead of stopping.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def generate(scenarios: str, output: str, name: str | None, num_samples: int, limit: int | None,
             skip_invalid: bool, no_progress: bool, **kw: Any) -> None:
    """Write a policy's outputs for a scenario set with the PERM policy prompt.

    Each output line is the scenario (data contract) plus `completion`, `system` and
    `generation` (how it was made), ready for `perm score`, `perm eval` and `perm compare`.
    """
    from ..data import load_samples
    from ..evaluate.generate import (
        PolicySpec,
        create_policy,
        make_jobs,
        output_record,
        run_generation,
    )

    console = _console()
    kw["backend"] = kw["backend"] or ("openai" if kw["base_url"] else "hf")
    spec = PolicySpec(**{**kw, "base_url": tuple(kw["base_url"])})
    data = load_samples(scenarios, skip_invalid=skip_invalid)
    for err in data.errors:
        console.print(f"[yellow]skipped[/] {err}")
    samples = data.samples[:limit] if limit else data.samples
    if not samples:
        raise click.ClickException(f"{scenarios}: no scenarios")
    jobs = make_jobs(samples, num_samples)
    done, torn = read_finished(output)
    if torn:
        console.print(f"[yellow]{output}: dropped a torn last line from an interrupted run[/]")
    todo = [j for j in jobs if j.out_id not in done]
    if done:
        console.print(f"Resuming: {len(jobs) - len(todo)} of {len(jobs)} outputs already in {output}")
    policy = create_policy(spec)
    failures: list[tuple[str, str]] = []

    async def main() -> None:
        nonlocal name
        await policy.check()
        name = name or policy.model
        _check_owner(done, "system", name, output, "pass that --name or use another -o")
        writer = ResultWriter(output)
        try:
            with _Bar(len(todo), "generating", console, no_progress) as bar:
                def ok(job: Any, text: str) -> None:
                    writer.write(output_record(job, text, spec, name or "policy", num_samples))
                    bar.advance()

                def fail(job: Any, why: str) -> None:
                    failures.append((job.out_id, why))
                    bar.advance(failed=True)

                await run_generation(policy, spec, todo, on_done=ok, on_fail=fail)
        finally:
            writer.close()
            await policy.aclose()

    if todo:
        asyncio.run(main())
    rewrite_in_order(output, [j.out_id for j in jobs])
    console.print(f"{len(todo) - len(failures)} output(s) written, {len(jobs)} in {output}")
    if failures:
        shown = "\n".join(f"  {i}: {why}" for i, why in failures[:10])
        raise click.ClickException(f"{len(failures)} output(s) failed:\n{shown}\n"
                                   "Run the same command again to retry them.")


@click.command(name="eval")
@click.argument("systems", nargs=-1, required=True, metavar="SYSTEM...")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Directory for scores/<system>.jsonl and eval.json (resumable).")
@judge_options
@click.option("--baseline", default=None, help="Compare every system with this one [the first].")
@click.option("--all-pairs", is_flag=True, help="Compare every pair of systems.")
@click.option("--intersect", is_flag=True, help="Use the scenario ids all systems share (warns).")
@click.option("--tie-margin", default=0.0, show_default=True,
              help="Reward differences within this margin count as ties.")
@click.option("--bootstrap", default=2000, show_default=True, help="Bootstrap resamples.")
@click.option("--retry-failed", is_flag=True, help="Judge again the rows whose reward is missing.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def eval_cmd(systems: tuple[str, ...], output: str, baseline: str | None, all_pairs: bool,
             intersect: bool, tie_margin: float, bootstrap: int, retry_failed: bool,
             no_progress: bool, **kw: Any) -> None:
    """Score systems on the same scenarios and compare them.

    SYSTEM is an outputs file (JSONL with `completion`, e.g. from `perm generate`), optionally
    named: `tuned=out/tuned.jsonl`. Every system must cover the same scenario ids.
    """
    from ..evaluate.evaluation import (
        load_rows,
        pending,
        score_systems,
        scores_path,
        summarise,
        write_summary,
    )
    from ..evaluate.tables import eval_tables
    from ..scoring import PermScorer

    console = _console()
    aligned = _aligned(list(systems), intersect=intersect)
    for w in aligned.warnings:
        console.print(f"[yellow]--intersect:[/] {w}")
    cfg = build_scoring_config(kw)
    todo = pending(aligned, output, retry_failed=retry_failed)
    judge = None
    if any(todo.values()):
        scorer = PermScorer(cfg)
        judge = scorer.identity
        for s in aligned.systems:
            done, _ = read_finished(scores_path(output, s.name))
            _check_owner(done, "judge", judge, output, "use another --output for another judge")
        total = sum(len(v) for v in todo.values())
        with ScoreProgress(total, console=console, disable=no_progress) as bar:
            async def run() -> None:
                try:
                    await score_systems(scorer, aligned, output, todo,
                                        on_result=lambda _, res: bar.advance(res))
                finally:
                    await scorer.aclose()

            asyncio.run(run())
    rows = {s.name: load_rows(output, s.name, aligned.ids) for s in aligned.systems}
    judge = judge or next((r["judge"] for rs in rows.values() for r in rs if r.get("judge")), "unknown")
    summary = summarise(aligned, rows, cfg, judge=judge, baseline=baseline, all_pairs=all_pairs,
                        tie_margin=tie_margin, n_boot=bootstrap)
    path = write_summary(output, summary)
    for table in eval_tables(summary):
        console.print(table)
    console.print(f"Summary: {path}  (perm report {output} -o REPORT_DIR)")


@click.command()
@click.argument("a_file", metavar="A")
@click.argument("b_file", metavar="B")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Directory for judgments.jsonl and compare.json (resumable).")
@judge_options
@click.option("--seed", default=0, show_default=True, help="Seed of the random A/B order.")
@click.option("--no-swap", is_flag=True, help="Judge each pair once (random order) instead of in both orders.")
@click.option("--intersect", is_flag=True, help="Use the scenario ids both systems share.")
@click.option("--retry-failed", is_flag=True, help="Ask again where the verdict was unusable.")
@click.option("--bootstrap", default=2000, show_default=True, help="Bootstrap resamples.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def compare(a_file: str, b_file: str, output: str, seed: int, no_swap: bool, intersect: bool,
            retry_failed: bool, bootstrap: int, no_progress: bool, **kw: Any) -> None:
    """Blinded pairwise preference of B over A by an LLM judge (ties allowed).

    Each pair is shown in a random order and again swapped; the report gives B's win rate with
    a 95 % interval, the sign test, and how often the judge picked whichever reply came first.
    """
    from ..calling import JudgeCaller
    from ..evaluate.pairwise import judge_pairs, plan_pairs, summarise_judgments
    from ..evaluate.tables import preference_table
    from ..judges.base import Judge
    from ..judges.cache import ResponseCache
    from ..judges.registry import create_judge
    from ..perspectives import RUBRIC_VERSION

    console = _console()
    aligned = _aligned([a_file, b_file], intersect=intersect, exactly=2)
    cfg = build_scoring_config(kw)
    judge = create_judge(cfg.judge)
    if not isinstance(judge, Judge):
        raise click.ClickException(f"the {cfg.judge.backend!r} judge scores single outputs and "
                                   "cannot compare two; pick an LLM judge with --judge (openai, "
                                   "ollama, hf, vllm, or fake for a dry run)")
    jobs = plan_pairs(aligned, seed=seed, swap=not no_swap)
    out = Path(output)
    path = out / "judgments.jsonl"
    done, _ = read_finished(path)
    _check_owner(done, "judge", judge.identity, output, "use another --output for another judge")
    if retry_failed and any(r.get("winner") is None for r in done.values()):
        done = {k: r for k, r in done.items() if r.get("winner") is not None}
        path.write_text("".join(json.dumps(r) + "\n" for r in done.values()), encoding="utf-8")
    todo = [j for j in jobs if j.key not in done]
    cache = ResponseCache(cfg.judge.cache) if cfg.judge.cache else None
    caller = None

    async def run() -> None:
        nonlocal caller
        caller = JudgeCaller(judge, cfg.judge, rubric_version=RUBRIC_VERSION, cache=cache)
        await judge.check()
        writer = ResultWriter(path)
        try:
            with _Bar(len(todo), "judging pairs", console, no_progress) as bar:
                def on_record(rec: dict[str, Any]) -> None:
                    writer.write(rec)
                    bar.advance(failed=rec["winner"] is None)

                await judge_pairs(caller, todo, judge.identity, on_record)
        finally:
            writer.close()
            await judge.aclose()

    try:
        if todo:
            asyncio.run(run())
    finally:
        if cache is not None:
            cache.close()
    rewrite_in_order(path, [j.key for j in jobs])
    records, _ = read_finished(path)
    a, b = aligned.systems[:2]
    summary = {"kind": "perm-compare", "version": 1, "a": a.name, "b": b.name,
               "a_file": str(a.path), "b_file": str(b.path), "judge": judge.identity,
               "rubric_version": RUBRIC_VERSION, "seed": seed, "swap": not no_swap,
               "pairs": len(aligned.ids), "judgments": len(records),
               "calls": caller.stats.as_dict() if caller else None,
               **summarise_judgments(list(records.values()), n_boot=bootstrap)}
    (out / "compare.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    console.print(preference_table(summary, f"Blinded pairwise preference — judge {judge.identity}, "
                                            f"{len(aligned.ids)} pairs"))
    console.print(f"Summary: {out / 'compare.json'}")


@click.command()
@click.argument("eval_dir", required=False, type=click.Path(exists=True))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Directory for report.html and png/.")
@click.option("--compare", "compares", multiple=True, type=click.Path(exists=True),
              help="A `perm compare` output directory or compare.json (repeatable).")
@click.option("--human", "humans", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A `perm human import` result JSON (repeatable).")
@click.option("--train", "runs", multiple=True, type=click.Path(exists=True),
              help="A `perm train` output directory for its training curves (repeatable).")
@click.option("--title", default="PERM evaluation report", show_default=True)
def report(eval_dir: str | None, output: str, compares: tuple[str, ...], humans: tuple[str, ...],
           runs: tuple[str, ...], title: str) -> None:
    """Build a self-contained HTML report with charts (and the charts as PNG files).

    EVAL_DIR is a `perm eval` output directory; add pairwise, human and training results with
    the options. The HTML embeds everything and opens offline.
    """
    from ..evaluate.report import build_report, load_inputs

    path = build_report(load_inputs(eval_dir, compares, humans, runs), output, title=title)
    _console().print(f"Report: {path}  (charts as PNG in {Path(output) / 'png'})")


@click.group()
def human() -> None:
    """A blinded human preference study: export pairs for raters, import their answers."""


@human.command(name="export")
@click.argument("a_file", metavar="A")
@click.argument("b_file", metavar="B")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Study directory: form.html and pairs.csv for raters, key.json for you.")
@click.option("--pairs", "n", type=int, default=None, help="Sample this many pairs [all].")
@click.option("--seed", default=0, show_default=True, help="Seed of the pair sample and A/B order.")
@click.option("--title", default="Which reply would you rather receive?", show_default=True)
@click.option("--intersect", is_flag=True, help="Use the scenario ids both systems share.")
def export_cmd(a_file: str, b_file: str, output: str, n: int | None, seed: int, title: str,
               intersect: bool) -> None:
    """Export blinded A/B pairs as an offline HTML form and a CSV. Send raters form.html (or
    pairs.csv); keep key.json, which says which system wrote which reply."""
    from ..evaluate.human import export_study

    aligned = _aligned([a_file, b_file], intersect=intersect, exactly=2, note="")
    paths = export_study(aligned, output, n=n, seed=seed, title=title)
    _console().print(f"Study written: raters get {paths['form']} (or {paths['csv']}); keep "
                     f"{paths['key']} to yourself. Import answers with: perm human import "
                     f"{paths['key']} answers*.csv")


@human.command(name="import")
@click.argument("key", type=click.Path(exists=True, dir_okay=False))
@click.argument("answers", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Result JSON (for perm report --human) [next to the key: human.json].")
@click.option("--bootstrap", default=2000, show_default=True, help="Bootstrap resamples.")
def import_cmd(key: str, answers: tuple[str, ...], output: str | None, bootstrap: int) -> None:
    """Import raters' answer CSVs (from the form or pairs.csv) and report B's win rate over A."""
    from ..evaluate.human import import_answers
    from ..evaluate.tables import preference_table

    try:
        result = import_answers(key, answers, n_boot=bootstrap)
    except PermError as e:
        raise click.ClickException(str(e)) from None
    path = Path(output) if output else Path(key).with_name("human.json")
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    console = _console()
    console.print(preference_table(result, f"Human preference — {result['ratings']} ratings by "
                                           f"{len(result['raters'])} rater(s), "
                                           f"{result['pairs_answered']} of {result['pairs_total']} pairs"))
    console.print(f"Result: {path}")
