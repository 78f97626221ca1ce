"""`perm generate`, `perm eval`, `perm compare`, `perm report` and `perm human export|import`:
thin edges over `perm.evaluate` (argument translation, progress, resume, friendly errors)."""
from __future__ import annotations

import asyncio
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..errors import PermError
from ..runs import STDOUT, check_output_dir, check_output_file, write_json
from ..signs import SIGNS
from .options import build_scoring_config, judge_options, judge_options_for, run_options
from .progress import ScoreProgress
from .score import echo

if TYPE_CHECKING:
    from ..evaluate.generate import Job
    from ..evaluate.systems import Aligned


def _console() -> Console:
    return Console(stderr=True)


class _Bar:
    """A small progress bar that counts failures (rich; disabled for logs / CI). With
    `wait=True` it shows only once `start()` is called, as ScoreProgress does."""

    def __init__(self, total: int, label: str, console: Console, disable: bool,
                 wait: bool = False) -> None:
        self.failed = 0
        self.p = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("eta"), TimeRemainingColumn(), TextColumn("{task.fields[f]}"),
                          console=console, disable=disable)
        self.wait = wait
        self.task = self.p.add_task(label, total=total, f="", start=not wait)

    def __enter__(self) -> _Bar:
        if not self.wait:
            self.p.start()
        return self

    def start(self) -> None:
        self.p.start_task(self.task)
        self.p.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.p.__exit__(exc_type, exc, tb)

    def advance(self, failed: bool = False) -> None:
        self.failed += failed
        self.p.update(self.task, advance=1, f=f"[red]{self.failed} failed[/]" if self.failed else "")


def _aligned(specs: list[str], *, intersect: bool, exactly: int | None = None,
             note: str = "Nothing was judged.") -> Aligned:
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
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Output JSONL, or - for standard output (no resume).")
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
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Only the first N scenarios.")
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
        generate_run,
        generation_run,
        make_jobs,
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
    failures: list[tuple[str, str]] = []
    try:
        if output != STDOUT:
            check_output_file(output, inputs=[scenarios])
        run = generation_run(output, make_jobs(samples, num_samples))
        echo(console, run.resume().messages("outputs already in"))
        policy = create_policy(spec)
        # the bar shows once the policy has loaded: a policy that cannot load ends with its
        # error alone
        with _Bar(len(run.todo), "generating", console, no_progress, wait=True) as bar:
            def fail(job: Job, why: str) -> None:
                failures.append((job.out_id, why))
                bar.advance(failed=True)

            asyncio.run(generate_run(policy, spec, run, name=name, num_samples=num_samples,
                                     on_start=bar.start, on_done=lambda _: bar.advance(),
                                     on_fail=fail))
        run.finish()
    except PermError as e:
        raise click.ClickException(str(e)) from None
    where = "" if run.to_stdout else f", {len(run.records())} in {output}"
    console.print(f"{len(run.todo) - len(failures)} output(s) written{where}")
    if failures:
        shown = "\n".join(f"  {i}: {why}" for i, why in failures[:10])
        raise click.ClickException(f"{len(failures)} output(s) failed:\n{shown}\n"
                                   "Run the same command again to retry them.")


EVAL_HELP = f"""Score systems on the same scenarios and compare them.

    SYSTEM is an outputs file (JSONL with `completion`, e.g. from `perm generate`), optionally
    named: `tuned=out/tuned.jsonl`. Every system must cover the same scenario ids. With several
    outputs per scenario, --cluster-by scenario_id keeps the intervals honest (the outputs of
    one scenario are not independent). Each system's shortcut signs (perm.signs:
    {", ".join(SIGNS)}) are counted too, and so are the lines it says to many seekers (a
    sentence of 5+ words given to 3+ different seekers: stock padding the embedded scorer cannot
    see); a rise over the baseline is pointed out. Exits
    non-zero when a system has more than --max-failure-rate of its judged outputs unscored.
    """


@click.command(name="eval", help=EVAL_HELP)
@click.argument("systems", nargs=-1, required=True, metavar="SYSTEM...")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Directory for scores/<system>.jsonl and eval.json (resumable).")
@judge_options
@run_options
@click.option("--baseline", default=None, help="Compare every system with this one [the first].")
@click.option("--all-pairs", is_flag=True, help="Compare every pair of systems.")
@click.option("--intersect", is_flag=True, help="Use the scenario ids all systems share (warns).")
@click.option("--tie-margin", default=0.0, show_default=True,
              help="Reward differences within this margin count as ties.")
@click.option("--bootstrap", default=2000, show_default=True, help="Bootstrap resamples.")
@click.option("--cluster-by", default=None, metavar="FIELD",
              help="Resample outputs that share this field together and sign-test per cluster, "
                   "e.g. scenario_id for `perm generate --num-samples N` outputs.")
@click.option("--retry-failed", is_flag=True, help="Judge again the rows whose reward is missing.")
@click.option("--report-to", multiple=True, type=click.Choice(["tensorboard", "wandb", "none"]),
              help="Also log the summary to experiment trackers (as in `perm train`; "
                   "TensorBoard: OUT/tensorboard/).")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def eval_cmd(systems: tuple[str, ...], output: str, baseline: str | None, all_pairs: bool,
             intersect: bool, tie_margin: float, bootstrap: int, cluster_by: str | None,
             retry_failed: bool, no_progress: bool, max_failure_rate: float, overwrite: bool,
             report_to: tuple[str, ...], **kw: Any) -> None:
    """Score systems on the same scenarios and compare them (the help text is EVAL_HELP)."""
    from rich.markup import escape

    from ..evaluate.evaluation import Evaluation
    from ..evaluate.tables import eval_tables
    from ..signs import rises, sign_rose

    console = _console()
    aligned = _aligned(list(systems), intersect=intersect)
    for w in aligned.warnings:
        console.print(f"[yellow]--intersect:[/] {w}")
    cfg = build_scoring_config(kw)
    try:
        ev = Evaluation(aligned, output, cfg, retry_failed=retry_failed, overwrite=overwrite,
                        cluster_by=cluster_by)
    except PermError as e:
        raise click.ClickException(f"{e}\nNothing was judged.") from None
    for report in ev.reports:
        echo(console, report.messages())
    try:
        # the bar shows once the judge passed its check: one that cannot work ends with its error
        with ScoreProgress(ev.todo, console=console, disable=no_progress or not ev.todo, wait=True) as bar:
            ev.run(on_result=lambda _, res: bar.advance(res), on_start=bar.start)
        summary, path = ev.finish(baseline=baseline, all_pairs=all_pairs, tie_margin=tie_margin,
                                  n_boot=bootstrap)
    except (PermError, ValueError) as e:  # ValueError: an unknown --baseline
        raise click.ClickException(str(e)) from None
    for table in eval_tables(summary):
        console.print(table)
    for pair in summary["pairs"]:
        if "clusters" in pair:
            c = pair["clusters"]
            console.print(f"{pair['b']} vs {pair['a']} per {cluster_by}: better on {c['better']} "
                          f"of {c['n']}, worse on {c['worse']} (sign test p = {c['p_sign']:.3g})")
    for pair in summary["pairs"]:
        up = rises(summary["systems"][pair["b"]].get("signs") or {},
                   summary["systems"][pair["a"]].get("signs") or {})
        if up:
            what = ", ".join(f"{n.replace('_', ' ')} {100 * a:.1f} % -> {100 * b:.1f} %" for n, a, b in up)
            console.print(f"[yellow]Shortcut signs rose in {pair['b']} over {pair['a']}: {what}. Read "
                          f"those outputs before trusting its reward (docs/training.md, \"Shortcut "
                          f"signs\").[/]", highlight=False, soft_wrap=True)
        shared_b, shared_a = (summary["systems"][pair[k]].get("shared_lines") or {} for k in ("b", "a"))
        if sign_rose(shared_b.get("rate"), shared_a.get("rate")) and shared_b.get("lines"):
            top = shared_b["lines"][0]
            console.print(f"[yellow]Lines said to many seekers rose in {pair['b']} over {pair['a']}: "
                          f"{100 * shared_a['rate']:.1f} % -> {100 * shared_b['rate']:.1f} % of outputs "
                          f"(most shared: \"{escape(top['line'])}\", to {top['seekers']} seekers). Stock padding "
                          f"the embedded scorer cannot see; read those outputs (docs/evaluation.md).[/]",
                          highlight=False, soft_wrap=True)
    console.print(f"Summary: {path}  (perm report {output} -o REPORT_DIR)")
    _track(console, report_to, output, "eval", summary)
    warning = ev.format_warning()
    if warning:
        console.print(f"[yellow]{warning}[/]", highlight=False, soft_wrap=True)
    problems = ev.problems(max_failure_rate)
    if problems:
        raise click.ClickException("\n".join(problems) + "\nThe scores so far are kept; after "
                                   "fixing the judge, re-run with --retry-failed.")


def _track(console: Console, targets: tuple[str, ...], out_dir: str, job: str,
           summary: dict[str, Any]) -> None:
    """Send a summary to the trackers of --report-to (a tracker's failure is a plain error)."""
    if not [t for t in targets if t != "none"]:
        return
    from ..evaluate import tracking

    scalars = (tracking.eval_scalars if job == "eval" else tracking.compare_scalars)(summary)
    config = {k: v for k, v in summary.items() if not isinstance(v, (dict, list))}
    try:
        for line in tracking.report(targets, out_dir, scalars, job_type=job, config=config):
            console.print(line)
    except PermError as e:
        raise click.ClickException(f"{e}\nThe results are written; only the tracker failed.") from None


COMPARE_JUDGE_HELP = ("Judge backend, required: an LLM judge: openai (with --model / --base-url), "
                      "ollama, hf or vllm; fake for a dry run with meaningless verdicts. The "
                      "offline `local` scorer rates single outputs and cannot compare two.")


@click.command()
@click.argument("a_file", metavar="A")
@click.argument("b_file", metavar="B")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Directory for judgments.jsonl and compare.json (resumable).")
@judge_options_for(COMPARE_JUDGE_HELP)
@run_options
@click.option("--seed", default=0, show_default=True, help="Seed of the random A/B order.")
@click.option("--no-swap", is_flag=True, help="Judge each pair once (random order) instead of in both orders.")
@click.option("--intersect", is_flag=True, help="Use the scenario ids both systems share.")
@click.option("--retry-failed", is_flag=True, help="Ask again where the verdict was unusable.")
@click.option("--bootstrap", default=2000, show_default=True, help="Bootstrap resamples.")
@click.option("--report-to", multiple=True, type=click.Choice(["tensorboard", "wandb", "none"]),
              help="Also log the summary to experiment trackers (as in `perm train`; "
                   "TensorBoard: OUT/tensorboard/).")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def compare(a_file: str, b_file: str, output: str, seed: int, no_swap: bool, intersect: bool,
            retry_failed: bool, bootstrap: int, no_progress: bool, max_failure_rate: float,
            overwrite: bool, report_to: tuple[str, ...], **kw: Any) -> None:
    """Blinded pairwise preference of B over A by an LLM judge (ties allowed).

    Each pair is shown in a random order and again swapped; the report gives B's win rate with
    a 95 % interval, the sign test, and how often the judge picked whichever reply came first.
    Exits non-zero when more than --max-failure-rate of the judgments are unusable.
    """
    from ..evaluate.compare import Comparison
    from ..evaluate.evidence import judge_label
    from ..evaluate.tables import preference_table
    from ..judges.registry import get_backend

    console = _console()
    judge_given = kw.get("backend") is not None
    cfg = build_scoring_config(kw)
    try:
        kind = get_backend(cfg.judge.backend).kind
    except PermError as e:  # an unknown name: the message suggests the closest
        raise click.UsageError(str(e)) from None
    if kind != "chat":
        missing = "" if judge_given else "Missing option '--judge'. "
        raise click.UsageError(f"{missing}`perm compare` needs an LLM judge that answers prompts: "
                               "--judge openai (with --model / --base-url), ollama, hf or vllm "
                               "(or fake for a dry run). The offline `local` scorer rates single "
                               "outputs and cannot compare two.")
    aligned = _aligned([a_file, b_file], intersect=intersect, exactly=2)
    try:
        cmp = Comparison(aligned, output, cfg, seed=seed, swap=not no_swap,
                         retry_failed=retry_failed, overwrite=overwrite)
    except PermError as e:
        raise click.ClickException(f"{e}\nNothing was judged.") from None
    echo(console, cmp.report.messages("judgments already in"))
    try:
        # the bar shows once the judge passed its check: one that cannot work ends with its error
        with _Bar(len(cmp.run.todo), "judging pairs", console, no_progress, wait=True) as bar:
            cmp.execute(lambda rec: bar.advance(failed=rec["winner"] is None), on_start=bar.start)
        summary, path = cmp.finish(n_boot=bootstrap)
    except PermError as e:
        raise click.ClickException(str(e)) from None
    console.print(preference_table(summary, f"Blinded pairwise preference — judge "
                                            f"{judge_label(summary['judge'])}, {len(aligned.ids)} pairs"))
    console.print(f"Summary: {path}")
    _track(console, report_to, output, "compare", summary)
    note = cmp.format_note()
    if note:
        console.print(f"[yellow]{note}[/]", highlight=False, soft_wrap=True)
    problem = cmp.problem(max_failure_rate)
    if problem:
        raise click.ClickException(f"{problem}; no win rate can be trusted. The judgments so far "
                                   "are kept; after fixing the judge, re-run with --retry-failed.")


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
@click.option("--simulate", "simulations", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="`perm simulate` transcripts of one system, for the per-turn view (repeatable).")
@click.option("--title", default="PERM evaluation report", show_default=True)
def report(eval_dir: str | None, output: str, compares: tuple[str, ...], humans: tuple[str, ...],
           runs: tuple[str, ...], simulations: tuple[str, ...], title: str) -> None:
    """Build a self-contained HTML report with charts (and the charts as PNG files).

    EVAL_DIR is a `perm eval` output directory; add pairwise, human, training and multi-turn
    (`perm simulate`) results with the options. The HTML embeds everything and opens offline.
    """
    from ..evaluate.report import REPORT_FILE, build_report, load_inputs

    try:
        check_output_dir(output, inputs=[p for p in (eval_dir, *compares, *humans, *runs,
                                                     *simulations) if p], files=[REPORT_FILE])
        inputs = load_inputs(eval_dir, compares, humans, runs, simulations)
    except PermError as e:
        raise click.ClickException(str(e)) from None
    path = build_report(inputs, output, title=title)
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
    from ..evaluate.human import CSV_FILE, FORM_FILE, KEY_FILE, export_study

    aligned = _aligned([a_file, b_file], intersect=intersect, exactly=2, note="")
    try:
        check_output_dir(output, inputs=[a_file, b_file], files=[FORM_FILE, CSV_FILE, KEY_FILE])
    except PermError as e:
        raise click.ClickException(str(e)) from None
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

    path = Path(output) if output else Path(key).with_name("human.json")
    try:
        check_output_file(path, inputs=[key, *answers])
        result = import_answers(key, answers, n_boot=bootstrap)
        write_json(path, result)
    except PermError as e:
        raise click.ClickException(str(e)) from None
    console = _console()
    console.print(preference_table(result, f"Human preference — {result['ratings']} ratings by "
                                           f"{len(result['raters'])} rater(s), "
                                           f"{result['pairs_answered']} of {result['pairs_total']} pairs"))
    console.print(f"Result: {path}")
