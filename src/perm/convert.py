"""Our JSONL (the data contract) -> the prompt datasets of verl and OpenRLHF (`perm convert`).

- verl: a parquet file; each row has `data_source`, `prompt` (chat messages: a system instruction
  asking for `# Analysis` then `# Response`, earlier turns, the seeker's query), `ability`,
  `reward_model` (`style: model`, `ground_truth`: the sample id) and `extra_info` (index, split
  and the sample's context), which `perm.integrations.verl.compute_score` reads. Needs pyarrow
  (`pip install 'perm-reward[parquet]'`).
- OpenRLHF: JSONL; each line has `messages` (use `--data.input_key messages
  --data.apply_chat_template`) and `perm`, the sample's context as JSON text
  (`--data.label_key perm` hands it to the reward as `labels`).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .data import load_samples
from .errors import DataError, DataErrors
from .extras import requires
from .types import Sample


def load_all(paths: Sequence[str | Path]) -> list[Sample]:
    """Samples of several JSONL files; an id may appear only once across them, and a `seeker`
    behaviour object must be well formed."""
    from .env.behaviour import check_behaviours

    samples: list[Sample] = []
    seen: dict[str, Path] = {}
    for path in map(Path, paths):
        loaded = load_samples(path)
        bad = check_behaviours(loaded.samples, path=str(path), lines=loaded.lines)
        if bad:  # the multi-turn adapters would fail on these mid-training
            raise DataErrors(bad)
        for s, line in zip(loaded.samples, loaded.lines):
            key = s.id or ""
            if key in seen:
                raise DataError(f"id {key!r} already in {seen[key]}", path=str(path), line=line,
                                field="id")
            seen[key] = path
            samples.append(s)
    return samples


def system_prompt_from(path: str | Path | None) -> str | None:
    """The policy's system message: the file's text (an empty file: none), else perm's own."""
    from .integrations.common import POLICY_SYSTEM_PROMPT

    if path is None:
        return POLICY_SYSTEM_PROMPT
    return Path(path).read_text(encoding="utf-8").strip() or None


def verl_rows(samples: Sequence[Sample], *, data_source: str = "perm", split: str = "train",
              ability: str = "empathy", system_prompt: str | None = None) -> list[dict[str, Any]]:
    """One verl RL-dataset row per sample."""
    from .integrations.common import policy_messages, sample_context

    return [{"data_source": data_source,
             "prompt": policy_messages(s, system_prompt),
             "ability": ability,
             "reward_model": {"style": "model", "ground_truth": s.id or ""},
             "extra_info": {"index": i, "split": split, **sample_context(s)}}
            for i, s in enumerate(samples)]


def verl_schema() -> Any:
    """The parquet schema of `verl_rows` (explicit, so empty optional fields keep their type)."""
    import pyarrow as pa

    turn = pa.struct([("role", pa.string()), ("content", pa.string())])
    return pa.schema([
        ("data_source", pa.string()),
        ("prompt", pa.list_(turn)),
        ("ability", pa.string()),
        ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.string())])),
        ("extra_info", pa.struct([
            ("index", pa.int64()), ("split", pa.string()), ("id", pa.string()),
            ("persona", pa.string()), ("scenario", pa.string()), ("query", pa.string()),
            ("hidden_intention", pa.string()), ("history", pa.list_(turn)),
            ("seeker", pa.struct([("guarded", pa.string()), ("opens_up_if", pa.string()),
                                  ("leaves_if", pa.string())]))])),  # multi-turn behaviour
    ])


def write_verl(samples: Sequence[Sample], out: str | Path, **kw: Any) -> int:
    """Write a verl parquet file; returns the number of rows."""
    with requires("perm convert verl", extra="parquet"):
        import pyarrow as pa
        import pyarrow.parquet as pq
    rows = verl_rows(samples, **kw)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=verl_schema()), str(out))
    return len(rows)


def openrlhf_lines(samples: Sequence[Sample], *, system_prompt: str | None = None) -> list[dict[str, Any]]:
    """One OpenRLHF prompt record per sample."""
    from .integrations.common import policy_messages, sample_context

    return [{"messages": policy_messages(s, system_prompt),
             "perm": json.dumps(sample_context(s), ensure_ascii=False)} for s in samples]


def write_openrlhf(samples: Sequence[Sample], out: str | Path, *,
                   system_prompt: str | None = None) -> int:
    """Write an OpenRLHF prompt dataset (JSONL); returns the number of lines."""
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    lines = openrlhf_lines(samples, system_prompt=system_prompt)
    with Path(out).open("w", encoding="utf-8") as fh:
        for rec in lines:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return len(lines)
