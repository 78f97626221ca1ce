"""Resumable files of PERM-scored lines (`perm score`, `perm eval`): the stamp a scored line
carries, the run over a file of samples, and scoring several runs with one scorer."""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..data import merge_extras
from ..perspectives import RUBRIC_VERSION
from ..types import Sample, ScoreResult
from .gate import is_failed_score
from .provenance import SCORING_FLAGS, Stamp, judge_stamp, sample_digest, scoring_digest
from .run import ResumableRun, drive

if TYPE_CHECKING:
    from ..scoring import PermScorer


def score_stamp(scorer: PermScorer) -> Stamp:
    """Judge identity, rubric version and the hash of the score-changing settings."""
    return judge_stamp(scorer.identity, RUBRIC_VERSION, scoring_digest(scorer.config), SCORING_FLAGS)


def sample_key(sample: Sample) -> str:
    return sample.id or ""


def score_run(path: str | Path, samples: Sequence[Sample], stamp: Stamp, *,
              retry_failed: bool = False, overwrite: bool = False) -> ResumableRun[Sample]:
    """The resumable run of one scored-output file (`-` for standard output)."""
    return ResumableRun(path, samples, sample_key, stamp=stamp, digest=sample_digest,
                        redo=is_failed_score if retry_failed else None, overwrite=overwrite)


async def score_runs(scorer: PermScorer, runs: Sequence[ResumableRun[Sample]], *,
                     extras: Sequence[Mapping[str, Any]] | None = None,
                     on_result: Callable[[int, ScoreResult], None] | None = None,
                     on_start: Callable[[], None] | None = None) -> None:
    """Score every run's pending samples, runs concurrently but each its own batch (so that
    batch-mean imputation never mixes files), writing each line as it finishes; the scorer
    is checked first and closed at the end whatever happens. `on_result(run_index, result)`;
    `on_start()` once the scorer passed its check, before the first sample."""
    async def one(k: int, run: ResumableRun[Sample]) -> None:
        todo = run.todo

        def cb(i: int, res: ScoreResult) -> None:
            record = {**res.to_dict(), **(extras[k] if extras else {})}
            run.write(sample_key(todo[i]), merge_extras(record, todo[i].extra))
            if on_result is not None:
                on_result(k, res)

        if todo:
            await scorer.ascore(todo, on_result=cb)

    async def work() -> None:
        if on_start is not None:
            on_start()
        await asyncio.gather(*(one(k, r) for k, r in enumerate(runs)))

    await drive(scorer, runs, work)
