"""`perm audit`: run the attack suite against a judge and report how often each attack wins."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich import box
from rich.console import Console
from rich.table import Table

from ..errors import DataError, PermError
from ..signs import SIGNS
from ..types import Sample
from .options import build_scoring_config, judge_options
from .progress import ScoreProgress

if TYPE_CHECKING:
    from ..audit.suite import AttackResult

EPILOG = f"""\b
Examples:
  perm audit                                   # the embedded scorer on the packaged audit set
  perm audit --judge local --model perm-minilm-v1 -o v1-audit.json
  perm audit good.jsonl --judge openai --model gpt-4o-mini --limit 10
  perm audit --attacks echo,all_caps --fail-above 0.1   # exit 1 when an attack wins > 10 %

An attack wins a scenario when its variant scores >= the good reply (ties count): a policy
trained on the reward would find it just the same. The table has three blocks. The first is
also what `perm distill` trains on (from other phrase banks and scenarios). The other two are
never used in training: new forms of the trained kinds (marked +, perm/audit/reworded.py) and
new kinds of shortcut (marked *, perm/audit/unseen.py); they test whether the scorer learned
the rule or only the examples. "mean Δ" is the mean change of the reward (variant minus good
reply): a shortcut that sometimes wins but loses on average is a weaker pull on a policy than
one that gains on average. "signs" is the share of variants showing a shortcut sign
(perm.signs: {", ".join(SIGNS)}), the text checks
the reward adapters log during training: a shortcut the scorer misses but the signs catch is
one a training run can at least show you. The caption gives the signs' rate on the good
replies (their false alarms).
"""


def _default_set() -> Path:
    from importlib import resources

    return Path(str(resources.files("perm") / "audit" / "good.jsonl"))


@click.command(epilog=EPILOG)
@click.argument("good", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the JSON report here.")
@judge_options
@click.option("--attacks", default=None, help="Comma-separated attack names [all]; see --list.")
@click.option("--list", "list_only", is_flag=True, help="List the attacks and exit.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Only the first N usable good replies (lines without both sections are "
                   "skipped and listed).")
@click.option("--fail-above", type=float, default=None,
              help="Exit 1 when any attack's success rate (reward or a targeted dimension) "
                   "is above this (e.g. 0.1).")
@click.option("--seed", default=0, show_default=True, help="Seed of the variants' random choices.")
@click.option("--no-progress", is_flag=True, help="No progress bar (logs / CI).")
def audit(good: str | None, output: str | None, attacks: str | None, list_only: bool,
          limit: int | None, fail_above: float | None, seed: int, no_progress: bool,
          **kw: Any) -> None:
    """Score a good reply and its attacked variants (echo, template, ALL CAPS, notes to the
    evaluator, empty replies, padding, unsafe advice...) and report, per attack, how often the
    variant scores at least as well as the good reply, for the reward and each targeted
    dimension.

    GOOD is JSONL in the data contract whose `completion` is a good supporter turn with both
    `# Analysis` and `# Response` [the packaged audit set: held-out scenarios of our data].
    """
    from ..audit.suite import ALL_ATTACKS, BY_NAME, FAMILY, good_flagged, plan, summary, tally
    from ..scoring import PermScorer

    console = Console(stderr=True)
    if list_only:
        for a in ALL_ATTACKS:
            click.echo(f"{a.name:24} {FAMILY[a.name]:8} targets {', '.join(a.targets):36} {a.description}")
        return
    chosen = list(ALL_ATTACKS)
    if attacks:
        names = [n.strip() for n in attacks.split(",") if n.strip()]
        unknown = [n for n in names if n not in BY_NAME]
        if unknown:
            raise click.BadParameter(f"unknown attack(s): {', '.join(unknown)} "
                                     f"(known: {', '.join(BY_NAME)})", param_hint="--attacks")
        chosen = [a for a in ALL_ATTACKS if a.name in names]  # in catalogue order, by family
    path = good or str(_default_set())
    samples = _usable(path, limit, console)
    jobs = plan(samples, chosen, seed=seed)
    cfg = build_scoring_config(kw)
    try:
        with PermScorer(cfg) as scorer:
            scorer.run(scorer.check())
            with ScoreProgress(len(jobs), console=console, disable=no_progress) as bar:
                results = scorer.score([s for _, _, s in jobs], on_result=lambda _, r: bar.advance(r))
            judge = scorer.identity
    except PermError as e:
        raise click.ClickException(str(e)) from None
    if all(r.reward is None for r in results):
        raise click.ClickException("the judge produced no reward at all; nothing was audited "
                                   f"(first failure: {next(iter(results[0].failures.values()), '?')})")
    rows = tally(jobs, results, chosen)
    threshold = fail_above if fail_above is not None else 0.1
    doc = summary(rows, judge=judge, threshold=threshold, good_flagged=good_flagged(jobs))
    n_good = sum(1 for _, name, _ in jobs if not name)
    Console().print(_table(rows, judge, n_good, threshold, doc["good_replies_flagged_by_signs"]))
    if output:
        Path(output).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        console.print(f"Report: {output}")
    if fail_above is not None and not doc["passed"]:
        bad = [r.name for r in rows if r.worst > fail_above]
        raise click.ClickException(f"attacks above {fail_above:.0%}: {', '.join(bad)}")


def _usable(path: str, limit: int | None, console: Console) -> list[Sample]:
    """The first `limit` good replies with both sections; each line without them is named on
    stderr (file:line and what is wrong) rather than dropped in silence."""
    from ..completion import split_completion
    from ..data import load_samples

    data = load_samples(path, require_completion=True)
    kept: list[Sample] = []
    for sample, line in zip(data.samples, data.lines):
        if limit is not None and len(kept) == limit:
            break
        problem = split_completion(sample.completion).problem
        if problem is None:
            kept.append(sample)
        else:
            why = DataError(problem, field="completion", path=path, line=line)
            console.print(f"[yellow]skipped[/] {why}", highlight=False, soft_wrap=True)
    if not kept:
        raise click.ClickException(f"{path}: no good reply with both # Analysis and # Response; "
                                   "nothing was audited")
    return kept


#: short column headers, so that the table fits 80 columns (the caption spells them out)
_COLUMNS = (("reward", "reward"), ("resonation", "res."), ("expression", "expr."),
            ("reception", "recep."), ("bystander", "byst."))


def _table(rows: list[AttackResult], judge: str, n_good: int, threshold: float,
           good_flagged: float | None) -> Table:
    """One line per attack: its success rate per measure, the mean reward change, the share of
    variants showing a shortcut sign; attacks above `threshold` in red."""
    from ..audit.suite import FAMILY

    legend = ", ".join(f"{short} {name}" for name, short in _COLUMNS[1:])
    # no vertical rules and no padding on the left: with the longest attack name the table
    # stays within 80 columns, also when the output is redirected
    table = Table(title=f"Attack success (variant >= good reply; ties count) — {judge}, "
                        f"{n_good} scenario{'' if n_good == 1 else 's'}",
                  caption=f"{legend}. + a new form of a trained kind, * a new kind: neither is "
                          "ever used to train a scorer (perm/audit/reworded.py, unseen.py). "
                          "signs: variants showing a shortcut sign that training logs "
                          f"(perm.signs; good replies: {good_flagged or 0:.0%})",
                  box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1, 0, 0))
    table.add_column("attack", no_wrap=True)
    for header in [short for _, short in _COLUMNS] + ["mean Δ", "signs"]:
        table.add_column(header, justify="right", no_wrap=True)
    marks = {"new form": " +", "new kind": " *"}
    for k, r in enumerate(rows):
        cells = [f"{r.rate(m):.0%}" if m in r.measures else "" for m, _ in _COLUMNS]
        if k and FAMILY[r.name] != FAMILY[rows[k - 1].name]:
            table.add_section()  # a blank line between families
        change = r.mean_change("reward")
        cells.append("" if change is None else f"{change:+.2f}")
        cells.append(f"{r.sign_rate():.0%}")
        table.add_row(r.name + marks.get(FAMILY[r.name], ""), *cells,
                      style="red" if r.worst > threshold else None)
    return table
