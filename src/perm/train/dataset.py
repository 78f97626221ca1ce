"""Training prompts from our JSONL scenarios: validated samples -> a TRL-ready dataset.

Each row carries the chat `prompt` (from `perm.policy`) plus the sample columns the PERM reward
needs (`id`, `persona`, `scenario`, `query`, `hidden_intention`, `history` as JSON text), which
TRL hands to the reward functions untouched.
"""
from __future__ import annotations

import glob
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..data import load_samples
from ..errors import ConfigError, DataError, DataErrors
from ..policy import build_messages
from ..types import Sample
from .config import DataSection


def expand_paths(patterns: Sequence[str], base: Path | None = None) -> list[Path]:
    """Files named by paths or globs (relative to `base`), in a stable order, each once."""
    out: list[Path] = []
    for pattern in patterns:
        full = str((base / pattern) if base and not Path(pattern).is_absolute() else pattern)
        matches = sorted(glob.glob(full)) if glob.has_magic(full) else [full]
        if not matches:
            raise ConfigError(f"data.train: no file matches {pattern!r} (relative to "
                              f"{base or 'the current directory'}); point it at your prompts, "
                              f"e.g. --set 'data.train=[my-prompts.jsonl]'")
        out.extend(Path(m) for m in matches if Path(m) not in out)
    return out


def load_prompts(paths: Sequence[Path], *, skip_invalid: bool = False) -> list[Sample]:
    """Samples from several JSONL files; an id may appear only once across them."""
    samples: list[Sample] = []
    seen: dict[str, str] = {}
    errors: list[DataError] = []
    for path in paths:
        loaded = load_samples(path, skip_invalid=skip_invalid)
        for sample, line in zip(loaded.samples, loaded.lines):
            key = sample.id or ""
            if key in seen:
                errors.append(DataError(f"duplicate id {key!r} (also in {seen[key]})", field="id",
                                        path=str(path), line=line))
                continue
            seen[key] = str(path)
            samples.append(sample)
    if errors and not skip_invalid:
        raise DataErrors(errors)
    return samples


def is_holdout(sample_id: str, fraction: float, seed: int = 0) -> bool:
    """Whether a sample belongs to the held-out split (a stable hash of seed and id)."""
    if fraction <= 0:
        return False
    digest = hashlib.sha256(f"{seed}:{sample_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def split(samples: Sequence[Sample], cfg: DataSection) -> tuple[list[Sample], list[Sample]]:
    """(train, held-out) per `holdout_fraction`; `max_prompts` caps the training side."""
    train = [s for s in samples if not is_holdout(s.id or "", cfg.holdout_fraction, cfg.holdout_seed)]
    dev = [s for s in samples if is_holdout(s.id or "", cfg.holdout_fraction, cfg.holdout_seed)]
    if cfg.max_prompts is not None:
        train = train[:cfg.max_prompts]
    return train, dev


def load_split(cfg: DataSection, base: Path | None = None) -> tuple[list[Sample], list[Sample]]:
    """Read `data.train` and split it into (train, held-out) samples."""
    samples = load_prompts(expand_paths(cfg.train, base), skip_invalid=cfg.skip_invalid)
    train, dev = split(samples, cfg)
    if not train:
        raise ConfigError("data: no training prompts left after the holdout split")
    return train, dev


def to_row(sample: Sample, *, history_as_turns: bool = False) -> dict[str, Any]:
    """One dataset row: the chat prompt plus the columns the reward rebuilds the sample from."""
    return {
        "prompt": build_messages(sample, history_as_turns=history_as_turns),
        "id": sample.id,
        "persona": sample.persona,
        "scenario": sample.scenario,
        "query": sample.query,
        "hidden_intention": sample.hidden_intention,
        # JSON text: Arrow cannot infer a type for columns whose lists are all empty
        "history": json.dumps([{"role": t.role, "content": t.content} for t in sample.history]),
    }


def to_dataset(samples: Sequence[Sample], *, history_as_turns: bool = False) -> Any:
    """A `datasets.Dataset` with one row per sample."""
    from datasets import Dataset

    return Dataset.from_list([to_row(s, history_as_turns=history_as_turns) for s in samples])
