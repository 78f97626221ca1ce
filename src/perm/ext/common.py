"""Pieces both framework bridges share: a sample's situation from a framework's metadata,
the scoring config from the arguments people pass, and a result as flat numbers / text."""
from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..config import ScoringConfig, build_config, load_config
from ..data import parse_record
from ..types import DIMENSIONS, Sample, ScoreResult

#: Keys of the data contract that describe the situation (the completion comes separately).
CONTEXT_KEYS = ("id", "persona", "scenario", "query", "hidden_intention", "history")


def scoring_config(config: str | Path | Mapping[str, Any] | ScoringConfig | None = None, *,
                   judge: str | None = None, model: str | None = None,
                   base_url: str | None = None) -> ScoringConfig:
    """A validated scoring config from a YAML path, a dict or a config, with the judge
    backend / model / base URL overridden when given (ConfigError names a bad field)."""
    overrides = {"backend": judge, "model": model, "base_url": base_url}
    if config is None or isinstance(config, (str, Path)):
        return load_config(config, {f"judge.{k}": v for k, v in overrides.items()})
    data = (config.model_dump(mode="json") if isinstance(config, ScoringConfig)
            else copy.deepcopy(dict(config)))
    data["judge"] = {**dict(data.get("judge") or {}),
                     **{k: v for k, v in overrides.items() if v is not None}}
    return build_config(data)


def situation(metadata: Mapping[str, Any] | None, *, query: str | None = None,
              sample_id: str | int | None = None) -> Sample:
    """The seeker's situation from a framework sample's metadata (our data-contract keys);
    `query` (e.g. the prompt text) fills in a missing query; a missing persona or scenario is
    stated as unknown rather than invented. DataError names a bad field."""
    meta = dict(metadata or {})
    rec: dict[str, Any] = {k: meta[k] for k in CONTEXT_KEYS if meta.get(k) is not None}
    rec.setdefault("persona", "Not given.")
    rec.setdefault("scenario", "Not given.")
    if "query" not in rec and query is not None:
        rec["query"] = query
    if "id" not in rec and sample_id is not None:
        rec["id"] = str(sample_id)
    return parse_record(rec)


def explain(result: ScoreResult) -> str:
    """One line: the scores, the terms and the reward, or what is missing and why."""
    scores = " · ".join(f"{d} {'—' if result.scores.get(d) is None else f'{result.scores[d]:g}'}"
                        for d in DIMENSIONS)
    fails = "; ".join(f"{k}: {v}" for k, v in result.failures.items())
    reward = "missing" if result.reward is None else f"{result.reward:.3f}"
    empathy = "—" if result.empathy is None else f"{result.empathy:.3f}"
    return (f"PERM reward {reward} (empathy {empathy}; {scores}) by judge {result.judge}"
            + (f". Failures: {fails}" if fails else ""))


def flat(result: ScoreResult) -> dict[str, float | None]:
    """reward, empathy and each dimension as numbers (None where missing)."""
    return {"reward": result.reward, "empathy": result.empathy,
            **{d: result.scores.get(d) for d in DIMENSIONS}}
