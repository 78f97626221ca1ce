"""What produced a result line, so that a resumed run never keeps a result the current
command would not produce: the producer (judge or system), the rubric version, a hash of the
settings that change an answer, and a hash of the sample it answers.

Settings that cannot change an answer (endpoint URL, key, concurrency, timeouts, retries,
cache, backend mechanics in `judge.options`) stay out of the hash, as they stay out of the
response cache's key.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import JudgeConfig, ScoringConfig
from ..types import Sample

#: Judge sampling settings that change an answer (the response cache's key has the same).
JUDGE_SAMPLING_FIELDS = ("temperature", "max_tokens", "top_p", "seed")
#: Scoring settings that change a reward.
SCORING_FIELDS = ("empathy_mode", "weights", "bystander_coef", "length_limit", "length_coef",
                  "tokenizer", "missing", "on_format_error", "fused")
#: The flags a user changes these with, for messages.
SCORING_FLAGS = ("one of --empathy-mode, --bystander-coef, --length-limit, --length-coef, --missing, "
                 "--on-format-error, --fused, the tokenizer, or the judge's --temperature / "
                 "max_tokens / top_p / seed")
JUDGING_FLAGS = "one of the judge's --temperature / max_tokens / top_p / seed"


def digest(value: Any) -> str:
    """A short, stable hash of a JSON-able value."""
    blob = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def sample_digest(sample: Sample) -> str:
    """Hash of everything of a sample a judge sees (not its id or carried-along fields)."""
    return digest([sample.persona, sample.scenario, sample.query, sample.hidden_intention,
                   [[t.role, t.content] for t in sample.history], sample.completion])


def judging_digest(judge: JudgeConfig) -> str:
    """Hash of the judge settings that change an answer (pairwise comparison)."""
    return digest({k: getattr(judge, k) for k in JUDGE_SAMPLING_FIELDS})


def scoring_digest(config: ScoringConfig) -> str:
    """Hash of the settings that change a PERM score or reward."""
    return digest({"judge": {k: getattr(config.judge, k) for k in JUDGE_SAMPLING_FIELDS},
                   **{k: getattr(config, k) for k in SCORING_FIELDS}})


@dataclass(frozen=True)
class Stamp:
    """What produced the lines of one output file, written into every line.

    `producer` is the identifying field (`judge` or `system`) and its value; `settings` are
    further fields that must match (`rubric_version`, `config_hash`); `flags` says, per
    settings field, what a user changes to move it (for the refusal message)."""

    producer: tuple[str, str]
    settings: Mapping[str, str] = field(default_factory=dict)
    flags: Mapping[str, str] = field(default_factory=dict)

    def fields(self) -> dict[str, str]:
        """The fields stamped into each line."""
        return {self.producer[0]: self.producer[1], **self.settings}


def judge_stamp(identity: str, rubric_version: str, config_hash: str, flags: str) -> Stamp:
    """The stamp of a judged line: judge identity, rubric version, settings hash."""
    return Stamp(("judge", identity), {"rubric_version": rubric_version, "config_hash": config_hash},
                 {"rubric_version": "another perm version's rubric", "config_hash": flags})
