"""`perm eval`: score several systems' outputs on the same scenarios with PERM and summarise
them (per-dimension means with bootstrap intervals, failure and format rates, lengths) and
compare them in pairs (reward win rate with an interval, sign test).

Scored rows go to OUT/scores/<system>.jsonl as they arrive, so an interrupted run resumes;
the summary goes to OUT/eval.json, which `perm report` reads.
"""
from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

from ..config import ScoringConfig
from ..perspectives import RUBRIC_VERSION
from ..results_io import ResultWriter, read_finished, rewrite_in_order
from ..types import DIMENSIONS, Sample, ScoreResult
from .stats import N_BOOT, paired_rewards, system_summary
from .systems import Aligned, System

EVAL_FILE = "eval.json"
SCORES_DIR = "scores"


def safe_name(name: str) -> str:
    return re.sub(r"[^\w.\-+]+", "_", name).strip("._") or "system"


def scores_path(out_dir: str | Path, name: str) -> Path:
    return Path(out_dir) / SCORES_DIR / f"{safe_name(name)}.jsonl"


def pending(aligned: Aligned, out_dir: str | Path, *, retry_failed: bool = False
            ) -> dict[str, list[Sample]]:
    """Per system, the aligned samples that have no scored row yet (resume)."""
    todo: dict[str, list[Sample]] = {}
    for system in aligned.systems:
        path = scores_path(out_dir, system.name)
        done, _ = read_finished(path)
        if retry_failed:
            failed = {i for i, r in done.items() if r.get("reward") is None
                      and r.get("outcome") != "format_error"}
            if failed:
                keep = [json.dumps(r, ensure_ascii=False) for i, r in done.items() if i not in failed]
                path.write_text("".join(line + "\n" for line in keep), encoding="utf-8")
                done = {i: r for i, r in done.items() if i not in failed}
        by_id = system.by_id
        todo[system.name] = [by_id[i] for i in aligned.ids if i not in done]
    return todo


async def score_systems(scorer: Any, aligned: Aligned, out_dir: str | Path,
                        todo: dict[str, list[Sample]], *,
                        on_result: Callable[[str, ScoreResult], None] | None = None) -> None:
    """Score each system's pending samples (systems concurrently, each its own batch so that
    batch-mean imputation never mixes systems), appending rows as they finish."""
    await scorer.check()
    writers = {s.name: ResultWriter(scores_path(out_dir, s.name)) for s in aligned.systems}
    try:
        async def one(system: System) -> None:
            def cb(_: int, res: ScoreResult) -> None:
                writers[system.name].write({**res.to_dict(), "system": system.name})
                if on_result is not None:
                    on_result(system.name, res)

            if todo[system.name]:
                await scorer.ascore(todo[system.name], on_result=cb)

        await asyncio.gather(*(one(s) for s in aligned.systems))
    finally:
        for w in writers.values():
            w.close()
    for s in aligned.systems:
        rewrite_in_order(scores_path(out_dir, s.name), aligned.ids)


def load_rows(out_dir: str | Path, name: str, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Scored rows of one system (restricted to `ids`, in that order, when given)."""
    done, _ = read_finished(scores_path(out_dir, name))
    if ids is None:
        return list(done.values())
    return [done[i] for i in ids if i in done]


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
              tie_margin: float = 0.0, n_boot: int = N_BOOT) -> dict[str, Any]:
    """The eval.json document."""
    dims = [d for d in DIMENSIONS if d != "bystander" or config.bystander_coef > 0]
    systems = {}
    for s in aligned.systems:
        systems[s.name] = {"file": str(s.path), "scores_file": str(Path(SCORES_DIR) / scores_path(".", s.name).name),
                           **system_summary(rows[s.name], dimensions=dims,
                                            length_limit=config.length_limit, n_boot=n_boot)}
    names = [s.name for s in aligned.systems]
    pairs = []
    for a, b in pairs_to_compare(names, baseline, all_pairs):
        ra = {r["id"]: r.get("reward") for r in rows[a]}
        rb = {r["id"]: r.get("reward") for r in rows[b]}
        pairs.append({"a": a, "b": b, **paired_rewards(ra, rb, tie_margin=tie_margin, n_boot=n_boot)})
    return {
        "kind": "perm-eval", "version": 1, "systems": systems, "pairs": pairs,
        "ids": len(aligned.ids), "dimensions": dims, "warnings": aligned.warnings,
        "judge": judge, "rubric_version": RUBRIC_VERSION,
        "scoring": config.model_dump(mode="json", include={
            "empathy_mode", "bystander_coef", "length_limit", "length_coef", "missing",
            "on_format_error", "fused"}),
        "tie_margin": tie_margin, "bootstrap": n_boot,
    }


def write_summary(out_dir: str | Path, summary: dict[str, Any]) -> Path:
    path = Path(out_dir) / EVAL_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
