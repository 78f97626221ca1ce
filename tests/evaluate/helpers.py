"""Helpers for the evaluation tests: scenario / output records, file writing, a CLI runner."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from perm.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


def scenario(i: int, **kw):
    rec = {"id": f"s{i}", "persona": f"Person {i}, a teacher.", "scenario": "Her father died.",
           "query": f"I can't stop thinking about it ({i})"}
    rec.update(kw)
    return rec


def output(i: int, system: str, **kw):
    text = (f"# Analysis\n{system} notes grief and guilt ({i}).\n"
            f"# Response\n{system} says: that sounds so heavy, I'm here ({i}).")
    return {**scenario(i), "completion": text, **kw}


def write(path: Path, records) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records),
                    encoding="utf-8")
    return path


def run_cli(*args, ok: bool = True):
    res = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    if ok:
        assert res.exit_code == 0, res.output
    return res


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
