#!/usr/bin/env python
"""Convert perm JSONL (the data contract) into verl's RL parquet layout.

    python scripts/jsonl_to_verl_parquet.py data/scenarios/part1.jsonl ... -o train.parquet

Each row: `data_source`, `prompt` (chat messages: a system instruction asking for `# Analysis`
then `# Response`, any earlier turns, then the seeker's query), `ability`, `reward_model`
(`style: model`, `ground_truth`: the sample id) and `extra_info` (index, split, and the
sample's context: id, persona, scenario, query, hidden_intention, history), which
`perm.integrations.verl.compute_score` reads. Needs pyarrow (`pip install pyarrow`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def load_all(paths: list[Path]) -> list[Any]:
    """Samples of several JSONL files; ids must be unique across them (PermError if not)."""
    from perm.data import load_samples
    from perm.errors import PermError

    samples: list[Any] = []
    seen: dict[str, Path] = {}
    for path in paths:
        for s in load_samples(path).samples:
            if s.id in seen:
                raise PermError(f"{path}: id {s.id!r} already in {seen[s.id]}")
            seen[s.id or ""] = path
            samples.append(s)
    return samples


def build_rows(samples: list[Any], *, data_source: str, split: str, ability: str,
               system_prompt: str | None) -> list[dict[str, Any]]:
    from perm.integrations.common import policy_messages, sample_context

    return [{"data_source": data_source,
             "prompt": policy_messages(s, system_prompt),
             "ability": ability,
             "reward_model": {"style": "model", "ground_truth": s.id or ""},
             "extra_info": {"index": i, "split": split, **sample_context(s)}}
            for i, s in enumerate(samples)]


def schema() -> Any:
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
            ("hidden_intention", pa.string()), ("history", pa.list_(turn))])),
    ])


def system_prompt_from(path: Path | None) -> str | None:
    from perm.integrations.common import POLICY_SYSTEM_PROMPT

    return path.read_text(encoding="utf-8").strip() or None if path else POLICY_SYSTEM_PROMPT


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", type=Path, help="JSONL files (perm data contract)")
    ap.add_argument("-o", "--output", type=Path, required=True, help="parquet file to write")
    ap.add_argument("--data-source", default="perm", help="value of the data_source column")
    ap.add_argument("--split", default="train", help="stored in extra_info.split")
    ap.add_argument("--ability", default="empathy")
    ap.add_argument("--system-prompt-file", type=Path,
                    help="use this file's text as the system message (an empty file: none)")
    args = ap.parse_args(argv)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        print("error: pyarrow is needed: pip install pyarrow", file=sys.stderr)
        return 2
    from perm.errors import PermError

    try:
        samples = load_all(args.inputs)
    except PermError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    rows = build_rows(samples, data_source=args.data_source, split=args.split,
                      ability=args.ability, system_prompt=system_prompt_from(args.system_prompt_file))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema()), args.output)
    print(f"wrote {len(rows)} rows to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
