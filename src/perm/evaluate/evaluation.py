"""`perm eval`: score several systems' outputs on the same scenarios with PERM and summarise
them (per-dimension means with bootstrap intervals, failure and format rates, lengths) and
compare them in pairs (reward win rate with an interval, sign test). With several outputs per
scenario (`perm generate --num-samples N` writes `scenario_id`), `cluster_by` resamples the
outputs of one scenario together and adds a sign test over scenarios.

Scored rows go to OUT/scores/<system>.jsonl as they arrive, so an interrupted run resumes;
the summary goes to OUT/eval.json, which `perm report` reads.
"""
from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import ScoringConfig
from ..data import sample_to_dict
from ..errors import ConfigError
from ..metrics import N_BOOT
from ..perspectives import RUBRIC_VERSION
from ..runs import (
    ResumableRun,
    Stamp,
    abandon,
    check_output_dir,
    failure_problem,
    format_warning,
    read_finished,
    write_json,
)
from ..runs.gate import score_tally
from ..runs.scored import score_run, score_runs, score_stamp
from ..shared_lines import shared_lines
from ..signs import sign_rates
from ..types import DIMENSIONS, Sample, ScoreResult
from .examples import generation_settings, pick_examples
from .summaries import paired_rewards, system_summary
from .systems import Aligned, name_list

if TYPE_CHECKING:
    from ..scoring import PermScorer

EVAL_FILE = "eval.json"
SCORES_DIR = "scores"


def safe_name(name: str) -> str:
    return re.sub(r"[^\w.\-+]+", "_", name).strip("._") or "system"


def scores_path(out_dir: str | Path, name: str) -> Path:
    return Path(out_dir) / SCORES_DIR / f"{safe_name(name)}.jsonl"


def output_files(aligned: Aligned) -> list[str]:
    """The files `perm eval` writes inside its output directory."""
    return [str(Path(SCORES_DIR) / scores_path(".", s.name).name) for s in aligned.systems] + [EVAL_FILE]


def system_runs(aligned: Aligned, out_dir: str | Path, stamp: Stamp, *, retry_failed: bool = False,
                overwrite: bool = False) -> list[ResumableRun[Sample]]:
    """One resumable scored-output run per system, over the aligned ids (resume with `.resume()`)."""
    return [score_run(scores_path(out_dir, s.name), [s.by_id[i] for i in aligned.ids], stamp,
                      retry_failed=retry_failed, overwrite=overwrite) for s in aligned.systems]


async def score_systems(scorer: PermScorer, aligned: Aligned, runs: Sequence[ResumableRun[Sample]], *,
                        on_result: Callable[[str, ScoreResult], None] | None = None,
                        on_start: Callable[[], None] | None = None) -> None:
    """Score each system's pending samples (systems concurrently, each its own batch so that
    batch-mean imputation never mixes systems), appending rows as they finish; the scorer is
    checked first (then `on_start()`) and closed at the end."""
    names = [s.name for s in aligned.systems]

    def cb(k: int, res: ScoreResult) -> None:
        if on_result is not None:
            on_result(names[k], res)

    await score_runs(scorer, runs, extras=[{"system": n} for n in names], on_result=cb, on_start=on_start)


def finish_systems(aligned: Aligned, runs: Sequence[ResumableRun[Sample]]) -> dict[str, list[dict[str, Any]]]:
    """Rewrite each system's scores in id order; its rows, by system name."""
    rows = {}
    for system, run in zip(aligned.systems, runs):
        run.finish()
        rows[system.name] = run.records()
    return rows


def load_rows(out_dir: str | Path, name: str, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Scored rows of one system (restricted to `ids`, in that order, when given)."""
    done = read_finished(scores_path(out_dir, name), truncate=False).records
    if ids is None:
        return list(done.values())
    return [done[i] for i in ids if i in done]


def cluster_labels(aligned: Aligned, field: str) -> dict[str, Hashable]:
    """Each id's value of `field` in the first system's lines: outputs that share it (e.g. the
    `scenario_id` of several draws per scenario) are resampled together. ConfigError names the
    ids that lack it."""
    by_id = aligned.systems[0].by_id
    labels: dict[str, Hashable] = {}
    missing = []
    for i in aligned.ids:
        value = sample_to_dict(by_id[i]).get(field)
        if value is None:
            missing.append(i)
        else:  # JSON lists and objects are not hashable; their text is
            labels[i] = value if isinstance(value, (str, int, float, bool)) else json.dumps(value, sort_keys=True)
    if missing:
        raise ConfigError(f"--cluster-by {field}: {len(missing)} line(s) of "
                          f"{aligned.systems[0].path} have no '{field}' ({name_list(missing)})")
    return labels


def pairs_to_compare(names: Sequence[str], baseline: str | None, all_pairs: bool) -> list[tuple[str, str]]:
    """(A, B) pairs: every system against the baseline (default the first), or all pairs."""
    if len(names) < 2:
        return []
    if all_pairs:
        return list(combinations(names, 2))
    base = baseline or names[0]
    if base not in names:
        raise ValueError(f"--baseline {base!r} is not one of the systems: {', '.join(names)}")
    return [(base, n) for n in names if n != base]


def summarise(aligned: Aligned, rows: dict[str, list[dict[str, Any]]], config: ScoringConfig, *,
              judge: str, baseline: str | None = None, all_pairs: bool = False,
              tie_margin: float = 0.0, n_boot: int = N_BOOT, cluster_by: str | None = None,
              clusters: Mapping[str, Hashable] | None = None) -> dict[str, Any]:
    """The eval.json document. `clusters` (id -> label, from `cluster_labels(aligned,
    cluster_by)`) makes every interval resample whole clusters."""
    dims = [d for d in DIMENSIONS if d != "bystander" or config.bystander_coef > 0]
    if cluster_by is not None and clusters is None:
        clusters = cluster_labels(aligned, cluster_by)
    systems = {}
    for s in aligned.systems:
        labels = None if clusters is None else [clusters[r["id"]] for r in rows[s.name]]
        by = s.by_id
        outputs = [by[r["id"]] for r in rows[s.name] if r["id"] in by]
        systems[s.name] = {"file": str(s.path), "scores_file": str(Path(SCORES_DIR) / scores_path(".", s.name).name),
                           **system_summary(rows[s.name], dimensions=dims, clusters=labels,
                                            length_limit=config.length_limit, n_boot=n_boot),
                           "signs": sign_rates(outputs), "shared_lines": shared_lines(outputs)}
    for s in aligned.systems:
        systems[s.name]["generation"] = generation_settings(s.samples)
    names = [s.name for s in aligned.systems]
    pairs = []
    for a, b in pairs_to_compare(names, baseline, all_pairs):
        ra = {r["id"]: r.get("reward") for r in rows[a]}
        rb = {r["id"]: r.get("reward") for r in rows[b]}
        pairs.append({"a": a, "b": b, **paired_rewards(ra, rb, tie_margin=tie_margin, n_boot=n_boot,
                                                       clusters=clusters)})
    return {
        "kind": "perm-eval", "version": 1, "systems": systems, "pairs": pairs,
        "ids": len(aligned.ids), "dimensions": dims, "warnings": aligned.warnings,
        "judge": judge, "rubric_version": RUBRIC_VERSION,
        "scoring": config.model_dump(mode="json", include={
            "empathy_mode", "bystander_coef", "length_limit", "length_coef", "missing",
            "on_format_error", "fused"}),
        "tie_margin": tie_margin, "bootstrap": n_boot, "cluster_by": cluster_by,
        "examples": pick_examples(aligned, rows),
    }


def write_summary(out_dir: str | Path, summary: dict[str, Any]) -> Path:
    """Write eval.json (atomically)."""
    return write_json(Path(out_dir) / EVAL_FILE, summary)


class Evaluation:
    """One `perm eval` run: outputs checked, each system's scores resumed, scored, summarised
    and gated. The CLI only translates arguments and prints."""

    def __init__(self, aligned: Aligned, out_dir: str | Path, config: ScoringConfig, *,
                 retry_failed: bool = False, overwrite: bool = False,
                 cluster_by: str | None = None) -> None:
        from ..scoring import PermScorer

        check_output_dir(out_dir, inputs=[s.path for s in aligned.systems], files=output_files(aligned))
        # before anything is judged: a missing cluster field is an input problem
        self.cluster_by = cluster_by
        self.clusters = cluster_labels(aligned, cluster_by) if cluster_by else None
        self.aligned, self.out_dir, self.config = aligned, out_dir, config
        self.scorer = PermScorer(config)
        try:
            self.runs = system_runs(aligned, out_dir, score_stamp(self.scorer),
                                    retry_failed=retry_failed, overwrite=overwrite)
            self.reports = [r.resume() for r in self.runs]
        except BaseException:
            abandon(self.scorer)
            raise
        self.rows: dict[str, list[dict[str, Any]]] = {}

    @property
    def todo(self) -> int:
        """Samples left to score, over all systems."""
        return sum(len(r.todo) for r in self.runs)

    def run(self, on_result: Callable[[str, ScoreResult], None] | None = None,
            on_start: Callable[[], None] | None = None) -> None:
        """Score what is left (and close the scorer in any case); `on_start()` once the judge
        passed its check."""
        asyncio.run(score_systems(self.scorer, self.aligned, self.runs, on_result=on_result,
                                  on_start=on_start))

    def finish(self, *, baseline: str | None = None, all_pairs: bool = False,
               tie_margin: float = 0.0, n_boot: int = N_BOOT) -> tuple[dict[str, Any], Path]:
        """Rewrite the scores in order, summarise them and write eval.json."""
        self.rows = finish_systems(self.aligned, self.runs)
        summary = summarise(self.aligned, self.rows, self.config, judge=self.scorer.identity,
                            baseline=baseline, all_pairs=all_pairs, tie_margin=tie_margin,
                            n_boot=n_boot, cluster_by=self.cluster_by, clusters=self.clusters)
        return summary, write_summary(self.out_dir, summary)

    def format_warning(self) -> str | None:
        """One warning (the first system's numbers) naming every system whose outputs mostly
        miss the format."""
        hits = [(name, w) for name, rows in self.rows.items()
                if (w := format_warning(score_tally(rows), self.config.on_format_error,
                                        f"outputs of {name}"))]
        if not hits:
            return None
        others = [name for name, _ in hits[1:]]
        return hits[0][1] + (f" (also: {', '.join(others)})" if others else "")

    def problems(self, max_failure_rate: float) -> list[str]:
        """Why the run counts as failed (per system), or nothing."""
        return [f"{name}: {p}" for name, rows in self.rows.items()
                if (p := failure_problem(score_tally(rows), max_failure_rate, "judged outputs"))]
