#!/usr/bin/env python
"""Convert perm JSONL (the data contract) into an OpenRLHF prompt dataset (JSONL).

    python scripts/jsonl_to_openrlhf.py data/scenarios/*.jsonl -o data/openrlhf/train.jsonl

Each line: `messages` (the chat the policy answers: a system instruction asking for
`# Analysis` then `# Response`, earlier turns, the seeker's query; use it with
`--data.input_key messages --data.apply_chat_template`) and `perm` (the sample's context as
JSON text; `--data.label_key perm` hands it to the reward as `labels`).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from jsonl_to_verl_parquet import load_all, system_prompt_from  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", type=Path, help="JSONL files (perm data contract)")
    ap.add_argument("-o", "--output", type=Path, required=True, help="JSONL file to write")
    ap.add_argument("--system-prompt-file", type=Path,
                    help="use this file's text as the system message (an empty file: none)")
    args = ap.parse_args(argv)
    from perm.errors import PermError
    from perm.integrations.common import policy_messages, sample_context

    try:
        samples = load_all(args.inputs)
    except PermError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    system = system_prompt_from(args.system_prompt_file)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as fh:
        for s in samples:
            fh.write(json.dumps({"messages": policy_messages(s, system),
                                 "perm": json.dumps(sample_context(s), ensure_ascii=False)},
                                ensure_ascii=False) + "\n")
    print(f"wrote {len(samples)} lines to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
