"""Progress bar (rate, ETA, failures) and the end-of-run summary table for scoring jobs."""
from __future__ import annotations

import math
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ..calling import CallCounts
from ..types import DIMENSIONS, ScoreResult


class ScoreProgress:
    """The bar shows on entering the `with` block, or with `wait=True` only once `start()` is
    called: a run that fails its checks then ends with its error and no empty bar."""

    def __init__(self, total: int, *, console: Console | None = None, disable: bool = False,
                 description: str = "scoring", wait: bool = False) -> None:
        self.failed = 0
        self.format_errors = 0
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TaskProgressColumn(), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
            TextColumn("eta"), TimeRemainingColumn(), TextColumn("{task.fields[fails]}"),
            console=console, disable=disable, transient=False)
        self._wait = wait
        self._task = self._progress.add_task(description, total=total, rate="", fails="",
                                             start=not wait)

    def __enter__(self) -> ScoreProgress:
        if not self._wait:
            self._progress.start()
        return self

    def start(self) -> None:
        """Show the bar and start its clock (for `wait=True`)."""
        self._progress.start_task(self._task)
        self._progress.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._progress.__exit__(exc_type, exc, tb)

    def advance(self, res: ScoreResult) -> None:
        if res.outcome == "format_error":
            self.format_errors += 1
        elif res.reward is None or res.failures:
            self.failed += 1
        task = self._progress.tasks[0]
        speed = task.speed or 0.0
        fails = f"[red]{self.failed} failed[/]" if self.failed else ""
        self._progress.update(self._task, advance=1, rate=f"{speed:.1f}/s" if speed else "",
                              fails=fails)


def _mean(values: Sequence[float | None]) -> tuple[float | None, int]:
    got = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return (sum(got) / len(got) if got else None), len(got)


def summary_table(rows: Sequence[dict[str, Any]], stats: CallCounts, seconds: float,
                  judged: int, judge: str) -> Table:
    """Mean of each dimension and of the reward, failure rates and judge-call counters."""
    n = len(rows)
    table = Table(title=f"PERM scores — {n} sample{'' if n == 1 else 's'}, judge {judge}",
                  show_lines=False)
    table.add_column("metric")
    table.add_column("mean", justify="right")
    table.add_column("n", justify="right")
    table.add_column("missing", justify="right")
    for key, label in [("reward", "reward"), ("empathy", "empathy")]:
        m, k = _mean([r.get(key) for r in rows])
        table.add_row(label, "—" if m is None else f"{m:.4f}", str(k), str(n - k))
    for dim in DIMENSIONS:
        m, k = _mean([(r.get("scores") or {}).get(dim) for r in rows])
        table.add_row(f"  {dim}", "—" if m is None else f"{m:.3f}", str(k), str(n - k))
    fmt = sum(1 for r in rows if r.get("format_ok") is False)
    failed = sum(1 for r in rows if r.get("reward") is None)
    partial = sum(1 for r in rows if r.get("failures") and r.get("outcome") != "format_error")
    table.add_section()
    table.add_row("format errors", f"{fmt / n:.1%}" if n else "—", str(fmt), "")
    table.add_row("samples with a judge failure", f"{partial / n:.1%}" if n else "—", str(partial), "")
    table.add_row("reward missing", f"{failed / n:.1%}" if n else "—", str(failed), "")
    table.add_section()
    rate = f"{judged / seconds:.1f}/s" if seconds > 0 and judged else "—"
    table.add_row("judged this run", rate, str(judged), "")
    table.add_row("judge calls / retries / re-asks",
                  f"{stats.get('calls', 0)} / {stats.get('retries', 0)} / {stats.get('reasks', 0)}", "", "")
    table.add_row("cache hits", str(stats.get("cache_hits", 0)), "", "")
    table.add_row("wall time", f"{seconds:.1f}s", "", "")
    return table
